// Precise RoI Pooling, CPU kernel (module prroi_pool._C).
//
// Exploits the separable structure: per roi, the bin weights of the x and y hat integrals are
// tabulated once (Wx [pw, W], Wy [ph, H], each bin with its small support); then the feature rows
// under the roi are reduced against Wx and the result against Wy. Each task copies the pixels
// under its roi, for a block of channels, channels-last into a small buffer, so that every inner
// loop runs over contiguous channels (vectorized) without converting the whole feature map.
// Work is split with at::parallel_for over images x channel blocks; a task runs through the rois
// of its image, whose feature planes then stay in cache (and no two threads write the same
// feature-gradient element).
#include <torch/extension.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

#include "prroi_pool_common.h"

namespace prroi_pool {
namespace {

// Tabulated weights of every roi (dense over the map width/height, with per-bin supports).
template <typename T>
struct RoiTable {
  int64_t num_rois = 0;
  int ph = 0, pw = 0, height = 0, width = 0;
  std::vector<RoiGeometry<T>> geom;  // [K]
  std::vector<T> wy, wx;             // [K, ph, H], [K, pw, W]: hat integrals of each bin
  std::vector<int> ylo, yhi;         // [K, ph]: support rows of each bin row
  std::vector<int> xlo, xhi;         // [K, pw]: support columns of each bin column
  std::vector<int> row_lo, row_hi;   // [K]: union of the row supports
  std::vector<int> col_lo, col_hi;   // [K]: union of the column supports
  std::vector<int> ey0, ex0;         // [K, ph+1], [K, pw+1]: stencil index of each bin edge
  std::vector<T> eyt, ext;           // [K, ph+1], [K, pw+1]: stencil fraction of each bin edge
  int64_t num_images = 0;
  std::vector<int64_t> order;        // roi indices grouped by image (stable)
  std::vector<int64_t> image_start;  // [B+1]: rois of image b are order[image_start[b]:image_start[b+1]]

  // Groups the rois by image; batch indices must have been checked.
  void group_by_image(int64_t batch) {
    num_images = batch;
    image_start.assign(batch + 1, 0);
    for (int64_t k = 0; k < num_rois; ++k) ++image_start[geom[k].batch + 1];
    for (int64_t b = 0; b < batch; ++b) image_start[b + 1] += image_start[b];
    order.resize(num_rois);
    std::vector<int64_t> next(image_start.begin(), image_start.end() - 1);
    for (int64_t k = 0; k < num_rois; ++k) order[next[geom[k].batch]++] = k;
  }

  const T* wy_of(int64_t k) const { return wy.data() + k * ph * height; }
  const T* wx_of(int64_t k) const { return wx.data() + k * pw * width; }
  // Largest rows x columns support of an active roi.
  int64_t max_window() const {
    int64_t m = 0;
    for (int64_t k = 0; k < num_rois; ++k) {
      if (active(k)) m = std::max<int64_t>(m, int64_t(row_hi[k] - row_lo[k] + 1) * (col_hi[k] - col_lo[k] + 1));
    }
    return m;
  }
  // Roi k has positive-area bins and its support meets the map (else all its results are 0).
  bool active(int64_t k) const {
    return geom[k].valid && row_lo[k] <= row_hi[k] && col_lo[k] <= col_hi[k];
  }
};

template <typename T>
void tabulate_axis(T start, T bin, int bins, int n, T* w, int* lo, int* hi, int* e0, T* et) {
  for (int b = 0; b < bins; ++b) {
    const T a = start + T(b) * bin;
    const T e = start + T(b + 1) * bin;
    integral_support(a, e, n, &lo[b], &hi[b]);
    T* wb = w + static_cast<int64_t>(b) * n;
    std::fill(wb, wb + n, T(0));
    for (int g = lo[b]; g <= hi[b]; ++g) wb[g] = hat_integral(a, e, g);
  }
  for (int b = 0; b <= bins; ++b) interp_stencil(start + T(b) * bin, n, &e0[b], &et[b]);
}

// [lo, hi] = union of the non-empty supports [los[b], his[b]]; lo > hi when all are empty.
inline void support_union(const int* los, const int* his, int bins, int n, int* lo, int* hi) {
  *lo = n;
  *hi = -1;
  for (int b = 0; b < bins; ++b) {
    if (los[b] > his[b]) continue;
    *lo = std::min(*lo, los[b]);
    *hi = std::max(*hi, his[b]);
  }
}

template <typename T>
RoiTable<T> make_table(const T* rois, int64_t num_rois, T spatial_scale, int ph, int pw,
                       int height, int width) {
  RoiTable<T> t;
  t.num_rois = num_rois;
  t.ph = ph;
  t.pw = pw;
  t.height = height;
  t.width = width;
  t.geom.resize(num_rois);
  t.wy.resize(num_rois * ph * height);
  t.wx.resize(num_rois * pw * width);
  t.ylo.resize(num_rois * ph);
  t.yhi.resize(num_rois * ph);
  t.xlo.resize(num_rois * pw);
  t.xhi.resize(num_rois * pw);
  t.row_lo.resize(num_rois);
  t.row_hi.resize(num_rois);
  t.col_lo.resize(num_rois);
  t.col_hi.resize(num_rois);
  t.ey0.resize(num_rois * (ph + 1));
  t.ex0.resize(num_rois * (pw + 1));
  t.eyt.resize(num_rois * (ph + 1));
  t.ext.resize(num_rois * (pw + 1));
  for (int64_t k = 0; k < num_rois; ++k) {
    const RoiGeometry<T> g = roi_geometry(rois + k * 5, spatial_scale, ph, pw);
    t.geom[k] = g;
    tabulate_axis(g.y1, g.bin_h, ph, height, t.wy.data() + k * ph * height, &t.ylo[k * ph],
                  &t.yhi[k * ph], &t.ey0[k * (ph + 1)], &t.eyt[k * (ph + 1)]);
    tabulate_axis(g.x1, g.bin_w, pw, width, t.wx.data() + k * pw * width, &t.xlo[k * pw],
                  &t.xhi[k * pw], &t.ex0[k * (pw + 1)], &t.ext[k * (pw + 1)]);
    support_union(&t.ylo[k * ph], &t.yhi[k * ph], ph, height, &t.row_lo[k], &t.row_hi[k]);
    support_union(&t.xlo[k * pw], &t.xhi[k * pw], pw, width, &t.col_lo[k], &t.col_hi[k]);
  }
  return t;
}

// Work unit of the kernels: a block of consecutive channels, the innermost (vectorized) axis of
// every inner loop. Features are read in channels-last layout [B, H, W, C].
constexpr int64_t kChannelBlock = 32;

template <typename T>
inline void axpy(int64_t n, T a, const T* __restrict__ x, T* __restrict__ y) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// Dot product with independent partial sums, so that the compiler can vectorize it without
// reassociating a single running sum.
template <typename T>
inline T dot(int64_t n, const T* __restrict__ x, const T* __restrict__ y) {
  constexpr int kLanes = 8;
  T part[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) part[j] += x[i + j] * y[i + j];
  }
  T s = T(0);
  for (; i < n; ++i) s += x[i] * y[i];
  for (int j = 0; j < kLanes; ++j) s += part[j];
  return s;
}

// dst[c] = scale * sum_j weights[j] * src[j * stride + c] for c < n (n <= kChannelBlock), with
// the sums held in a register-sized accumulator per chunk of channels.
template <typename T>
inline void weighted_sum(int64_t n, int count, const T* __restrict__ weights, T scale,
                         const T* __restrict__ src, int64_t stride, T* __restrict__ dst) {
  constexpr int64_t kChunk = 8;
  int64_t c0 = 0;
  for (; c0 + kChunk <= n; c0 += kChunk) {
    T acc[kChunk] = {};
    for (int j = 0; j < count; ++j) {
      const T wv = weights[j];
      const T* s = src + j * stride + c0;
      for (int64_t i = 0; i < kChunk; ++i) acc[i] += wv * s[i];
    }
    for (int64_t i = 0; i < kChunk; ++i) dst[c0 + i] = scale * acc[i];
  }
  for (; c0 < n; ++c0) {
    T acc = T(0);
    for (int j = 0; j < count; ++j) acc += weights[j] * src[j * stride + c0];
    dst[c0] = scale * acc;
  }
}

// Channel block [c0, c0 + cb) of the pixels under one roi, copied channels-last into a small
// buffer: pixel (h, w) of the roi's support window at data + ((h - row0) * cols + w - col0) * cb.
template <typename T>
struct Window {
  const T* data;
  int row0, col0, cols;
  int64_t cb;
  const T* pixel(int h, int w) const {
    return data + (static_cast<int64_t>(h - row0) * cols + (w - col0)) * cb;
  }
  bool has_column(int w) const { return w >= col0 && w < col0 + cols; }
};

// Copies channels [c0, c0 + cb) of one image under the support window of roi k to buffer. The
// image is [C, H, W], or [H, W, C] when channels_last (then each pixel's block is one copy).
template <typename T>
Window<T> gather_window(const T* image, bool channels_last, int64_t channels,
                        const RoiTable<T>& t, int64_t k, int64_t c0, int64_t cb, T* buffer) {
  const Window<T> win{buffer, t.row_lo[k], t.col_lo[k], t.col_hi[k] - t.col_lo[k] + 1, cb};
  if (channels_last) {
    for (int h = t.row_lo[k]; h <= t.row_hi[k]; ++h) {
      const T* src = image + (static_cast<int64_t>(h) * t.width + win.col0) * channels + c0;
      T* dst = buffer + static_cast<int64_t>(h - win.row0) * win.cols * cb;
      for (int w = 0; w < win.cols; ++w) std::copy(src + w * channels, src + w * channels + cb, dst + w * cb);
    }
    return win;
  }
  const int64_t plane_size = static_cast<int64_t>(t.height) * t.width;
  for (int64_t c = 0; c < cb; ++c) {
    const T* plane = image + (c0 + c) * plane_size;
    for (int h = t.row_lo[k]; h <= t.row_hi[k]; ++h) {
      const T* src = plane + static_cast<int64_t>(h) * t.width + win.col0;
      T* dst = buffer + static_cast<int64_t>(h - win.row0) * win.cols * cb + c;
      for (int w = 0; w < win.cols; ++w) dst[w * cb] = src[w];
    }
  }
  return win;
}

// rows[((h - row_lo) * pw + q) * cb + c] = sum_w F[c0 + c, h, w] * Wx[q, w] for the rows of roi k.
template <typename T>
void reduce_rows(const RoiTable<T>& t, int64_t k, const Window<T>& img, T* rows) {
  const T* wx = t.wx_of(k);
  const int* xlo = &t.xlo[k * t.pw];
  const int* xhi = &t.xhi[k * t.pw];
  for (int h = t.row_lo[k]; h <= t.row_hi[k]; ++h) {
    for (int q = 0; q < t.pw; ++q) {
      T* dst = rows + (static_cast<int64_t>(h - t.row_lo[k]) * t.pw + q) * img.cb;
      if (xlo[q] > xhi[q]) {
        std::fill(dst, dst + img.cb, T(0));
        continue;
      }
      weighted_sum(img.cb, xhi[q] - xlo[q] + 1, wx + static_cast<int64_t>(q) * t.width + xlo[q], T(1),
                   img.pixel(h, xlo[q]), img.cb, dst);
    }
  }
}

template <typename T>
void check_batch_index(const RoiGeometry<T>& g, int64_t batch) {
  TORCH_CHECK(g.batch >= 0 && g.batch < batch, "prroi_pool (C++): roi batch index ", g.batch,
              " out of range for ", batch, " feature maps");
}

template <typename T>
void check_batch_indices(const RoiTable<T>& t, int64_t batch) {
  for (int64_t k = 0; k < t.num_rois; ++k) check_batch_index(t.geom[k], batch);
}

inline int64_t channel_blocks(int64_t channels) {
  return (channels + kChannelBlock - 1) / kChannelBlock;
}

// Grain size of at::parallel_for for tasks of about `task_work` multiply-adds each: small inputs
// stay on one thread, where a parallel region would cost more than it saves.
inline int64_t grain_for(int64_t task_work) {
  constexpr int64_t kMinChunkWork = 1 << 15;
  return std::max<int64_t>(1, kMinChunkWork / std::max<int64_t>(1, task_work));
}

// Approximate multiply-adds of one (roi, channel block) task: every bin touches ~4 x 4 pixels.
inline int64_t roi_task_work(int64_t channels, int64_t bins) {
  return std::min(channels, kChannelBlock) * bins * 16;
}

// feat: [B, C, H, W] (or [B, H, W, C] when channels_last); out: [K, C, ph, pw].
template <typename T>
void forward_impl(const T* feat, bool channels_last, const RoiTable<T>& t, int64_t channels, T* out) {
  const int64_t image_size = static_cast<int64_t>(t.height) * t.width * channels;
  const int64_t bins = static_cast<int64_t>(t.ph) * t.pw;
  const int64_t blocks = channel_blocks(channels);
  const int64_t grain = grain_for(roi_task_work(channels, bins) * t.num_rois / std::max<int64_t>(1, t.num_images));
  const int64_t max_window = t.max_window();
  at::parallel_for(0, t.num_images * blocks, grain, [&](int64_t begin, int64_t end) {
    std::vector<T> window(static_cast<size_t>(max_window) * kChannelBlock);
    std::vector<T> rows(static_cast<size_t>(t.height) * t.pw * kChannelBlock);
    std::vector<T> acc(static_cast<size_t>(bins) * kChannelBlock);
    for (int64_t task = begin; task < end; ++task) {
     const int64_t b = task / blocks;
     const int64_t c0 = (task % blocks) * kChannelBlock;
     const int64_t cb = std::min(kChannelBlock, channels - c0);
     for (int64_t n = t.image_start[b]; n < t.image_start[b + 1]; ++n) {
      const int64_t k = t.order[n];
      const RoiGeometry<T>& g = t.geom[k];
      std::fill(acc.begin(), acc.end(), T(0));
      if (t.active(k)) {
        const Window<T> img = gather_window(feat + g.batch * image_size, channels_last, channels, t,
                                            k, c0, cb, window.data());
        reduce_rows(t, k, img, rows.data());
        const T inv_area = T(1) / (g.bin_w * g.bin_h);
        const T* wy = t.wy_of(k);
        for (int p = 0; p < t.ph; ++p) {
          const int ylo = t.ylo[k * t.ph + p], yhi = t.yhi[k * t.ph + p];
          if (ylo > yhi) continue;
          for (int q = 0; q < t.pw; ++q) {
            weighted_sum(cb, yhi - ylo + 1, wy + static_cast<int64_t>(p) * t.height + ylo, inv_area,
                         rows.data() + (static_cast<int64_t>(ylo - t.row_lo[k]) * t.pw + q) * cb,
                         t.pw * cb, acc.data() + (p * t.pw + q) * cb);
          }
        }
      }
      for (int64_t c = 0; c < cb; ++c) {
        T* o = out + (k * channels + c0 + c) * bins;
        for (int64_t j = 0; j < bins; ++j) o[j] = acc[j * cb + c];
      }
     }
    }
  });
}

// Loads grad_out[k, c0:c0+cb, :, :] * scale into dst[(p * pw + q) * cb + c].
template <typename T>
void load_grad_block(const T* grad_out, int64_t k, int64_t channels, int64_t c0, int64_t cb,
                     int64_t bins, T scale, T* dst) {
  for (int64_t c = 0; c < cb; ++c) {
    const T* go = grad_out + (k * channels + c0 + c) * bins;
    for (int64_t j = 0; j < bins; ++j) dst[j * cb + c] = go[j] * scale;
  }
}

// grad_out: [K, C, ph, pw]; grad_feat: [B, C, H, W], written entirely (zeroed, then accumulated).
template <typename T>
void backward_features_impl(const T* grad_out, const RoiTable<T>& t, int64_t channels, T* grad_feat) {
  const int64_t plane_size = static_cast<int64_t>(t.height) * t.width;
  const int64_t bins = static_cast<int64_t>(t.ph) * t.pw;
  // One (image, channel block) per task: its rois are handled by one thread (no races).
  const int64_t grain = grain_for(roi_task_work(channels, bins) * t.num_rois / std::max<int64_t>(1, t.num_images));
  const int64_t max_window = t.max_window();
  const int64_t blocks = channel_blocks(channels);
  at::parallel_for(0, t.num_images * blocks, grain, [&](int64_t begin, int64_t end) {
    std::vector<T> grad(static_cast<size_t>(bins) * kChannelBlock);
    std::vector<T> u(static_cast<size_t>(t.height) * t.pw * kChannelBlock);
    std::vector<T> window(static_cast<size_t>(max_window) * kChannelBlock);
    for (int64_t task = begin; task < end; ++task) {
      const int64_t b = task / blocks;
      const int64_t c0 = (task % blocks) * kChannelBlock;
      const int64_t cb = std::min(kChannelBlock, channels - c0);
      // This task owns these planes: zero them here, in parallel, rather than in one serial pass.
      T* planes = grad_feat + (b * channels + c0) * plane_size;
      std::fill(planes, planes + cb * plane_size, T(0));
      for (int64_t n = t.image_start[b]; n < t.image_start[b + 1]; ++n) {
        const int64_t k = t.order[n];
        const RoiGeometry<T>& g = t.geom[k];
        const int lo = t.row_lo[k], hi = t.row_hi[k];
        if (!t.active(k)) continue;
        load_grad_block(grad_out, k, channels, c0, cb, bins, T(1) / (g.bin_w * g.bin_h), grad.data());
        // u[h, q, c] = sum_p Wy[p, h] * grad[p, q, c] / area
        std::fill(u.begin(), u.begin() + static_cast<int64_t>(hi - lo + 1) * t.pw * cb, T(0));
        const T* wy = t.wy_of(k);
        for (int p = 0; p < t.ph; ++p) {
          const T* wp = wy + static_cast<int64_t>(p) * t.height;
          for (int h = t.ylo[k * t.ph + p]; h <= t.yhi[k * t.ph + p]; ++h) {
            T* uh = u.data() + static_cast<int64_t>(h - lo) * t.pw * cb;
            for (int q = 0; q < t.pw; ++q)
              axpy(cb, wp[h], grad.data() + (p * t.pw + q) * cb, uh + q * cb);
          }
        }
        // window[h, w, c] = sum_q u[h, q, c] * Wx[q, w] over the roi's rows and columns, then
        // added to the [B, C, H, W] gradient with contiguous writes along w.
        const int clo = t.col_lo[k], cols = t.col_hi[k] - clo + 1;
        const int64_t window_size = static_cast<int64_t>(hi - lo + 1) * cols * cb;
        std::fill(window.begin(), window.begin() + window_size, T(0));
        const T* wx = t.wx_of(k);
        const int* xlo = &t.xlo[k * t.pw];
        const int* xhi = &t.xhi[k * t.pw];
        for (int h = lo; h <= hi; ++h) {
          const T* uh = u.data() + static_cast<int64_t>(h - lo) * t.pw * cb;
          T* wrow = window.data() + static_cast<int64_t>(h - lo) * cols * cb;
          for (int q = 0; q < t.pw; ++q) {
            const T* wq = wx + static_cast<int64_t>(q) * t.width;
            for (int w = xlo[q]; w <= xhi[q]; ++w) axpy(cb, wq[w], uh + q * cb, wrow + (w - clo) * cb);
          }
        }
        T* base = grad_feat + (g.batch * channels + c0) * plane_size + static_cast<int64_t>(lo) * t.width + clo;
        for (int64_t c = 0; c < cb; ++c) {
          for (int h = 0; h <= hi - lo; ++h) {
            T* dst = base + c * plane_size + static_cast<int64_t>(h) * t.width;
            const T* src = window.data() + static_cast<int64_t>(h) * cols * cb + c;
            for (int w = 0; w < cols; ++w) dst[w] += src[w * cb];
          }
        }
      }
    }
  });
}

// grad_out: [K, C, ph, pw]; feat: [B, C, H, W] (or [B, H, W, C] when channels_last);
// grad_rois: [K, 5].
template <typename T>
void backward_rois_impl(const T* grad_out, const T* feat, bool channels_last, const RoiTable<T>& t,
                        int64_t channels, T spatial_scale, T* grad_rois) {
  const int64_t image_size = static_cast<int64_t>(t.height) * t.width * channels;
  const int64_t bins = static_cast<int64_t>(t.ph) * t.pw;
  const int64_t blocks = channel_blocks(channels);
  const int ph = t.ph, pw = t.pw;
  // partial[(k * blocks + blk) * 4 + j]: contribution of a channel block to d loss / d coord j.
  std::vector<T> partial(static_cast<size_t>(t.num_rois * blocks * 4), T(0));
  const int64_t grain = grain_for(3 * roi_task_work(channels, bins) * t.num_rois / std::max<int64_t>(1, t.num_images));
  const int64_t max_window = t.max_window();
  at::parallel_for(0, t.num_images * blocks, grain, [&](int64_t begin, int64_t end) {
    std::vector<T> window(static_cast<size_t>(max_window) * kChannelBlock);
    std::vector<T> rows(static_cast<size_t>(t.height) * pw * kChannelBlock);
    std::vector<T> edges_x(static_cast<size_t>(t.height) * (pw + 1) * kChannelBlock);
    std::vector<T> grad(static_cast<size_t>(bins) * kChannelBlock);
    std::vector<T> column(kChannelBlock);
    std::vector<T> edge_sums(static_cast<size_t>(pw + 1) * kChannelBlock);
    for (int64_t task = begin; task < end; ++task) {
     const int64_t b = task / blocks;
     const int64_t blk = task % blocks;
     const int64_t c0 = blk * kChannelBlock;
     const int64_t cb = std::min(kChannelBlock, channels - c0);
     for (int64_t n = t.image_start[b]; n < t.image_start[b + 1]; ++n) {
      const int64_t k = t.order[n];
      const RoiGeometry<T>& g = t.geom[k];
      const int lo = t.row_lo[k], hi = t.row_hi[k];
      if (!t.active(k)) continue;
      const Window<T> img = gather_window(feat + g.batch * image_size, channels_last, channels, t,
                                          k, c0, cb, window.data());
      reduce_rows(t, k, img, rows.data());
      // edges_x[h, e, c]: row h interpolated at the x position of bin edge e.
      const int* ex0 = &t.ex0[k * (pw + 1)];
      const T* ext = &t.ext[k * (pw + 1)];
      for (int h = lo; h <= hi; ++h) {
        for (int e = 0; e <= pw; ++e) {
          T* dst = edges_x.data() + (static_cast<int64_t>(h - lo) * (pw + 1) + e) * cb;
          std::fill(dst, dst + cb, T(0));
          const int i0 = ex0[e];
          // the stencil lies in the window, or off the map where the map is zero
          if (img.has_column(i0)) axpy(cb, T(1) - ext[e], img.pixel(h, i0), dst);
          if (img.has_column(i0 + 1)) axpy(cb, ext[e], img.pixel(h, i0 + 1), dst);
        }
      }
      load_grad_block(grad_out, k, channels, c0, cb, bins, T(1), grad.data());
      const T inv_area = T(1) / (g.bin_w * g.bin_h);
      const T* wy = t.wy_of(k);
      const int* ey0 = &t.ey0[k * (ph + 1)];
      const T* eyt = &t.eyt[k * (ph + 1)];
      // Every quantity of bin_coordinate_grads is contracted with the output gradient over the
      // channels of the block (the formula is linear in them), so grad = 1 below.
      T d[4] = {T(0), T(0), T(0), T(0)};
      for (int p = 0; p < ph; ++p) {
        const T* wp = wy + static_cast<int64_t>(p) * t.height;
        const int ylo = t.ylo[k * ph + p], yhi = t.yhi[k * ph + p];
        if (ylo <= yhi) {
          // The x-edge columns summed over the bin row's rows (weights Wy[p, h]); edge e is the
          // right edge of bin e - 1 and the left edge of bin e, so each sum serves two bins.
          for (int e = 0; e <= pw; ++e)
            weighted_sum(cb, yhi - ylo + 1, wp + ylo, T(1),
                         edges_x.data() + (static_cast<int64_t>(ylo - lo) * (pw + 1) + e) * cb,
                         (pw + 1) * cb, edge_sums.data() + e * cb);
        }
        for (int q = 0; q < pw; ++q) {
          const T* gq = grad.data() + (p * pw + q) * cb;
          T integral = T(0), gx_a = T(0), gx_b = T(0);
          if (ylo <= yhi) {
            // Sums over the bin's rows (weights Wy[p, h]), then contracted with the gradient.
            weighted_sum(cb, yhi - ylo + 1, wp + ylo, T(1),
                         rows.data() + (static_cast<int64_t>(ylo - lo) * pw + q) * cb, pw * cb,
                         column.data());
            integral = dot(cb, gq, column.data());
            gx_a = dot(cb, gq, edge_sums.data() + q * cb);
            gx_b = dot(cb, gq, edge_sums.data() + (q + 1) * cb);
          }
          // y edges: the column (rows . Wx)[:, q] interpolated at the top and bottom bin edges.
          T gy[2] = {T(0), T(0)};
          for (int s = 0; s < 2; ++s) {
            const int i0 = ey0[p + s];
            const T frac = eyt[p + s];
            if (i0 >= lo && i0 <= hi)
              gy[s] += (T(1) - frac) * dot(cb, gq, rows.data() + (static_cast<int64_t>(i0 - lo) * pw + q) * cb);
            if (i0 + 1 >= lo && i0 + 1 <= hi)
              gy[s] += frac * dot(cb, gq, rows.data() + (static_cast<int64_t>(i0 + 1 - lo) * pw + q) * cb);
          }
          bin_coordinate_grads(g, p, q, ph, pw, T(1), integral * inv_area, gx_a, gx_b, gy[0], gy[1], d);
        }
      }
      for (int j = 0; j < 4; ++j) partial[(k * blocks + blk) * 4 + j] = d[j];
     }
    }
  });
  for (int64_t k = 0; k < t.num_rois; ++k) {
    T* gr = grad_rois + k * 5;
    gr[0] = T(0);
    for (int j = 0; j < 4; ++j) {
      T s = T(0);
      for (int64_t blk = 0; blk < blocks; ++blk) s += partial[(k * blocks + blk) * 4 + j];
      gr[j + 1] = s * spatial_scale;
    }
  }
}

void check_common(const at::Tensor& rois, int64_t pooled_h, int64_t pooled_w) {
  TORCH_CHECK(rois.device().is_cpu(), "prroi_pool (C++): rois must be a CPU tensor");
  TORCH_CHECK(rois.dim() == 2 && rois.size(1) == 5,
              "prroi_pool (C++): rois must have shape [K, 5], got ", rois.sizes());
  TORCH_CHECK(pooled_h > 0 && pooled_w > 0, "prroi_pool (C++): pooled size must be positive, got ",
              pooled_h, "x", pooled_w);
}

// The features as the kernels read them, copied only when needed: NCHW-contiguous and
// channels-last (what a channels-last CPU backbone produces) are both read in place.
at::Tensor readable_features(const at::Tensor& features, bool* channels_last) {
  *channels_last = false;
  if (features.is_contiguous()) return features;
  if (features.is_contiguous(at::MemoryFormat::ChannelsLast)) {
    *channels_last = true;
    return features;
  }
  return features.contiguous();
}

void check_features(const at::Tensor& features, const at::Tensor& rois, const char* name) {
  TORCH_CHECK(features.device().is_cpu(), "prroi_pool (C++): ", name, " must be a CPU tensor");
  TORCH_CHECK(features.dim() == 4, "prroi_pool (C++): ", name, " must have shape [B, C, H, W], got ",
              features.sizes());
  TORCH_CHECK(features.scalar_type() == rois.scalar_type(), "prroi_pool (C++): ", name, " dtype ",
              features.scalar_type(), " differs from rois dtype ", rois.scalar_type());
}

}  // namespace

namespace {

template <typename T>
RoiTable<T> table_for(const at::Tensor& rois, double spatial_scale, int64_t pooled_h,
                      int64_t pooled_w, int64_t batch, int64_t height, int64_t width) {
  RoiTable<T> t = make_table(rois.data_ptr<T>(), rois.size(0), static_cast<T>(spatial_scale),
                             static_cast<int>(pooled_h), static_cast<int>(pooled_w),
                             static_cast<int>(height), static_cast<int>(width));
  check_batch_indices(t, batch);
  t.group_by_image(batch);
  return t;
}

}  // namespace

at::Tensor prroi_pool_forward_cpu(const at::Tensor& features, const at::Tensor& rois_in,
                                  int64_t pooled_h, int64_t pooled_w, double spatial_scale) {
  check_common(rois_in, pooled_h, pooled_w);
  check_features(features, rois_in, "features");
  const at::Tensor rois = rois_in.contiguous();
  bool channels_last = false;
  const at::Tensor feat = readable_features(features, &channels_last);
  const int64_t channels = features.size(1);
  at::Tensor out = at::empty({rois.size(0), channels, pooled_h, pooled_w}, features.options());
  AT_DISPATCH_FLOATING_TYPES(features.scalar_type(), "prroi_pool_forward_cpu", [&] {
    const RoiTable<scalar_t> t = table_for<scalar_t>(rois, spatial_scale, pooled_h, pooled_w,
                                                     features.size(0), features.size(2),
                                                     features.size(3));
    forward_impl(feat.data_ptr<scalar_t>(), channels_last, t, channels, out.data_ptr<scalar_t>());
  });
  return out;
}

at::Tensor prroi_pool_backward_features_cpu(const at::Tensor& grad_out_in, const at::Tensor& rois_in,
                                            int64_t batch, int64_t channels, int64_t height,
                                            int64_t width, double spatial_scale) {
  TORCH_CHECK(grad_out_in.dim() == 4, "prroi_pool (C++): grad_output must have shape [K, C, ph, pw]");
  const int64_t pooled_h = grad_out_in.size(2), pooled_w = grad_out_in.size(3);
  check_common(rois_in, pooled_h, pooled_w);
  check_features(grad_out_in, rois_in, "grad_output");
  TORCH_CHECK(grad_out_in.size(0) == rois_in.size(0) && grad_out_in.size(1) == channels,
              "prroi_pool (C++): grad_output shape ", grad_out_in.sizes(), " does not match ",
              rois_in.size(0), " rois and ", channels, " channels");
  const at::Tensor grad_out = grad_out_in.contiguous();
  const at::Tensor rois = rois_in.contiguous();
  at::Tensor grad_feat = at::empty({batch, channels, height, width}, grad_out.options());
  AT_DISPATCH_FLOATING_TYPES(grad_out.scalar_type(), "prroi_pool_backward_features_cpu", [&] {
    const RoiTable<scalar_t> t =
        table_for<scalar_t>(rois, spatial_scale, pooled_h, pooled_w, batch, height, width);
    backward_features_impl(grad_out.data_ptr<scalar_t>(), t, channels, grad_feat.data_ptr<scalar_t>());
  });
  return grad_feat;
}

at::Tensor prroi_pool_backward_rois_cpu(const at::Tensor& grad_out_in, const at::Tensor& features,
                                        const at::Tensor& rois_in, double spatial_scale) {
  TORCH_CHECK(grad_out_in.dim() == 4, "prroi_pool (C++): grad_output must have shape [K, C, ph, pw]");
  const int64_t pooled_h = grad_out_in.size(2), pooled_w = grad_out_in.size(3);
  check_common(rois_in, pooled_h, pooled_w);
  check_features(features, rois_in, "features");
  check_features(grad_out_in, rois_in, "grad_output");
  TORCH_CHECK(grad_out_in.size(0) == rois_in.size(0) && grad_out_in.size(1) == features.size(1),
              "prroi_pool (C++): grad_output shape ", grad_out_in.sizes(), " does not match ",
              rois_in.size(0), " rois and ", features.size(1), " channels");
  const at::Tensor grad_out = grad_out_in.contiguous();
  bool channels_last = false;
  const at::Tensor feat = readable_features(features, &channels_last);
  const at::Tensor rois = rois_in.contiguous();
  at::Tensor grad_rois = at::empty({rois.size(0), 5}, rois.options());
  AT_DISPATCH_FLOATING_TYPES(features.scalar_type(), "prroi_pool_backward_rois_cpu", [&] {
    const RoiTable<scalar_t> t = table_for<scalar_t>(rois, spatial_scale, pooled_h, pooled_w,
                                                     features.size(0), features.size(2),
                                                     features.size(3));
    backward_rois_impl(grad_out.data_ptr<scalar_t>(), feat.data_ptr<scalar_t>(), channels_last, t,
                       features.size(1), static_cast<scalar_t>(spatial_scale),
                       grad_rois.data_ptr<scalar_t>());
  });
  return grad_rois;
}

}  // namespace prroi_pool

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "Precise RoI Pooling, CPU kernel";
  m.def("forward", &prroi_pool::prroi_pool_forward_cpu, "PrRoIPool forward (CPU)",
        py::arg("features"), py::arg("rois"), py::arg("pooled_height"), py::arg("pooled_width"),
        py::arg("spatial_scale"));
  m.def("backward_features", &prroi_pool::prroi_pool_backward_features_cpu,
        "PrRoIPool gradient w.r.t. the features (CPU)", py::arg("grad_output"), py::arg("rois"),
        py::arg("batch"), py::arg("channels"), py::arg("height"), py::arg("width"),
        py::arg("spatial_scale"));
  m.def("backward_rois", &prroi_pool::prroi_pool_backward_rois_cpu,
        "PrRoIPool gradient w.r.t. the roi coordinates (CPU)", py::arg("grad_output"),
        py::arg("features"), py::arg("rois"), py::arg("spatial_scale"));
}
