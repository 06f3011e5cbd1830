// Precise RoI Pooling, CUDA extension binding (module prroi_pool._C_cuda): checks the tensors,
// allocates the results and launches the kernels of prroi_pool_cuda.cu through plain pointers.
#include <torch/extension.h>

#include <c10/cuda/CUDAStream.h>
#include <c10/cuda/CUDAGuard.h>

#include "prroi_pool_cuda.h"

namespace prroi_pool {
namespace {

void check_cuda_tensor(const at::Tensor& t, const at::Tensor& rois, const char* name) {
  TORCH_CHECK(t.is_cuda(), "prroi_pool (CUDA): ", name, " must be a CUDA tensor");
  TORCH_CHECK(t.device() == rois.device(), "prroi_pool (CUDA): ", name, " is on ", t.device(),
              " but rois are on ", rois.device());
  TORCH_CHECK(t.dim() == 4, "prroi_pool (CUDA): ", name, " must be 4-D, got ", t.sizes());
  TORCH_CHECK(t.scalar_type() == rois.scalar_type(), "prroi_pool (CUDA): ", name, " dtype ",
              t.scalar_type(), " differs from rois dtype ", rois.scalar_type());
}

void check_rois(const at::Tensor& rois) {
  TORCH_CHECK(rois.is_cuda(), "prroi_pool (CUDA): rois must be a CUDA tensor");
  TORCH_CHECK(rois.dim() == 2 && rois.size(1) == 5,
              "prroi_pool (CUDA): rois must have shape [K, 5], got ", rois.sizes());
}

cuda::PoolShape make_shape(int64_t batch, int64_t channels, int64_t height, int64_t width,
                           int64_t num_rois, int64_t pooled_h, int64_t pooled_w) {
  TORCH_CHECK(pooled_h > 0 && pooled_w > 0, "prroi_pool (CUDA): pooled size must be positive, got ",
              pooled_h, "x", pooled_w);
  cuda::PoolShape s;
  s.batch = batch;
  s.channels = channels;
  s.num_rois = num_rois;
  s.height = static_cast<int>(height);
  s.width = static_cast<int>(width);
  s.pooled_h = static_cast<int>(pooled_h);
  s.pooled_w = static_cast<int>(pooled_w);
  return s;
}

void check_launch(cudaError_t err, const char* what) {
  TORCH_CHECK(err == cudaSuccess, "prroi_pool (CUDA): ", what, " launch failed: ",
              cudaGetErrorString(err));
}

}  // namespace

at::Tensor prroi_pool_forward_cuda(const at::Tensor& features_in, const at::Tensor& rois_in,
                                   int64_t pooled_h, int64_t pooled_w, double spatial_scale) {
  check_rois(rois_in);
  check_cuda_tensor(features_in, rois_in, "features");
  const c10::cuda::CUDAGuard guard(features_in.device());
  const at::Tensor features = features_in.contiguous();
  const at::Tensor rois = rois_in.contiguous();
  const cuda::PoolShape s = make_shape(features.size(0), features.size(1), features.size(2),
                                       features.size(3), rois.size(0), pooled_h, pooled_w);
  at::Tensor out = at::empty({rois.size(0), features.size(1), pooled_h, pooled_w}, features.options());
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES(features.scalar_type(), "prroi_pool_forward_cuda", [&] {
    check_launch(cuda::launch_forward<scalar_t>(features.data_ptr<scalar_t>(),
                                                rois.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(),
                                                s, static_cast<scalar_t>(spatial_scale), stream),
                 "forward");
  });
  return out;
}

at::Tensor prroi_pool_backward_features_cuda(const at::Tensor& grad_out_in,
                                             const at::Tensor& rois_in, int64_t batch,
                                             int64_t channels, int64_t height, int64_t width,
                                             double spatial_scale) {
  check_rois(rois_in);
  check_cuda_tensor(grad_out_in, rois_in, "grad_output");
  TORCH_CHECK(grad_out_in.size(0) == rois_in.size(0) && grad_out_in.size(1) == channels,
              "prroi_pool (CUDA): grad_output shape ", grad_out_in.sizes(), " does not match ",
              rois_in.size(0), " rois and ", channels, " channels");
  const c10::cuda::CUDAGuard guard(grad_out_in.device());
  const at::Tensor grad_out = grad_out_in.contiguous();
  const at::Tensor rois = rois_in.contiguous();
  const cuda::PoolShape s = make_shape(batch, channels, height, width, rois.size(0),
                                       grad_out.size(2), grad_out.size(3));
  at::Tensor grad_feat = at::zeros({batch, channels, height, width}, grad_out.options());
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES(grad_out.scalar_type(), "prroi_pool_backward_features_cuda", [&] {
    check_launch(cuda::launch_backward_features<scalar_t>(
                     grad_out.data_ptr<scalar_t>(), rois.data_ptr<scalar_t>(),
                     grad_feat.data_ptr<scalar_t>(), s, static_cast<scalar_t>(spatial_scale), stream),
                 "backward_features");
  });
  return grad_feat;
}

at::Tensor prroi_pool_backward_rois_cuda(const at::Tensor& grad_out_in, const at::Tensor& features_in,
                                         const at::Tensor& rois_in, double spatial_scale) {
  check_rois(rois_in);
  check_cuda_tensor(features_in, rois_in, "features");
  check_cuda_tensor(grad_out_in, rois_in, "grad_output");
  TORCH_CHECK(grad_out_in.size(0) == rois_in.size(0) && grad_out_in.size(1) == features_in.size(1),
              "prroi_pool (CUDA): grad_output shape ", grad_out_in.sizes(), " does not match ",
              rois_in.size(0), " rois and ", features_in.size(1), " channels");
  const c10::cuda::CUDAGuard guard(features_in.device());
  const at::Tensor grad_out = grad_out_in.contiguous();
  const at::Tensor features = features_in.contiguous();
  const at::Tensor rois = rois_in.contiguous();
  const cuda::PoolShape s = make_shape(features.size(0), features.size(1), features.size(2),
                                       features.size(3), rois.size(0), grad_out.size(2),
                                       grad_out.size(3));
  at::Tensor grad_rois = at::empty({rois.size(0), 5}, rois.options());
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES(features.scalar_type(), "prroi_pool_backward_rois_cuda", [&] {
    check_launch(cuda::launch_backward_rois<scalar_t>(
                     grad_out.data_ptr<scalar_t>(), features.data_ptr<scalar_t>(),
                     rois.data_ptr<scalar_t>(), grad_rois.data_ptr<scalar_t>(), s,
                     static_cast<scalar_t>(spatial_scale), stream),
                 "backward_rois");
  });
  return grad_rois;
}

}  // namespace prroi_pool

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "Precise RoI Pooling, CUDA kernel";
  m.def("forward", &prroi_pool::prroi_pool_forward_cuda, "PrRoIPool forward (CUDA)",
        py::arg("features"), py::arg("rois"), py::arg("pooled_height"), py::arg("pooled_width"),
        py::arg("spatial_scale"));
  m.def("backward_features", &prroi_pool::prroi_pool_backward_features_cuda,
        "PrRoIPool gradient w.r.t. the features (CUDA)", py::arg("grad_output"), py::arg("rois"),
        py::arg("batch"), py::arg("channels"), py::arg("height"), py::arg("width"),
        py::arg("spatial_scale"));
  m.def("backward_rois", &prroi_pool::prroi_pool_backward_rois_cuda,
        "PrRoIPool gradient w.r.t. the roi coordinates (CUDA)", py::arg("grad_output"),
        py::arg("features"), py::arg("rois"), py::arg("spatial_scale"));
}
