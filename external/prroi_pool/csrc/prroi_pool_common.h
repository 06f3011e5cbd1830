// Precise RoI Pooling: geometry and hat-function integrals shared by the CPU and CUDA kernels.
//
// The feature map is the bilinear interpolant of the grid values with zero outside the map:
//   value(x, y) = sum_ij f[i, j] * hat(y - i) * hat(x - j),   hat(t) = max(0, 1 - |t|),
// with grid value f[i, j] at integer coordinate (x = j, y = i). The interpolant is separable, so
// the integral over a box [xa, xb] x [ya, yb] is
//   sum_ij f[i, j] * (HatCdf(yb - i) - HatCdf(ya - i)) * (HatCdf(xb - j) - HatCdf(xa - j)),
// where HatCdf is the antiderivative of hat. Each output bin is that integral divided by the
// bin's area. This header has no torch dependency so that `nvcc -c` compiles the CUDA kernel on
// machines whose torch has no CUDA.
#pragma once

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define PRROI_HD __host__ __device__ __forceinline__
#else
#define PRROI_HD inline
#endif

namespace prroi_pool {

template <typename T>
PRROI_HD T clamp_value(T v, T lo, T hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

// hat(t) = max(0, 1 - |t|): the weight of a grid point at distance t in linear interpolation.
template <typename T>
PRROI_HD T hat(T t) {
  const T a = T(1) - (t < T(0) ? -t : t);
  return a > T(0) ? a : T(0);
}

// Antiderivative of hat from -inf: 0 for t <= -1, (t+1)^2/2 on [-1, 0], 1 - (1-t)^2/2 on [0, 1],
// 1 for t >= 1. Written with two clamps: c1 covers the rising half, c2 the falling half.
template <typename T>
PRROI_HD T hat_cdf(T t) {
  const T c1 = clamp_value(t + T(1), T(0), T(1));
  const T c2 = clamp_value(t, T(0), T(1));
  return T(0.5) * c1 * c1 + c2 - T(0.5) * c2 * c2;
}

// Weight of grid index g in the integral of the 1-D interpolant over [a, b].
template <typename T>
PRROI_HD T hat_integral(T a, T b, int g) {
  return hat_cdf(b - T(g)) - hat_cdf(a - T(g));
}

PRROI_HD float floor_value(float v) { return floorf(v); }
PRROI_HD double floor_value(double v) { return ::floor(v); }

// floor(v) as an int, with v first clamped to [-2, n + 1] so huge coordinates cannot overflow.
template <typename T>
PRROI_HD int clamped_floor(T v, int n) {
  return static_cast<int>(floor_value(clamp_value(v, T(-2), T(n + 1))));
}

// Grid indices [lo, hi] (inside [0, n-1]) that can have a nonzero weight in the integral over
// [a, b]: g in (a - 1, b + 1). Empty when lo > hi.
template <typename T>
PRROI_HD void integral_support(T a, T b, int n, int* lo, int* hi) {
  const int l = clamped_floor(a, n);
  const int h = clamped_floor(b, n) + 1;
  *lo = l < 0 ? 0 : l;
  *hi = h > n - 1 ? n - 1 : h;
}

// Linear-interpolation stencil at coordinate v: grid index i0 = floor(v) gets weight 1 - t and
// i0 + 1 gets weight t (either may lie outside [0, n-1], where the map is zero).
template <typename T>
PRROI_HD void interp_stencil(T v, int n, int* i0, T* t) {
  const int f = clamped_floor(v, n);
  *i0 = f;
  *t = v - T(f);
}

// Geometry of one roi in feature-map coordinates.
template <typename T>
struct RoiGeometry {
  int64_t batch;  // image index
  T x1, y1;       // top-left corner (scaled)
  T bin_w, bin_h; // bin size (scaled)
  T width, height;  // x2 - x1, y2 - y1 (scaled)
  bool valid;     // every bin has a positive area
};

// roi points at (batch index, x1, y1, x2, y2) in image coordinates.
template <typename T>
PRROI_HD RoiGeometry<T> roi_geometry(const T* roi, T spatial_scale, int pooled_h, int pooled_w) {
  RoiGeometry<T> g;
  g.batch = static_cast<int64_t>(roi[0]);
  g.x1 = roi[1] * spatial_scale;
  g.y1 = roi[2] * spatial_scale;
  g.width = roi[3] * spatial_scale - g.x1;
  g.height = roi[4] * spatial_scale - g.y1;
  g.bin_w = g.width / T(pooled_w);
  g.bin_h = g.height / T(pooled_h);
  g.valid = g.width > T(0) && g.height > T(0) && g.bin_w * g.bin_h > T(0);
  return g;
}

// Contribution of one output bin to the gradient of the four box coordinates, in feature-map
// coordinates (multiply by spatial_scale for image coordinates). The bin spans
// [xa, xb] = [x1 + q*bw, x1 + (q+1)*bw] (likewise y); out = A / (bw*bh) with A the integral.
//   gx_a = sum_ij f[i,j] * Wy[i] * hat(xa - j)   (= -dA/dxa), gx_b likewise at xb (= dA/dxb),
//   gy_a = sum_ij f[i,j] * hat(ya - i) * Wx[j]   (= -dA/dya), gy_b likewise at yb.
// Since xa = x1 (1 - q/pw) + x2 q/pw and xb = x1 (1 - (q+1)/pw) + x2 (q+1)/pw, and
// d(1/(bw bh))/dx1 = 1/(bw bh) / (x2 - x1), the chain rule gives the four derivatives below.
template <typename T>
PRROI_HD void bin_coordinate_grads(const RoiGeometry<T>& g, int p, int q, int pooled_h,
                                   int pooled_w, T grad, T out, T gx_a, T gx_b, T gy_a, T gy_b,
                                   T* d) {
  const T inv_area = T(1) / (g.bin_w * g.bin_h);
  const T sa_x = T(q) / T(pooled_w), sb_x = T(q + 1) / T(pooled_w);
  const T sa_y = T(p) / T(pooled_h), sb_y = T(p + 1) / T(pooled_h);
  const T area_x = grad * out / g.width;
  const T area_y = grad * out / g.height;
  d[0] += grad * inv_area * (-gx_a * (T(1) - sa_x) + gx_b * (T(1) - sb_x)) + area_x;
  d[1] += grad * inv_area * (-gy_a * (T(1) - sa_y) + gy_b * (T(1) - sb_y)) + area_y;
  d[2] += grad * inv_area * (-gx_a * sa_x + gx_b * sb_x) - area_x;
  d[3] += grad * inv_area * (-gy_a * sa_y + gy_b * sb_y) - area_y;
}

}  // namespace prroi_pool
