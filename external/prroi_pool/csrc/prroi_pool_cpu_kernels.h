// Precise RoI Pooling, CPU kernel bodies: included twice by prroi_pool_cpu.cpp, into namespace
// `generic` with PRROI_POOL_VECTOR_BYTES 16 (SSE / NEON registers) and, on x86-64 with GCC, into
// namespace `avx2` with 32 under `#pragma GCC target("avx2,fma")`. It relies on what
// prroi_pool_cpu.cpp defines before including it (RoiTable, ForwardArgs, BackwardArgs,
// TaskSource, kChannelBlock, the standard headers) and includes nothing itself, on purpose: no include guard.
#ifndef PRROI_POOL_VECTOR_BYTES
#error "define PRROI_POOL_VECTOR_BYTES before including prroi_pool_cpu_kernels.h"
#endif

// ---------------------------------------------------------------------------------------------
// Vector primitives over a block of channels (the innermost, contiguous axis)

// Full blocks (n == kChannelBlock, the common case) run on GCC/Clang vector extensions of
// PRROI_POOL_VECTOR_BYTES bytes (one native register), with the accumulators of 128 bytes of
// channels held in registers at once. Other block sizes take plain loops.
#if defined(__GNUC__)
#define PRROI_POOL_VECTORS 1
template <typename T>
struct Vec;
template <>
struct Vec<float> {
  typedef float type __attribute__((vector_size(PRROI_POOL_VECTOR_BYTES), aligned(4), may_alias));
};
template <>
struct Vec<double> {
  typedef double type __attribute__((vector_size(PRROI_POOL_VECTOR_BYTES), aligned(8), may_alias));
};
template <typename T>
constexpr int kLanes = PRROI_POOL_VECTOR_BYTES / sizeof(T);
// vectors of a full channel block, and of a chunk summed at once
template <typename T>
constexpr int kBlockVectors = static_cast<int>(kChannelBlock * sizeof(T) / PRROI_POOL_VECTOR_BYTES);
constexpr int kChunkVectors = 128 / PRROI_POOL_VECTOR_BYTES;
#endif

// Channels summed at once by the plain loops: 128 bytes.
template <typename T>
constexpr int64_t kChunk = 128 / sizeof(T);

// dst[c] = 0 for c < n.
template <typename T>
inline void zero_block(int64_t n, T* __restrict__ dst) {
#ifdef PRROI_POOL_VECTORS
  if (n == kChannelBlock) {
    using V = typename Vec<T>::type;
    V* d = reinterpret_cast<V*>(dst);
#pragma GCC unroll 16
    for (int v = 0; v < kBlockVectors<T>; ++v) d[v] = V{};
    return;
  }
#endif
  for (int64_t i = 0; i < n; ++i) dst[i] = T(0);
}

// Dot product with independent partial sums, so that the compiler can vectorize it without
// reassociating a single running sum.
template <typename T>
inline T dot(int64_t n, const T* __restrict__ x, const T* __restrict__ y) {
#ifdef PRROI_POOL_VECTORS
  if (n == kChannelBlock) {
    using V = typename Vec<T>::type;
    constexpr int kV = kBlockVectors<T>;
    const V* xv = reinterpret_cast<const V*>(x);
    const V* yv = reinterpret_cast<const V*>(y);
    V acc[kV];
#pragma GCC unroll 16
    for (int v = 0; v < kV; ++v) acc[v] = xv[v] * yv[v];
#pragma GCC unroll 16
    for (int v = 1; v < kV; ++v) acc[0] += acc[v];
    T s = T(0);
#pragma GCC unroll 8
    for (int l = 0; l < kLanes<T>; ++l) s += acc[0][l];
    return s;
  }
#endif
  constexpr int64_t kParts = 32 / sizeof(T);
  const int64_t full = n - n % kParts;
  T part[kParts] = {};
  for (int64_t i = 0; i < full; i += kParts) {
    for (int64_t j = 0; j < kParts; ++j) part[j] += x[i + j] * y[i + j];
  }
  T s = T(0);
  for (int64_t i = full; i < n; ++i) s += x[i] * y[i];
  for (int64_t j = 0; j < kParts; ++j) s += part[j];
  return s;
}

// dst[c] = scale * sum_j weights[j] * src[j * stride + c] for c < n (kAccumulate: dst[c] +=),
// with the sums held in registers (per chunk of channels).
template <bool kAccumulate, typename T>
inline void weighted_sum_into(int64_t n, int count, const T* __restrict__ weights, T scale,
                              const T* __restrict__ src, int64_t stride, T* __restrict__ dst) {
#ifdef PRROI_POOL_VECTORS
  if (n == kChannelBlock) {
    using V = typename Vec<T>::type;
    constexpr int kV = kChunkVectors;
    for (int chunk = 0; chunk < kBlockVectors<T> / kV; ++chunk) {
      const int64_t c0 = static_cast<int64_t>(chunk) * kV * kLanes<T>;
      V acc[kV];
#pragma GCC unroll 8
      for (int v = 0; v < kV; ++v) acc[v] = V{};
      for (int j = 0; j < count; ++j) {
        const T wv = weights[j];
        const V* sv = reinterpret_cast<const V*>(src + j * stride + c0);
#pragma GCC unroll 8
        for (int v = 0; v < kV; ++v) acc[v] += wv * sv[v];
      }
      V* d = reinterpret_cast<V*>(dst + c0);
#pragma GCC unroll 8
      for (int v = 0; v < kV; ++v) {
        if constexpr (kAccumulate) {
          d[v] += scale * acc[v];
        } else {
          d[v] = scale * acc[v];
        }
      }
    }
    return;
  }
#endif
  constexpr int64_t chunk = kChunk<T>;
  for (int64_t c0 = 0; c0 < n; c0 += chunk) {
    const int64_t m = std::min(chunk, n - c0);
    T acc[chunk] = {};
    for (int j = 0; j < count; ++j) {
      const T wv = weights[j];
      const T* s = src + j * stride + c0;
      for (int64_t i = 0; i < m; ++i) acc[i] += wv * s[i];
    }
    for (int64_t i = 0; i < m; ++i) {
      if constexpr (kAccumulate) {
        dst[c0 + i] += scale * acc[i];
      } else {
        dst[c0 + i] = scale * acc[i];
      }
    }
  }
}

// dst[c] = scale * sum_j weights[j] * src[j * stride + c] for c < n.
template <typename T>
inline void weighted_sum(int64_t n, int count, const T* weights, T scale, const T* src, int64_t stride, T* dst) {
  weighted_sum_into<false>(n, count, weights, scale, src, stride, dst);
}

// dst[c] += sum_j weights[j] * src[j * stride + c] for c < n.
template <typename T>
inline void add_weighted_sum(int64_t n, int count, const T* weights, const T* src, int64_t stride, T* dst) {
  weighted_sum_into<true>(n, count, weights, T(1), src, stride, dst);
}

#if defined(PRROI_POOL_VECTORS) && !defined(__clang__)
#define PRROI_POOL_SHUFFLES 1
// dst[j * dst_stride + i] = src[i * src_stride + j] for a kLanes x kLanes tile of floats, with
// register shuffles (__builtin_shuffle).
inline void transpose_tile(const float* src, int64_t src_stride, float* dst, int64_t dst_stride) {
  using V = Vec<float>::type;
#if PRROI_POOL_VECTOR_BYTES == 32
  typedef int I __attribute__((vector_size(32)));
  V r[8], t[8], u[8];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) r[i] = *reinterpret_cast<const V*>(src + i * src_stride);
#pragma GCC unroll 4
  for (int i = 0; i < 8; i += 2) {
    t[i] = __builtin_shuffle(r[i], r[i + 1], I{0, 8, 1, 9, 4, 12, 5, 13});
    t[i + 1] = __builtin_shuffle(r[i], r[i + 1], I{2, 10, 3, 11, 6, 14, 7, 15});
  }
#pragma GCC unroll 2
  for (int i = 0; i < 8; i += 4) {
    u[i] = __builtin_shuffle(t[i], t[i + 2], I{0, 1, 8, 9, 4, 5, 12, 13});
    u[i + 1] = __builtin_shuffle(t[i], t[i + 2], I{2, 3, 10, 11, 6, 7, 14, 15});
    u[i + 2] = __builtin_shuffle(t[i + 1], t[i + 3], I{0, 1, 8, 9, 4, 5, 12, 13});
    u[i + 3] = __builtin_shuffle(t[i + 1], t[i + 3], I{2, 3, 10, 11, 6, 7, 14, 15});
  }
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    *reinterpret_cast<V*>(dst + j * dst_stride) = __builtin_shuffle(u[j], u[j + 4], I{0, 1, 2, 3, 8, 9, 10, 11});
    *reinterpret_cast<V*>(dst + (j + 4) * dst_stride) =
        __builtin_shuffle(u[j], u[j + 4], I{4, 5, 6, 7, 12, 13, 14, 15});
  }
#elif PRROI_POOL_VECTOR_BYTES == 16
  typedef int I __attribute__((vector_size(16)));
  V r[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) r[i] = *reinterpret_cast<const V*>(src + i * src_stride);
  const V t0 = __builtin_shuffle(r[0], r[1], I{0, 4, 1, 5});
  const V t1 = __builtin_shuffle(r[0], r[1], I{2, 6, 3, 7});
  const V t2 = __builtin_shuffle(r[2], r[3], I{0, 4, 1, 5});
  const V t3 = __builtin_shuffle(r[2], r[3], I{2, 6, 3, 7});
  *reinterpret_cast<V*>(dst) = __builtin_shuffle(t0, t2, I{0, 1, 4, 5});
  *reinterpret_cast<V*>(dst + dst_stride) = __builtin_shuffle(t0, t2, I{2, 3, 6, 7});
  *reinterpret_cast<V*>(dst + 2 * dst_stride) = __builtin_shuffle(t1, t3, I{0, 1, 4, 5});
  *reinterpret_cast<V*>(dst + 3 * dst_stride) = __builtin_shuffle(t1, t3, I{2, 3, 6, 7});
#else
#error "PRROI_POOL_VECTOR_BYTES must be 16 or 32"
#endif
}
#endif

// dst[j * dst_stride + i] = src[i * src_stride + j] for i < rows, j < cols (src and dst apart).
// Floats go through register-shuffled tiles where available; the last tile of a row or column
// overlaps the one before it (its elements are written twice, with the same values).
template <typename T>
inline void transpose_copy(const T* __restrict__ src, int64_t src_stride, int rows, int cols,
                           T* __restrict__ dst, int64_t dst_stride) {
#ifdef PRROI_POOL_SHUFFLES
  if constexpr (std::is_same_v<T, float>) {
    constexpr int kTile = kLanes<float>;
    if (rows >= kTile && cols >= kTile) {
      for (int i0 = 0; i0 < rows; i0 += kTile) {
        const int i = std::min(i0, rows - kTile);
        for (int j0 = 0; j0 < cols; j0 += kTile) {
          const int j = std::min(j0, cols - kTile);
          transpose_tile(src + i * src_stride + j, src_stride, dst + j * dst_stride + i, dst_stride);
        }
      }
      return;
    }
  }
#endif
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) dst[j * dst_stride + i] = src[i * src_stride + j];
  }
}

// ---------------------------------------------------------------------------------------------
// Channels-last views of the features

// Channels [c0, c0 + cb) of one image, channels-last: channel c0 + c of pixel (h, w) at
// at(h, w)[c], for the rows [row0, row0 + rows) and columns [col0, col0 + cols) it covers.
template <typename T>
struct PixelView {
  const T* origin;  // channel c0 of pixel (row0, col0)
  int row0, col0, rows, cols;
  int64_t row_stride, pixel_stride;
  const T* at(int h, int w) const {
    return origin + static_cast<int64_t>(h - row0) * row_stride + static_cast<int64_t>(w - col0) * pixel_stride;
  }
  bool has_column(int w) const { return w >= col0 && w < col0 + cols; }
};

// Copies channels [c0, c0 + cb) of the [C, H, W] image, rows [row0, row0 + rows) x columns
// [col0, col0 + cols), channels-last into dst: channel c of pixel (h, w) at
// dst[((h - row0) * cols + w - col0) * cb + c].
template <typename T>
void gather_channels_last(const T* image, int height, int width, int64_t c0, int64_t cb, int row0,
                          int rows, int col0, int cols, T* __restrict__ dst) {
  const int64_t plane_size = static_cast<int64_t>(height) * width;
  const T* first = image + c0 * plane_size + static_cast<int64_t>(row0) * width + col0;
  for (int h = 0; h < rows; ++h) {
    transpose_copy(first + static_cast<int64_t>(h) * width, plane_size, static_cast<int>(cb), cols,
                   dst + static_cast<int64_t>(h) * cols * cb, cb);
  }
}

// The view of channels [c0, c0 + cb) of image b under its rois: in place for channels-last
// features, else gathered into buffer.
template <typename T>
PixelView<T> image_view(const T* feat, bool channels_last, int64_t channels, const RoiTable<T>& t,
                        int64_t b, int64_t c0, int64_t cb, T* buffer) {
  const int64_t image_size = static_cast<int64_t>(t.height) * t.width * channels;
  const T* image = feat + b * image_size;
  if (channels_last) {
    return PixelView<T>{image + c0, 0, 0, t.height, t.width, static_cast<int64_t>(t.width) * channels, channels};
  }
  const int rows = t.image_rows(b), cols = t.image_cols(b);
  const int row0 = t.image_row_lo[b], col0 = t.image_col_lo[b];
  gather_channels_last(image, t.height, t.width, c0, cb, row0, rows, col0, cols, buffer);
  return PixelView<T>{buffer, row0, col0, rows, cols, static_cast<int64_t>(cols) * cb, cb};
}

// rows[((h - row_lo) * pw + q) * cb + c] = sum_w F[c0 + c, h, w] * Wx[q, w] for the rows of roi k.
template <typename T>
void reduce_rows(const RoiTable<T>& t, int64_t k, const PixelView<T>& img, int64_t cb, T* rows) {
  const T* wx = t.wx_of(k);
  const int* xlo = &t.xlo[k * t.pw];
  const int* xhi = &t.xhi[k * t.pw];
  for (int h = t.row_lo[k]; h <= t.row_hi[k]; ++h) {
    for (int q = 0; q < t.pw; ++q) {
      T* dst = rows + (static_cast<int64_t>(h - t.row_lo[k]) * t.pw + q) * cb;
      if (xlo[q] > xhi[q]) {
        zero_block(cb, dst);
        continue;
      }
      weighted_sum(cb, xhi[q] - xlo[q] + 1, wx + static_cast<int64_t>(q) * t.width + xlo[q], T(1),
                   img.at(h, xlo[q]), img.pixel_stride, dst);
    }
  }
}

// Loads grad_out[k, c0:c0+cb, :, :] into dst[(p * pw + q) * cb + c].
template <typename T>
void load_grad_block(const T* grad_out, int64_t k, int64_t channels, int64_t c0, int64_t cb,
                     int64_t bins, T* dst) {
  transpose_copy(grad_out + (k * channels + c0) * bins, bins, static_cast<int>(cb), static_cast<int>(bins), dst, cb);
}

// ---------------------------------------------------------------------------------------------
// Forward

// Buffers of one thread's forward tasks.
template <typename T>
struct ForwardScratch {
  std::vector<T> window, rows, acc;
  ForwardScratch(const RoiTable<T>& t, bool channels_last)
      : window(channels_last ? 0 : static_cast<size_t>(t.max_image_window()) * kChannelBlock),
        rows(static_cast<size_t>(t.max_roi_rows()) * t.pw * kChannelBlock),
        acc(static_cast<size_t>(t.ph) * t.pw * kChannelBlock) {}
};

// Forward of image b, channels [c0, c0 + cb). CB is cb when it is known at compile time (a full
// block, so that the channel loops have constant trip counts), else 0.
template <typename T, int64_t CB>
void forward_task(const ForwardArgs<T>& a, int64_t b, int64_t c0, int64_t cb_given, ForwardScratch<T>& s) {
  const RoiTable<T>& t = *a.table;
  const int64_t cb = CB > 0 ? CB : cb_given;
  const int64_t bins = static_cast<int64_t>(t.ph) * t.pw;
  const int64_t first = t.image_start[b], last = t.image_start[b + 1];
  if (first == last) return;
  const PixelView<T> img = image_view(a.feat, a.channels_last, a.channels, t, b, c0, cb, s.window.data());
  T* acc = s.acc.data();
  for (int64_t n = first; n < last; ++n) {
    const int64_t k = t.order[n];
    const RoiGeometry<T>& g = t.geom[k];
    std::fill(acc, acc + bins * cb, T(0));
    if (t.active(k)) {
      reduce_rows(t, k, img, cb, s.rows.data());
      const T inv_area = T(1) / (g.bin_w * g.bin_h);
      const T* wy = t.wy_of(k);
      for (int p = 0; p < t.ph; ++p) {
        const int ylo = t.ylo[k * t.ph + p], yhi = t.yhi[k * t.ph + p];
        if (ylo > yhi) continue;
        for (int q = 0; q < t.pw; ++q) {
          weighted_sum(cb, yhi - ylo + 1, wy + static_cast<int64_t>(p) * t.height + ylo, inv_area,
                       s.rows.data() + (static_cast<int64_t>(ylo - t.row_lo[k]) * t.pw + q) * cb,
                       t.pw * cb, acc + (p * t.pw + q) * cb);
        }
      }
    }
    transpose_copy(acc, cb, static_cast<int>(bins), static_cast<int>(cb), a.out + (k * a.channels + c0) * bins, bins);
  }
}

// The forward tasks that `source` hands out (task = image * blocks + channel block).
template <typename T>
__attribute__((flatten)) void forward_tasks(const ForwardArgs<T>& a, TaskSource& source) {
  const int64_t blocks = channel_blocks(a.channels);
  ForwardScratch<T> scratch(*a.table, a.channels_last);
  for (int64_t task = source.take(); task >= 0; task = source.take()) {
    const int64_t b = task / blocks;
    const int64_t c0 = (task % blocks) * kChannelBlock;
    const int64_t cb = std::min(kChannelBlock, a.channels - c0);
    if (cb == kChannelBlock) {
      forward_task<T, kChannelBlock>(a, b, c0, cb, scratch);
    } else {
      forward_task<T, 0>(a, b, c0, cb, scratch);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Backward

// Indices [*first, *last] of the bins whose support [lo[b], hi[b]] holds grid index g (the
// supports' ends grow with b, so these bins are consecutive); *first > *last when none does.
inline void bins_holding(const int* lo, const int* hi, int bins, int g, int* first, int* last) {
  *first = bins;
  *last = -1;
  for (int b = 0; b < bins; ++b) {
    if (lo[b] <= g && g <= hi[b]) {
      *first = std::min(*first, b);
      *last = b;
    }
  }
}

// Adds roi k's share of the feature gradient, channels-last, to gwin (pixel (h, w) at
// gwin[((h - row0) * cols + w - col0) * cb]): grad[p, q, c] (the output gradient block) spread
// over the bin's support with weights Wy[p, h] Wx[q, w] / area. u is scratch of the roi's
// rows x pw blocks, weights of max(ph, pw) values. Every sum is held in registers and stored once.
template <typename T>
void add_feature_gradient(const RoiTable<T>& t, int64_t k, const T* grad, int64_t cb, int row0,
                          int col0, int cols, T* u, T* weights, T* gwin) {
  const RoiGeometry<T>& g = t.geom[k];
  const T inv_area = T(1) / (g.bin_w * g.bin_h);
  const int lo = t.row_lo[k], hi = t.row_hi[k];
  const int pw = t.pw;
  // u[h, q, c] = sum_p Wy[p, h] / area * grad[p, q, c] over the bin rows p whose support holds h
  const T* wy = t.wy_of(k);
  for (int h = lo; h <= hi; ++h) {
    T* uh = u + static_cast<int64_t>(h - lo) * pw * cb;
    int pa, pb;
    bins_holding(&t.ylo[k * t.ph], &t.yhi[k * t.ph], t.ph, h, &pa, &pb);
    if (pa > pb) {
      for (int q = 0; q < pw; ++q) zero_block(cb, uh + q * cb);
      continue;
    }
    for (int p = pa; p <= pb; ++p) weights[p - pa] = wy[static_cast<int64_t>(p) * t.height + h];
    for (int q = 0; q < pw; ++q)
      weighted_sum(cb, pb - pa + 1, weights, inv_area, grad + (static_cast<int64_t>(pa) * pw + q) * cb,
                   pw * cb, uh + q * cb);
  }
  // gwin[h, w, c] += sum_q Wx[q, w] * u[h, q, c] over the bin columns q whose support holds w
  const T* wx = t.wx_of(k);
  for (int w = t.col_lo[k]; w <= t.col_hi[k]; ++w) {
    int qa, qb;
    bins_holding(&t.xlo[k * pw], &t.xhi[k * pw], pw, w, &qa, &qb);
    if (qa > qb) continue;
    for (int q = qa; q <= qb; ++q) weights[q - qa] = wx[static_cast<int64_t>(q) * t.width + w];
    for (int h = lo; h <= hi; ++h) {
      add_weighted_sum(cb, qb - qa + 1, weights, u + (static_cast<int64_t>(h - lo) * pw + qa) * cb, cb,
                       gwin + (static_cast<int64_t>(h - row0) * cols + (w - col0)) * cb);
    }
  }
}

// Scratch of the box gradient of one roi and channel block.
template <typename T>
struct BoxScratch {
  std::vector<T> rows, edges_x, column, edge_sums;
  BoxScratch(int max_rows, int pw)
      : rows(static_cast<size_t>(max_rows) * pw * kChannelBlock),
        edges_x(static_cast<size_t>(max_rows) * (pw + 1) * kChannelBlock),
        column(kChannelBlock),
        edge_sums(static_cast<size_t>(pw + 1) * kChannelBlock) {}
};

// Roi k's d loss / d (x1, y1, x2, y2) in feature-map units from channels [c0, c0 + cb), given its
// output-gradient block grad[p, q, c] and the features img.
template <typename T>
void box_gradient(const RoiTable<T>& t, int64_t k, const PixelView<T>& img, const T* grad, int64_t cb,
                  BoxScratch<T>& s, T* d) {
  const RoiGeometry<T>& g = t.geom[k];
  const int ph = t.ph, pw = t.pw;
  const int lo = t.row_lo[k], hi = t.row_hi[k];
  reduce_rows(t, k, img, cb, s.rows.data());
  // edges_x[h, e, c]: row h interpolated at the x position of bin edge e.
  const int* ex0 = &t.ex0[k * (pw + 1)];
  const T* ext = &t.ext[k * (pw + 1)];
  for (int h = lo; h <= hi; ++h) {
    for (int e = 0; e <= pw; ++e) {
      T* dst = s.edges_x.data() + (static_cast<int64_t>(h - lo) * (pw + 1) + e) * cb;
      const int i0 = ex0[e];
      // the stencil lies in the view, or off the map where the map is zero
      const bool left = img.has_column(i0), right = img.has_column(i0 + 1);
      const T stencil[2] = {T(1) - ext[e], ext[e]};
      if (left) {
        weighted_sum(cb, right ? 2 : 1, stencil, T(1), img.at(h, i0), img.pixel_stride, dst);
      } else if (right) {
        weighted_sum(cb, 1, stencil + 1, T(1), img.at(h, i0 + 1), img.pixel_stride, dst);
      } else {
        zero_block(cb, dst);
      }
    }
  }
  const T inv_area = T(1) / (g.bin_w * g.bin_h);
  const T* wy = t.wy_of(k);
  const int* ey0 = &t.ey0[k * (ph + 1)];
  const T* eyt = &t.eyt[k * (ph + 1)];
  const T* rows = s.rows.data();
  // Every quantity of bin_coordinate_grads is contracted with the output gradient over the
  // channels of the block (the formula is linear in them), so grad = 1 below.
  for (int p = 0; p < ph; ++p) {
    const T* wp = wy + static_cast<int64_t>(p) * t.height;
    const int ylo = t.ylo[k * ph + p], yhi = t.yhi[k * ph + p];
    if (ylo <= yhi) {
      // The x-edge columns summed over the bin row's rows (weights Wy[p, h]); edge e is the
      // right edge of bin e - 1 and the left edge of bin e, so each sum serves two bins.
      for (int e = 0; e <= pw; ++e)
        weighted_sum(cb, yhi - ylo + 1, wp + ylo, T(1),
                     s.edges_x.data() + (static_cast<int64_t>(ylo - lo) * (pw + 1) + e) * cb,
                     (pw + 1) * cb, s.edge_sums.data() + e * cb);
    }
    for (int q = 0; q < pw; ++q) {
      const T* gq = grad + (p * pw + q) * cb;
      T integral = T(0), gx_a = T(0), gx_b = T(0);
      if (ylo <= yhi) {
        // Sums over the bin's rows (weights Wy[p, h]), then contracted with the gradient.
        weighted_sum(cb, yhi - ylo + 1, wp + ylo, T(1),
                     rows + (static_cast<int64_t>(ylo - lo) * pw + q) * cb, pw * cb, s.column.data());
        integral = dot(cb, gq, s.column.data());
        gx_a = dot(cb, gq, s.edge_sums.data() + q * cb);
        gx_b = dot(cb, gq, s.edge_sums.data() + (q + 1) * cb);
      }
      // y edges: the column (rows . Wx)[:, q] interpolated at the top and bottom bin edges.
      T gy[2] = {T(0), T(0)};
      for (int e = 0; e < 2; ++e) {
        const int i0 = ey0[p + e];
        const T frac = eyt[p + e];
        if (i0 >= lo && i0 <= hi)
          gy[e] += (T(1) - frac) * dot(cb, gq, rows + (static_cast<int64_t>(i0 - lo) * pw + q) * cb);
        if (i0 + 1 >= lo && i0 + 1 <= hi)
          gy[e] += frac * dot(cb, gq, rows + (static_cast<int64_t>(i0 + 1 - lo) * pw + q) * cb);
      }
      bin_coordinate_grads(g, p, q, ph, pw, T(1), integral * inv_area, gx_a, gx_b, gy[0], gy[1], d);
    }
  }
}

// Buffers of one thread's backward tasks (only those that the wanted gradients need).
template <typename T>
struct BackwardScratch {
  std::vector<T> window, gwin, u, weights, grad;
  BoxScratch<T> box;
  explicit BackwardScratch(const BackwardArgs<T>& a)
      : box(a.partial != nullptr ? a.table->max_roi_rows() : 0, a.table->pw) {
    const RoiTable<T>& t = *a.table;
    const size_t window_size = static_cast<size_t>(t.max_image_window()) * kChannelBlock;
    const int max_rows = t.max_roi_rows();
    if (a.partial != nullptr && !a.channels_last) window.resize(window_size);
    if (a.grad_feat != nullptr) {
      gwin.resize(window_size);
      u.resize(static_cast<size_t>(max_rows) * t.pw * kChannelBlock);
      weights.resize(static_cast<size_t>(std::max(t.ph, t.pw)));
    }
    grad.resize(static_cast<size_t>(t.ph) * t.pw * kChannelBlock);
  }
};

// Backward of image b, channels [c0, c0 + cb) (block blk): the feature gradient of these planes
// and/or the box-gradient contributions of this block. CB as in forward_task.
template <typename T, int64_t CB>
void backward_task(const BackwardArgs<T>& a, int64_t b, int64_t blk, int64_t cb_given, BackwardScratch<T>& s) {
  const RoiTable<T>& t = *a.table;
  const int64_t cb = CB > 0 ? CB : cb_given;
  const int64_t c0 = blk * kChannelBlock;
  const int64_t bins = static_cast<int64_t>(t.ph) * t.pw;
  const int64_t blocks = channel_blocks(a.channels);
  const int64_t plane_size = static_cast<int64_t>(t.height) * t.width;
  const bool want_boxes = a.partial != nullptr, want_features = a.grad_feat != nullptr;
  const int row0 = t.image_row_lo[b], col0 = t.image_col_lo[b];
  const int rows = t.image_rows(b), cols = t.image_cols(b);
  PixelView<T> img{};
  if (want_boxes && rows > 0) img = image_view(a.feat, a.channels_last, a.channels, t, b, c0, cb, s.window.data());
  if (want_features) std::fill(s.gwin.begin(), s.gwin.begin() + static_cast<int64_t>(rows) * cols * cb, T(0));
  for (int64_t n = t.image_start[b]; n < t.image_start[b + 1]; ++n) {
    const int64_t k = t.order[n];
    T d[4] = {T(0), T(0), T(0), T(0)};
    if (t.active(k)) {
      load_grad_block(a.grad_out, k, a.channels, c0, cb, bins, s.grad.data());
      if (want_features)
        add_feature_gradient(t, k, s.grad.data(), cb, row0, col0, cols, s.u.data(), s.weights.data(), s.gwin.data());
      if (want_boxes) box_gradient(t, k, img, s.grad.data(), cb, s.box, d);
    }
    if (want_boxes) {
      for (int j = 0; j < 4; ++j) a.partial[(k * blocks + blk) * 4 + j] = d[j];
    }
  }
  if (want_features) {
    // This task owns these planes: it writes its window, transposed back to [C, H, W], and
    // zeros around the window (each element once).
    T* planes = a.grad_feat + (b * a.channels + c0) * plane_size;
    const int64_t width = t.width;
    for (int64_t c = 0; c < cb; ++c) {
      T* plane = planes + c * plane_size;
      if (rows == 0) {
        std::fill(plane, plane + plane_size, T(0));
        continue;
      }
      std::fill(plane, plane + row0 * width, T(0));
      for (int h = row0; h < row0 + rows; ++h) {
        std::fill(plane + h * width, plane + h * width + col0, T(0));
        std::fill(plane + h * width + col0 + cols, plane + (h + 1) * width, T(0));
      }
      std::fill(plane + (row0 + rows) * width, plane + plane_size, T(0));
    }
    for (int h = 0; h < rows; ++h) {
      transpose_copy(s.gwin.data() + static_cast<int64_t>(h) * cols * cb, cb, cols, static_cast<int>(cb),
                     planes + static_cast<int64_t>(row0 + h) * t.width + col0, plane_size);
    }
  }
}

// The backward tasks that `source` hands out (task = image * blocks + channel block).
template <typename T>
__attribute__((flatten)) void backward_tasks(const BackwardArgs<T>& a, TaskSource& source) {
  const int64_t blocks = channel_blocks(a.channels);
  BackwardScratch<T> scratch(a);
  for (int64_t task = source.take(); task >= 0; task = source.take()) {
    const int64_t b = task / blocks;
    const int64_t blk = task % blocks;
    const int64_t cb = std::min(kChannelBlock, a.channels - blk * kChannelBlock);
    if (cb == kChannelBlock) {
      backward_task<T, kChannelBlock>(a, b, blk, cb, scratch);
    } else {
      backward_task<T, 0>(a, b, blk, cb, scratch);
    }
  }
}

#undef PRROI_POOL_VECTORS
#undef PRROI_POOL_SHUFFLES
