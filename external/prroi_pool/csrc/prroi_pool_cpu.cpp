// Precise RoI Pooling, CPU kernel (module prroi_pool._C).
//
// Exploits the separable structure: per roi, the bin weights of the x and y hat integrals are
// tabulated once (Wx [pw, W], Wy [ph, H], each bin with its small support); then the feature rows
// under the roi are reduced against Wx and the result against Wy.
//
// Work is split with at::parallel_for over images x blocks of channels. A task first reads its
// channel block of the part of the image that its rois cover channels-last into a small buffer
// (once for all of that image's rois; channels-last features are read in place), so that every
// inner loop runs over contiguous channels (vectorized). The backward pass is one entry point
// that computes the feature gradient and/or the box gradient in one parallel region: tables,
// output-gradient blocks and feature windows are built once for both. The feature gradient of a
// task is accumulated channels-last over the same window and written out once; no two tasks
// write the same feature-gradient element.
//
// The task bodies (prroi_pool_cpu_kernels.h) are compiled twice: generic (16-byte vectors) and,
// on x86-64 with GCC, for AVX2 + FMA (32-byte vectors); that copy runs when the processor has
// both (checked once at run time).
#include <torch/extension.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <tuple>
#include <vector>

#include "prroi_pool_common.h"

namespace prroi_pool {
namespace {

// ---------------------------------------------------------------------------------------------
// Roi tables

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
  // [B]: rows x columns of image b under any of its active rois (empty when lo > hi)
  std::vector<int> image_row_lo, image_row_hi, image_col_lo, image_col_hi;

  const T* wy_of(int64_t k) const { return wy.data() + k * ph * height; }
  const T* wx_of(int64_t k) const { return wx.data() + k * pw * width; }
  // Roi k has positive-area bins and its support meets the map (else all its results are 0).
  bool active(int64_t k) const {
    return geom[k].valid && row_lo[k] <= row_hi[k] && col_lo[k] <= col_hi[k];
  }
  int image_rows(int64_t b) const { return std::max(0, image_row_hi[b] - image_row_lo[b] + 1); }
  int image_cols(int64_t b) const { return std::max(0, image_col_hi[b] - image_col_lo[b] + 1); }
  // Largest rows x columns window of an image.
  int64_t max_image_window() const {
    int64_t m = 0;
    for (int64_t b = 0; b < num_images; ++b) m = std::max<int64_t>(m, int64_t(image_rows(b)) * image_cols(b));
    return m;
  }
  // Most support rows of one roi.
  int max_roi_rows() const {
    int m = 0;
    for (int64_t k = 0; k < num_rois; ++k) m = std::max(m, row_hi[k] - row_lo[k] + 1);
    return m;
  }

  // Groups the rois by image and bounds each image's window; batch indices must have been checked.
  void group_by_image(int64_t batch) {
    num_images = batch;
    image_start.assign(batch + 1, 0);
    for (int64_t k = 0; k < num_rois; ++k) ++image_start[geom[k].batch + 1];
    for (int64_t b = 0; b < batch; ++b) image_start[b + 1] += image_start[b];
    order.resize(num_rois);
    std::vector<int64_t> next(image_start.begin(), image_start.end() - 1);
    for (int64_t k = 0; k < num_rois; ++k) order[next[geom[k].batch]++] = k;
    image_row_lo.assign(batch, height);
    image_row_hi.assign(batch, -1);
    image_col_lo.assign(batch, width);
    image_col_hi.assign(batch, -1);
    for (int64_t k = 0; k < num_rois; ++k) {
      if (!active(k)) continue;
      const int64_t b = geom[k].batch;
      image_row_lo[b] = std::min(image_row_lo[b], row_lo[k]);
      image_row_hi[b] = std::max(image_row_hi[b], row_hi[k]);
      image_col_lo[b] = std::min(image_col_lo[b], col_lo[k]);
      image_col_hi[b] = std::max(image_col_hi[b], col_hi[k]);
    }
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

// Every batch index must be an integer in [0, batch): checked here, so that callers need not.
template <typename T>
void check_batch_indices(const T* rois, int64_t num_rois, int64_t batch) {
  for (int64_t k = 0; k < num_rois; ++k) {
    const T v = rois[k * 5];
    TORCH_CHECK(std::isfinite(v) && v == std::floor(v), "prroi_pool (C++): rois[", k, ", 0] = ", v,
                " is not an integer batch index");
    TORCH_CHECK(v >= T(0) && v < static_cast<T>(batch), "prroi_pool (C++): roi batch index ", v,
                " out of range for ", batch, " feature maps (rois[", k, ", 0])");
  }
}

// ---------------------------------------------------------------------------------------------
// Work split

// Work unit of the kernels: a block of consecutive channels, the innermost (vectorized) axis of
// every inner loop.
constexpr int64_t kChannelBlock = 32;

inline int64_t channel_blocks(int64_t channels) {
  return (channels + kChannelBlock - 1) / kChannelBlock;
}

// Thresholds on the work of a call (multiply-adds, as task_work estimates them). From
// kMinSharedWork on, a call is spread over threads. at::parallel_for is used only when every
// chunk gets kMinParallelChunkWork: its parallel region returns when all its threads have been
// scheduled and done, which costs microseconds on an idle machine but up to a scheduler time
// slice (milliseconds) on a busy one, while a tracking-size call (1 image, ~10 rois) takes
// 0.05-0.3 ms on one thread. Calls between the two share their tasks with run_tasks' helpers.
constexpr int64_t kMinSharedWork = 1 << 20;
constexpr int64_t kMinParallelChunkWork = 1 << 22;

// Approximate multiply-adds of one (image, channel block) task: every bin of every roi touches
// ~4 x 4 pixels.
template <typename T>
int64_t task_work(const RoiTable<T>& t, int64_t channels) {
  const int64_t bins = static_cast<int64_t>(t.ph) * t.pw;
  return std::min(channels, kChannelBlock) * bins * 16 * t.num_rois / std::max<int64_t>(1, t.num_images);
}

// ---------------------------------------------------------------------------------------------
// Arguments of the task bodies

template <typename T>
struct ForwardArgs {
  const T* feat;  // [B, C, H, W], or [B, H, W, C] when channels_last
  bool channels_last;
  const RoiTable<T>* table;
  int64_t channels;
  T* out;  // [K, C, ph, pw]
};

template <typename T>
struct BackwardArgs {
  const T* grad_out;  // [K, C, ph, pw], contiguous
  const T* feat;      // [B, C, H, W] (or [B, H, W, C] when channels_last); needed for grad_rois
  bool channels_last;
  const RoiTable<T>* table;
  int64_t channels;
  T* grad_feat;  // [B, C, H, W], written entirely; null when not wanted
  T* partial;    // [K, blocks, 4]: box-gradient contribution of each channel block; null when not wanted
};

// Hands out task indices to one thread: those of a fixed range [next, end), or, when `shared`
// is set, the tasks [0, count) one at a time to whichever thread asks first.
struct TaskSource {
  int64_t next = 0, end = 0;
  std::atomic<int64_t>* shared = nullptr;
  int64_t count = 0;
  // The next task, or -1 when none is left.
  int64_t take() {
    if (shared != nullptr) {
      const int64_t task = shared->fetch_add(1);
      return task < count ? task : -1;
    }
    return next < end ? next++ : -1;
  }
};

// ---------------------------------------------------------------------------------------------
// Task bodies: generic, and AVX2 + FMA (x86-64 with GCC)

namespace generic {
#define PRROI_POOL_VECTOR_BYTES 16
#include "prroi_pool_cpu_kernels.h"
#undef PRROI_POOL_VECTOR_BYTES
}  // namespace generic

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PRROI_POOL_AVX2 1
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
#define PRROI_POOL_VECTOR_BYTES 32
#include "prroi_pool_cpu_kernels.h"
#undef PRROI_POOL_VECTOR_BYTES
}  // namespace avx2
#pragma GCC pop_options

bool cpu_has_avx2_fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}
#else
bool cpu_has_avx2_fma() { return false; }
#endif

// Whether the AVX2 copies run: by default when the processor has AVX2 and FMA; tests switch
// them off to check the generic code.
std::atomic<bool>& avx2_enabled() {
  static std::atomic<bool> enabled{cpu_has_avx2_fma()};
  return enabled;
}

template <typename T>
void run_forward_tasks(const ForwardArgs<T>& a, TaskSource& source) {
#ifdef PRROI_POOL_AVX2
  if (avx2_enabled().load(std::memory_order_relaxed)) return avx2::forward_tasks(a, source);
#endif
  generic::forward_tasks(a, source);
}

template <typename T>
void run_backward_tasks(const BackwardArgs<T>& a, TaskSource& source) {
#ifdef PRROI_POOL_AVX2
  if (avx2_enabled().load(std::memory_order_relaxed)) return avx2::backward_tasks(a, source);
#endif
  generic::backward_tasks(a, source);
}

// State of one run_tasks call shared with its helpers (which may outlive the call).
struct SharedRun {
  std::atomic<int64_t> next{0};
  std::atomic<int> active{0};
  std::mutex mutex;
  std::string error;  // a helper's failure, under mutex
};

// Runs body(source) until the tasks [0, count) of about task_work multiply-adds each are done.
// Large calls go through at::parallel_for; mid-size ones run on the calling thread while up to
// at::get_num_threads() - 1 helpers from torch's inter-op pool take tasks one at a time as soon
// as they start: the caller waits only for tasks a helper has taken, never for a helper to be
// scheduled, so a busy machine costs at most the serial time. Small calls run serially.
template <typename Body>
void run_tasks(int64_t count, int64_t task_work, const Body& body) {
  if (count <= 0) return;
  const int64_t threads = std::min<int64_t>(at::get_num_threads(), count);
  const int64_t total_work = task_work * count;
  if (threads <= 1 || total_work < kMinSharedWork || at::in_parallel_region()) {
    TaskSource source{0, count};
    body(source);
    return;
  }
  const int64_t grain = std::max<int64_t>(1, kMinParallelChunkWork / std::max<int64_t>(1, task_work));
  if (count >= 2 * grain) {
    at::parallel_for(0, count, grain, [&](int64_t begin, int64_t end) {
      TaskSource source{begin, end};
      body(source);
    });
    return;
  }
  auto state = std::make_shared<SharedRun>();
  const Body* shared_body = &body;  // valid while the caller waits for active helpers
  for (int64_t h = 1; h < threads; ++h) {
    at::launch([state, shared_body, count]() {
      state->active.fetch_add(1);
      // Once every task is taken the caller may have returned: touch nothing of it then.
      if (state->next.load() < count) {
        try {
          TaskSource source{0, 0, &state->next, count};
          (*shared_body)(source);
        } catch (const std::exception& err) {
          const std::lock_guard<std::mutex> lock(state->mutex);
          state->error = err.what();
        }
      }
      state->active.fetch_sub(1);
    });
  }
  std::exception_ptr failure;
  try {
    TaskSource source{0, 0, &state->next, count};
    body(source);
  } catch (...) {
    failure = std::current_exception();
    state->next.store(count);  // helpers take no more tasks
  }
  while (state->active.load() != 0) std::this_thread::yield();
  if (failure) std::rethrow_exception(failure);
  const std::lock_guard<std::mutex> lock(state->mutex);
  TORCH_CHECK(state->error.empty(), "prroi_pool (C++): a helper thread failed: ", state->error);
}

// ---------------------------------------------------------------------------------------------
// Tensor-level entry points

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

template <typename T>
RoiTable<T> table_for(const at::Tensor& rois, double spatial_scale, int64_t pooled_h,
                      int64_t pooled_w, int64_t batch, int64_t height, int64_t width) {
  check_batch_indices(rois.data_ptr<T>(), rois.size(0), batch);
  RoiTable<T> t = make_table(rois.data_ptr<T>(), rois.size(0), static_cast<T>(spatial_scale),
                             static_cast<int>(pooled_h), static_cast<int>(pooled_w),
                             static_cast<int>(height), static_cast<int>(width));
  t.group_by_image(batch);
  return t;
}

at::Tensor forward_cpu(const at::Tensor& features, const at::Tensor& rois_in, int64_t pooled_h,
                       int64_t pooled_w, double spatial_scale) {
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
    const ForwardArgs<scalar_t> args{feat.data_ptr<scalar_t>(), channels_last, &t, channels,
                                     out.data_ptr<scalar_t>()};
    run_tasks(t.num_images * channel_blocks(channels), task_work(t, channels),
              [&](TaskSource& source) { run_forward_tasks(args, source); });
  });
  return out;
}

// The gradients of the loss w.r.t. the features ([B, C, H, W]; when want_features) and the rois
// ([K, 5], column 0 zero; when want_rois, which needs `features`). Unwanted results are undefined
// tensors (None in Python).
std::tuple<at::Tensor, at::Tensor> backward_cpu(const at::Tensor& grad_out_in,
                                                const std::optional<at::Tensor>& features,
                                                const at::Tensor& rois_in, int64_t batch,
                                                int64_t channels, int64_t height, int64_t width,
                                                double spatial_scale, bool want_features,
                                                bool want_rois) {
  TORCH_CHECK(grad_out_in.dim() == 4, "prroi_pool (C++): grad_output must have shape [K, C, ph, pw]");
  const int64_t pooled_h = grad_out_in.size(2), pooled_w = grad_out_in.size(3);
  check_common(rois_in, pooled_h, pooled_w);
  check_features(grad_out_in, rois_in, "grad_output");
  TORCH_CHECK(grad_out_in.size(0) == rois_in.size(0) && grad_out_in.size(1) == channels,
              "prroi_pool (C++): grad_output shape ", grad_out_in.sizes(), " does not match ",
              rois_in.size(0), " rois and ", channels, " channels");
  at::Tensor feat;
  bool channels_last = false;
  if (want_rois) {
    TORCH_CHECK(features.has_value() && features->defined(),
                "prroi_pool (C++): the roi gradient needs the features");
    check_features(*features, rois_in, "features");
    TORCH_CHECK(features->size(0) == batch && features->size(1) == channels && features->size(2) == height &&
                    features->size(3) == width,
                "prroi_pool (C++): features shape ", features->sizes(), " differs from [", batch, ", ",
                channels, ", ", height, ", ", width, "]");
    feat = readable_features(*features, &channels_last);
  }
  const at::Tensor grad_out = grad_out_in.contiguous();
  const at::Tensor rois = rois_in.contiguous();
  at::Tensor grad_feat, grad_rois;
  if (want_features) grad_feat = at::empty({batch, channels, height, width}, grad_out.options());
  if (want_rois) grad_rois = at::empty({rois.size(0), 5}, rois.options());
  if (!want_features && !want_rois) return {grad_feat, grad_rois};
  AT_DISPATCH_FLOATING_TYPES(grad_out.scalar_type(), "prroi_pool_backward_cpu", [&] {
    using T = scalar_t;
    const RoiTable<T> t = table_for<T>(rois, spatial_scale, pooled_h, pooled_w, batch, height, width);
    const int64_t blocks = channel_blocks(channels);
    std::vector<T> partial(want_rois ? static_cast<size_t>(t.num_rois * blocks * 4) : 0);
    const BackwardArgs<T> args{grad_out.data_ptr<T>(),
                               want_rois ? feat.data_ptr<T>() : nullptr,
                               channels_last,
                               &t,
                               channels,
                               want_features ? grad_feat.data_ptr<T>() : nullptr,
                               want_rois ? partial.data() : nullptr};
    const int64_t work = task_work(t, channels) * ((want_features ? 1 : 0) + (want_rois ? 3 : 0));
    run_tasks(t.num_images * blocks, work, [&](TaskSource& source) { run_backward_tasks(args, source); });
    if (want_rois) {
      T* gr = grad_rois.data_ptr<T>();
      const T scale = static_cast<T>(spatial_scale);
      for (int64_t k = 0; k < t.num_rois; ++k) {
        gr[k * 5] = T(0);
        for (int j = 0; j < 4; ++j) {
          T s = T(0);
          for (int64_t blk = 0; blk < blocks; ++blk) s += partial[(k * blocks + blk) * 4 + j];
          gr[k * 5 + j + 1] = s * scale;
        }
      }
    }
  });
  return {grad_feat, grad_rois};
}

}  // namespace

at::Tensor prroi_pool_forward_cpu(const at::Tensor& features, const at::Tensor& rois,
                                  int64_t pooled_h, int64_t pooled_w, double spatial_scale) {
  return forward_cpu(features, rois, pooled_h, pooled_w, spatial_scale);
}

std::tuple<at::Tensor, at::Tensor> prroi_pool_backward_cpu(
    const at::Tensor& grad_out, const std::optional<at::Tensor>& features, const at::Tensor& rois,
    int64_t batch, int64_t channels, int64_t height, int64_t width, double spatial_scale,
    bool want_features, bool want_rois) {
  return backward_cpu(grad_out, features, rois, batch, channels, height, width, spatial_scale,
                      want_features, want_rois);
}

at::Tensor prroi_pool_backward_features_cpu(const at::Tensor& grad_out, const at::Tensor& rois,
                                            int64_t batch, int64_t channels, int64_t height,
                                            int64_t width, double spatial_scale) {
  return std::get<0>(backward_cpu(grad_out, std::nullopt, rois, batch, channels, height, width,
                                  spatial_scale, true, false));
}

at::Tensor prroi_pool_backward_rois_cpu(const at::Tensor& grad_out, const at::Tensor& features,
                                        const at::Tensor& rois, double spatial_scale) {
  TORCH_CHECK(features.dim() == 4, "prroi_pool (C++): features must have shape [B, C, H, W], got ",
              features.sizes());
  return std::get<1>(backward_cpu(grad_out, features, rois, features.size(0), features.size(1),
                                  features.size(2), features.size(3), spatial_scale, false, true));
}

// Turns the AVX2 + FMA copies of the kernels on (where the processor has both) or off; returns
// whether they run now.
bool prroi_pool_use_avx2(bool enabled) {
  avx2_enabled().store(enabled && cpu_has_avx2_fma());
  return avx2_enabled().load();
}

// "avx2-fma" or "generic": the code the kernels run now.
std::string prroi_pool_kernel_isa() { return avx2_enabled().load() ? "avx2-fma" : "generic"; }

}  // namespace prroi_pool

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "Precise RoI Pooling, CPU kernel";
  // The kernels reject a batch index that is not an integer in [0, B) (RuntimeError).
  m.attr("checks_batch_indices") = true;
  m.def("forward", &prroi_pool::prroi_pool_forward_cpu, "PrRoIPool forward (CPU)",
        py::arg("features"), py::arg("rois"), py::arg("pooled_height"), py::arg("pooled_width"),
        py::arg("spatial_scale"));
  m.def("backward", &prroi_pool::prroi_pool_backward_cpu,
        "PrRoIPool gradients w.r.t. the features and/or the roi coordinates in one pass (CPU); "
        "returns (grad_features or None, grad_rois or None); features may be None when only "
        "the feature gradient is wanted",
        py::arg("grad_output"), py::arg("features"), py::arg("rois"), py::arg("batch"),
        py::arg("channels"), py::arg("height"), py::arg("width"), py::arg("spatial_scale"),
        py::arg("features_grad"), py::arg("rois_grad"));
  m.def("use_avx2", &prroi_pool::prroi_pool_use_avx2,
        "Run the AVX2 + FMA copies of the kernels (when the processor has both) or the generic "
        "code; returns whether the AVX2 copies run now",
        py::arg("enabled"));
  m.def("kernel_isa", &prroi_pool::prroi_pool_kernel_isa,
        "The code the kernels run now: 'avx2-fma' or 'generic'");
  m.def("backward_features", &prroi_pool::prroi_pool_backward_features_cpu,
        "PrRoIPool gradient w.r.t. the features (CPU)", py::arg("grad_output"), py::arg("rois"),
        py::arg("batch"), py::arg("channels"), py::arg("height"), py::arg("width"),
        py::arg("spatial_scale"));
  m.def("backward_rois", &prroi_pool::prroi_pool_backward_rois_cpu,
        "PrRoIPool gradient w.r.t. the roi coordinates (CPU)", py::arg("grad_output"),
        py::arg("features"), py::arg("rois"), py::arg("spatial_scale"));
}
