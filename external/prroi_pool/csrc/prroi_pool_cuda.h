// Precise RoI Pooling, CUDA kernel launchers on plain pointers (no torch types), implemented in
// prroi_pool_cuda.cu and called by prroi_pool_cuda_binding.cpp. All tensors are contiguous:
// features [B, C, H, W], rois [K, 5], output / grad_output [K, C, ph, pw], grad_rois [K, 5].
// Each launcher returns the CUDA error of its launch (cudaSuccess when none).
#pragma once

#include <cstdint>

#include <cuda_runtime_api.h>

namespace prroi_pool {
namespace cuda {

struct PoolShape {
  int64_t batch, channels, num_rois;
  int height, width, pooled_h, pooled_w;
};

// output = PrRoIPool(features, rois); output need not be initialized.
template <typename T>
cudaError_t launch_forward(const T* features, const T* rois, T* output, const PoolShape& shape,
                           T spatial_scale, cudaStream_t stream);

// grad_features += d output / d features applied to grad_output; grad_features must be zeroed.
template <typename T>
cudaError_t launch_backward_features(const T* grad_output, const T* rois, T* grad_features,
                                     const PoolShape& shape, T spatial_scale, cudaStream_t stream);

// grad_rois = d output / d rois applied to grad_output (column 0, the batch index, gets 0).
template <typename T>
cudaError_t launch_backward_rois(const T* grad_output, const T* features, const T* rois,
                                 T* grad_rois, const PoolShape& shape, T spatial_scale,
                                 cudaStream_t stream);

}  // namespace cuda
}  // namespace prroi_pool
