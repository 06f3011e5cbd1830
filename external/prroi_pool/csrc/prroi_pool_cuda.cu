// Precise RoI Pooling, CUDA kernels. Free of torch headers: compiled by the CUDA extension build
// and compile-checked with plain `nvcc -c` by the tests. The geometry and hat integrals come from
// prroi_pool_common.h, shared with the CPU kernel.
#include "prroi_pool_common.h"
#include "prroi_pool_cuda.h"

namespace prroi_pool {
namespace cuda {
namespace {

constexpr int kThreads = 256;

inline unsigned int grid_for(int64_t n) {
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned int>(blocks < 65535 * 64 ? blocks : 65535 * 64);
}

// Support rows/columns of bin (p, q) of roi g, and its corners.
template <typename T>
struct Bin {
  T xa, xb, ya, yb;
  int xlo, xhi, ylo, yhi;
};

template <typename T>
__device__ __forceinline__ Bin<T> make_bin(const RoiGeometry<T>& g, int p, int q, int height,
                                           int width) {
  Bin<T> b;
  b.xa = g.x1 + T(q) * g.bin_w;
  b.xb = g.x1 + T(q + 1) * g.bin_w;
  b.ya = g.y1 + T(p) * g.bin_h;
  b.yb = g.y1 + T(p + 1) * g.bin_h;
  integral_support(b.xa, b.xb, width, &b.xlo, &b.xhi);
  integral_support(b.ya, b.yb, height, &b.ylo, &b.yhi);
  return b;
}

// Linear interpolation of row `row` (width `width`) at x = v, zero outside the row.
template <typename T>
__device__ __forceinline__ T interp_at(const T* row, int width, T v) {
  int i0;
  T t;
  interp_stencil(v, width, &i0, &t);
  T s = T(0);
  if (i0 >= 0 && i0 < width) s += row[i0] * (T(1) - t);
  if (i0 + 1 >= 0 && i0 + 1 < width) s += row[i0 + 1] * t;
  return s;
}

template <typename T>
__global__ void forward_kernel(const T* __restrict__ features, const T* __restrict__ rois,
                               T* __restrict__ output, PoolShape s, T spatial_scale) {
  const int64_t bins = static_cast<int64_t>(s.pooled_h) * s.pooled_w;
  const int64_t total = s.num_rois * s.channels * bins;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    const int q = static_cast<int>(i % s.pooled_w);
    const int p = static_cast<int>((i / s.pooled_w) % s.pooled_h);
    const int64_t c = (i / bins) % s.channels;
    const int64_t k = i / (bins * s.channels);
    const RoiGeometry<T> g = roi_geometry(rois + k * 5, spatial_scale, s.pooled_h, s.pooled_w);
    T acc = T(0);
    if (g.valid) {
      const Bin<T> b = make_bin(g, p, q, s.height, s.width);
      const T* plane = features + (g.batch * s.channels + c) * s.height * s.width;
      for (int h = b.ylo; h <= b.yhi; ++h) {
        const T wy = hat_integral(b.ya, b.yb, h);
        const T* row = plane + static_cast<int64_t>(h) * s.width;
        T r = T(0);
        for (int w = b.xlo; w <= b.xhi; ++w) r += row[w] * hat_integral(b.xa, b.xb, w);
        acc += wy * r;
      }
      acc /= g.bin_w * g.bin_h;
    }
    output[i] = acc;
  }
}

template <typename T>
__global__ void backward_features_kernel(const T* __restrict__ grad_output,
                                         const T* __restrict__ rois, T* __restrict__ grad_features,
                                         PoolShape s, T spatial_scale) {
  const int64_t bins = static_cast<int64_t>(s.pooled_h) * s.pooled_w;
  const int64_t total = s.num_rois * s.channels * bins;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    const int q = static_cast<int>(i % s.pooled_w);
    const int p = static_cast<int>((i / s.pooled_w) % s.pooled_h);
    const int64_t c = (i / bins) % s.channels;
    const int64_t k = i / (bins * s.channels);
    const RoiGeometry<T> g = roi_geometry(rois + k * 5, spatial_scale, s.pooled_h, s.pooled_w);
    const T grad = grad_output[i];
    if (!g.valid || grad == T(0)) continue;
    const Bin<T> b = make_bin(g, p, q, s.height, s.width);
    const T scaled = grad / (g.bin_w * g.bin_h);
    T* plane = grad_features + (g.batch * s.channels + c) * s.height * s.width;
    for (int h = b.ylo; h <= b.yhi; ++h) {
      const T wy = scaled * hat_integral(b.ya, b.yb, h);
      if (wy == T(0)) continue;
      T* row = plane + static_cast<int64_t>(h) * s.width;
      for (int w = b.xlo; w <= b.xhi; ++w) {
        const T v = wy * hat_integral(b.xa, b.xb, w);
        if (v != T(0)) atomicAdd(row + w, v);
      }
    }
  }
}

// One block per roi: the threads stride over (channel, bin), each accumulates its share of the
// four coordinate derivatives, and a shared-memory tree reduction sums them (no atomics).
template <typename T>
__global__ void backward_rois_kernel(const T* __restrict__ grad_output,
                                     const T* __restrict__ features, const T* __restrict__ rois,
                                     T* __restrict__ grad_rois, PoolShape s, T spatial_scale) {
  __shared__ T partial[4][kThreads];
  const int64_t k = blockIdx.x;
  const RoiGeometry<T> g = roi_geometry(rois + k * 5, spatial_scale, s.pooled_h, s.pooled_w);
  const int64_t bins = static_cast<int64_t>(s.pooled_h) * s.pooled_w;
  const int64_t per_roi = s.channels * bins;
  T d[4] = {T(0), T(0), T(0), T(0)};
  if (g.valid) {
    for (int64_t j = threadIdx.x; j < per_roi; j += blockDim.x) {
      const T grad = grad_output[k * per_roi + j];
      if (grad == T(0)) continue;
      const int q = static_cast<int>(j % s.pooled_w);
      const int p = static_cast<int>((j / s.pooled_w) % s.pooled_h);
      const int64_t c = j / bins;
      const Bin<T> b = make_bin(g, p, q, s.height, s.width);
      const T* plane = features + (g.batch * s.channels + c) * s.height * s.width;
      T integral = T(0), gx_a = T(0), gx_b = T(0), gy_a = T(0), gy_b = T(0);
      // Rows: the y stencils of the top/bottom edges lie within [ylo, yhi] or outside the map.
      for (int h = b.ylo; h <= b.yhi; ++h) {
        const T* row = plane + static_cast<int64_t>(h) * s.width;
        T r = T(0);
        for (int w = b.xlo; w <= b.xhi; ++w) r += row[w] * hat_integral(b.xa, b.xb, w);
        const T wy = hat_integral(b.ya, b.yb, h);
        integral += wy * r;
        gx_a += wy * interp_at(row, s.width, b.xa);
        gx_b += wy * interp_at(row, s.width, b.xb);
        gy_a += hat(b.ya - T(h)) * r;
        gy_b += hat(b.yb - T(h)) * r;
      }
      bin_coordinate_grads(g, p, q, s.pooled_h, s.pooled_w, grad, integral / (g.bin_w * g.bin_h),
                           gx_a, gx_b, gy_a, gy_b, d);
    }
  }
  for (int j = 0; j < 4; ++j) partial[j][threadIdx.x] = d[j];
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) {
      for (int j = 0; j < 4; ++j) partial[j][threadIdx.x] += partial[j][threadIdx.x + stride];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    grad_rois[k * 5] = T(0);
    for (int j = 0; j < 4; ++j) grad_rois[k * 5 + 1 + j] = partial[j][0] * spatial_scale;
  }
}

}  // namespace

template <typename T>
cudaError_t launch_forward(const T* features, const T* rois, T* output, const PoolShape& shape,
                           T spatial_scale, cudaStream_t stream) {
  const int64_t total = shape.num_rois * shape.channels * shape.pooled_h * shape.pooled_w;
  if (total == 0) return cudaSuccess;
  forward_kernel<T><<<grid_for(total), kThreads, 0, stream>>>(features, rois, output, shape,
                                                               spatial_scale);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_backward_features(const T* grad_output, const T* rois, T* grad_features,
                                     const PoolShape& shape, T spatial_scale, cudaStream_t stream) {
  const int64_t total = shape.num_rois * shape.channels * shape.pooled_h * shape.pooled_w;
  if (total == 0) return cudaSuccess;
  backward_features_kernel<T><<<grid_for(total), kThreads, 0, stream>>>(
      grad_output, rois, grad_features, shape, spatial_scale);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_backward_rois(const T* grad_output, const T* features, const T* rois,
                                 T* grad_rois, const PoolShape& shape, T spatial_scale,
                                 cudaStream_t stream) {
  if (shape.num_rois == 0) return cudaSuccess;
  backward_rois_kernel<T><<<static_cast<unsigned int>(shape.num_rois), kThreads, 0, stream>>>(
      grad_output, features, rois, grad_rois, shape, spatial_scale);
  return cudaGetLastError();
}

#define PRROI_INSTANTIATE(T)                                                                     \
  template cudaError_t launch_forward<T>(const T*, const T*, T*, const PoolShape&, T,           \
                                         cudaStream_t);                                         \
  template cudaError_t launch_backward_features<T>(const T*, const T*, T*, const PoolShape&, T, \
                                                   cudaStream_t);                               \
  template cudaError_t launch_backward_rois<T>(const T*, const T*, const T*, T*,                \
                                               const PoolShape&, T, cudaStream_t);

PRROI_INSTANTIATE(float)
PRROI_INSTANTIATE(double)

#undef PRROI_INSTANTIATE

}  // namespace cuda
}  // namespace prroi_pool
