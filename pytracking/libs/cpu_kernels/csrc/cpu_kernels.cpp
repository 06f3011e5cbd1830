// Compiled CPU kernels of pytracking.libs.cpu_kernels (float32, inference):
//
// * conv3x3: Winograd F(4x4, 3x3) convolution of a channels-last input, stride 1, dilation 1, any
//   zero padding per side, optional bias, residual and ReLU fused into the output. Every 4x4 output
//   tile needs a 6x6 input tile d and is A^T [(G g G^T) . (B^T d B)] A. The weight transform
//   U = G g G^T is done once in Python (float64, winograd.py); here the input tiles are transformed
//   (V[36][tiles][C]), the 36 products M[k] = V[k] U[k] run as one batched matrix product, and the
//   output transform adds bias, residual and ReLU while writing y.
// * stem_conv_relu_maxpool: a ResNet stem (7x7/2 convolution with bias, ReLU, 3x3/2 max pooling)
//   without the full-resolution activation in memory (stem_kernels.h).
// * relu_linear_grad: for rows x (P x K) of a layer pre = x W^T + b (W: N x K), the output
//   y = act(pre) . v and its gradient dy/dx = (act'(pre) * v) W, act = ReLU or identity; both
//   products read the same W (ATOM's IoU-Net head, P = 10 boxes).
// * fhog: Felzenszwalb's HOG (31 channels per cell) of N x C x H x W images (fhog_kernels.h;
//   defined by pytracking.features.handcrafted.fhog_reference).
// * spectrum_reg: ECO's spatial-regularization operator W^H W on half spectra (defined by
//   pytracking.tracker.eco.continuous.RegOperator's FFT version).
// * filter_data_term: the data part of ECO's filter normal equations, sum_j w_j conj(z_j) (sum f z_j)
//   over several feature blocks (defined by pytracking.tracker.eco.optim.FilterCG's torch version).
// * colornames_cells: colour-name table rows of every pixel averaged over whole cells (defined by
//   pytracking.features.handcrafted.colornames_reference).
// * resize_area_u8: OpenCV's INTER_AREA shrinking of boxes of a uint8 image, the same result
//   (area_resize.h; compiled once, without floating-point contraction).
//
// The kernel bodies (winograd_kernels.h, relu_linear_kernels.h, stem_kernels.h, fhog_kernels.h,
// eco_kernels.h) are compiled twice: generic, and for AVX2 + FMA on x86-64 with GCC; the AVX2 copy runs when the processor has
// both. (Both copies use 32-byte vectors in internal functions only, hence -Wno-psabi in the build.)
#include <torch/extension.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

namespace cpu_kernels {
namespace {

struct TileGeometry {
  int64_t batch, in_h, in_w, in_channels, out_h, out_w, out_channels;
  int64_t pad_top, pad_left, tiles_h, tiles_w, tiles_per_image, num_tiles;
};

constexpr int STEM_BLOCK = 6;  // output columns per step of the stem convolution

struct StemGeometry {
  int64_t in_h, in_w, in_channels, out_channels, conv_h, conv_w, pool_h, pool_w, pad_h, pad_w;
};

namespace generic {
constexpr bool kNativeVec8 = false;  // 8-float vectors are emulated: kernels may prefer scalar loops
#include "vec8.h"
#include "winograd_kernels.h"
#include "relu_linear_kernels.h"
#include "stem_kernels.h"
#include "fhog_kernels.h"
#include "eco_kernels.h"
}  // namespace generic

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CPU_KERNELS_AVX2 1
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
constexpr bool kNativeVec8 = true;
#include "vec8.h"
#include "winograd_kernels.h"
#include "relu_linear_kernels.h"
#include "stem_kernels.h"
#include "fhog_kernels.h"
#include "eco_kernels.h"
}  // namespace avx2
#pragma GCC pop_options

bool cpu_has_avx2_fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}
#else
bool cpu_has_avx2_fma() { return false; }
#endif

std::atomic<bool>& avx2_enabled() {
  static std::atomic<bool> enabled{cpu_has_avx2_fma()};
  return enabled;
}

bool run_avx2() {
#ifdef CPU_KERNELS_AVX2
  return avx2_enabled().load(std::memory_order_relaxed);
#else
  return false;
#endif
}

// Calls NAME(args...) from the AVX2 or the generic namespace.
#ifdef CPU_KERNELS_AVX2
#define DISPATCH(NAME, ...) (run_avx2() ? avx2::NAME(__VA_ARGS__) : generic::NAME(__VA_ARGS__))
#else
#define DISPATCH(NAME, ...) generic::NAME(__VA_ARGS__)
#endif

bool is_channels_last_dense(const torch::Tensor& t) {
  return t.dim() == 4 && t.is_contiguous(at::MemoryFormat::ChannelsLast);
}

bool is_cpu_float(const torch::Tensor& t) { return t.device().is_cpu() && t.scalar_type() == torch::kFloat; }

#include "area_resize.h"

// Scratch memory kept per thread between calls, for intermediate buffers of up to this many floats
// (64 MB): allocating them afresh costs page faults on every call (thousands per convolution
// at ATOM's sizes, often more than the arithmetic) whenever the allocator hands the memory back.
constexpr int64_t kMaxScratchFloats = int64_t(16) << 20;

// A contiguous float tensor of `floats` elements for intermediate results: the thread's cached
// buffer `slot` (grown as needed) when small enough, else a fresh allocation.
torch::Tensor scratch(int slot, int64_t floats) {
  thread_local torch::Tensor buffers[3];
  if (floats > kMaxScratchFloats) return torch::empty({floats}, torch::kFloat);
  torch::Tensor& buffer = buffers[slot];
  if (!buffer.defined() || buffer.numel() < floats) buffer = torch::empty({floats}, torch::kFloat);
  return buffer.narrow(0, 0, floats);
}

// Tiles per parallel task: enough work per task to amortise the dispatch.
int64_t tile_grain(int64_t channels) { return std::max<int64_t>(1, 2048 / std::max<int64_t>(channels, 1)); }

}  // namespace

torch::Tensor conv3x3(const torch::Tensor& input, const torch::Tensor& weight_tiles,
                      const c10::optional<torch::Tensor>& bias, const c10::optional<torch::Tensor>& residual,
                      bool relu, int64_t pad_top, int64_t pad_bottom, int64_t pad_left, int64_t pad_right) {
  TORCH_CHECK(is_cpu_float(input), "winograd conv3x3: input must be a float32 CPU tensor, got ",
              input.scalar_type(), " on ", input.device());
  TORCH_CHECK(is_channels_last_dense(input), "winograd conv3x3: input must be 4-D and channels-last contiguous, "
              "got sizes ", input.sizes(), " strides ", input.strides());
  TORCH_CHECK(weight_tiles.dim() == 3 && weight_tiles.size(0) == 36 && weight_tiles.is_contiguous() &&
                  is_cpu_float(weight_tiles),
              "winograd conv3x3: weight_tiles must be a contiguous float32 CPU tensor of shape "
              "[36, in_channels, out_channels], got ", weight_tiles.sizes());
  TORCH_CHECK(pad_top >= 0 && pad_bottom >= 0 && pad_left >= 0 && pad_right >= 0,
              "winograd conv3x3: padding must be non-negative, got (top, bottom, left, right) = (", pad_top, ", ",
              pad_bottom, ", ", pad_left, ", ", pad_right, ")");
  TileGeometry g;
  g.batch = input.size(0);
  g.in_channels = input.size(1);
  g.in_h = input.size(2);
  g.in_w = input.size(3);
  g.out_channels = weight_tiles.size(2);
  TORCH_CHECK(weight_tiles.size(1) == g.in_channels, "winograd conv3x3: weight_tiles has ", weight_tiles.size(1),
              " input channels, the input has ", g.in_channels);
  TORCH_CHECK(g.in_channels % 8 == 0 && g.out_channels % 8 == 0,
              "winograd conv3x3: channel counts must be multiples of 8, got ", g.in_channels, " -> ", g.out_channels);
  g.out_h = g.in_h + pad_top + pad_bottom - 2;
  g.out_w = g.in_w + pad_left + pad_right - 2;
  TORCH_CHECK(g.out_h > 0 && g.out_w > 0, "winograd conv3x3: the output would be empty (input ", g.in_h, "x",
              g.in_w, " with padding ", pad_top, ",", pad_bottom, ",", pad_left, ",", pad_right, ")");
  g.pad_top = pad_top;
  g.pad_left = pad_left;
  g.tiles_h = (g.out_h + 3) / 4;
  g.tiles_w = (g.out_w + 3) / 4;
  g.tiles_per_image = g.tiles_h * g.tiles_w;
  g.num_tiles = g.batch * g.tiles_per_image;

  const float* bias_ptr = nullptr;
  if (bias.has_value() && bias->defined()) {
    TORCH_CHECK(bias->dim() == 1 && bias->size(0) == g.out_channels && bias->is_contiguous() && is_cpu_float(*bias),
                "winograd conv3x3: bias must be a contiguous float32 CPU vector of ", g.out_channels,
                " values, got ", bias->sizes());
    bias_ptr = bias->data_ptr<float>();
  }
  const float* residual_ptr = nullptr;
  if (residual.has_value() && residual->defined()) {
    TORCH_CHECK(is_channels_last_dense(*residual) && is_cpu_float(*residual) &&
                    residual->sizes() == at::IntArrayRef({g.batch, g.out_channels, g.out_h, g.out_w}),
                "winograd conv3x3: residual must be a channels-last float32 CPU tensor of sizes [", g.batch, ", ",
                g.out_channels, ", ", g.out_h, ", ", g.out_w, "], got ", residual->sizes());
    residual_ptr = residual->data_ptr<float>();
  }

  auto v = scratch(0, 36 * g.num_tiles * g.in_channels).view({36, g.num_tiles, g.in_channels});
  auto m = scratch(1, 36 * g.num_tiles * g.out_channels).view({36, g.num_tiles, g.out_channels});
  auto y = torch::empty({g.batch, g.out_channels, g.out_h, g.out_w},
                        input.options().memory_format(at::MemoryFormat::ChannelsLast));
  const float* x_ptr = input.data_ptr<float>();
  float* v_ptr = v.data_ptr<float>();
  at::parallel_for(0, g.num_tiles, tile_grain(g.in_channels),
                   [&](int64_t t0, int64_t t1) { DISPATCH(input_tiles, g, x_ptr, v_ptr, t0, t1); });
  at::bmm_out(m, v, weight_tiles);
  const float* m_ptr = m.data_ptr<float>();
  float* y_ptr = y.data_ptr<float>();
  at::parallel_for(0, g.num_tiles, tile_grain(g.out_channels), [&](int64_t t0, int64_t t1) {
    DISPATCH(output_tiles, g, m_ptr, bias_ptr, residual_ptr, relu, y_ptr, t0, t1);
  });
  return y;
}

std::tuple<torch::Tensor, torch::Tensor> relu_linear_grad(const torch::Tensor& x, const torch::Tensor& weight,
                                                         const torch::Tensor& bias, const torch::Tensor& out_weight,
                                                         bool relu) {
  TORCH_CHECK(x.dim() == 2 && weight.dim() == 2 && bias.dim() == 1 && out_weight.dim() == 1,
              "relu_linear_grad: expected x [P, K], weight [N, K], bias [N], out_weight [N], got ", x.sizes(), ", ",
              weight.sizes(), ", ", bias.sizes(), ", ", out_weight.sizes());
  const int64_t P = x.size(0), K = x.size(1), N = weight.size(0);
  TORCH_CHECK(weight.size(1) == K && bias.size(0) == N && out_weight.size(0) == N,
              "relu_linear_grad: inconsistent sizes x ", x.sizes(), ", weight ", weight.sizes(), ", bias ",
              bias.sizes(), ", out_weight ", out_weight.sizes());
  TORCH_CHECK(K % 8 == 0 && K > 0 && N > 0 && P > 0, "relu_linear_grad: K (", K,
              ") must be a positive multiple of 8, and N, P positive");
  for (const torch::Tensor* t : {&x, &weight, &bias, &out_weight}) {
    TORCH_CHECK(is_cpu_float(*t) && t->is_contiguous(), "relu_linear_grad: tensors must be contiguous float32 "
                "on the CPU, got ", t->scalar_type(), " on ", t->device());
  }
  auto pre = torch::empty({P, N}, x.options());
  const float* x_ptr = x.data_ptr<float>();
  const float* w_ptr = weight.data_ptr<float>();
  float* pre_ptr = pre.data_ptr<float>();
  const int64_t pairs = (N + 1) / 2;
  at::parallel_for(0, pairs, 8, [&](int64_t a, int64_t e) {
    DISPATCH(linear_dots, x_ptr, w_ptr, P, K, N, a * 2, std::min(N, e * 2), pre_ptr);
  });
  pre.add_(bias);
  auto d = relu ? pre.gt(0).to(pre.scalar_type()).mul_(out_weight) : out_weight.expand({P, N}).contiguous();
  auto y = (relu ? pre.clamp_min(0) : pre).mv(out_weight);
  auto grad = torch::empty({P, K}, x.options());
  const float* d_ptr = d.data_ptr<float>();
  float* g_ptr = grad.data_ptr<float>();
  const int64_t chunks = (K + 15) / 16;
  at::parallel_for(0, chunks, 8, [&](int64_t a, int64_t e) {
    DISPATCH(linear_input_grad, d_ptr, w_ptr, P, K, N, a * 16, std::min(K, e * 16), g_ptr);
  });
  return {y, grad};
}

torch::Tensor stem_conv_relu_maxpool(const torch::Tensor& input, const torch::Tensor& packed_weight,
                                    const torch::Tensor& bias) {
  TORCH_CHECK(is_cpu_float(input) && input.dim() == 4, "stem: input must be a 4-D float32 CPU tensor, got ",
              input.sizes(), " ", input.scalar_type(), " on ", input.device());
  TORCH_CHECK(is_cpu_float(packed_weight) && packed_weight.dim() == 2 && packed_weight.is_contiguous(),
              "stem: packed_weight must be a contiguous float32 CPU matrix [49 * in_channels, out_channels]");
  StemGeometry g;
  const int64_t batch = input.size(0);
  g.in_channels = input.size(1);
  g.in_h = input.size(2);
  g.in_w = input.size(3);
  g.out_channels = packed_weight.size(1);
  TORCH_CHECK(packed_weight.size(0) == 49 * g.in_channels, "stem: packed_weight has ", packed_weight.size(0),
              " rows, expected 49 * ", g.in_channels, " input channels");
  TORCH_CHECK(g.out_channels % 16 == 0, "stem: out_channels must be a multiple of 16, got ", g.out_channels);
  TORCH_CHECK(is_cpu_float(bias) && bias.dim() == 1 && bias.size(0) == g.out_channels && bias.is_contiguous(),
              "stem: bias must be a contiguous float32 CPU vector of ", g.out_channels, " values");
  TORCH_CHECK(g.in_h > 0 && g.in_w > 0, "stem: empty input ", input.sizes());
  g.conv_h = (g.in_h - 1) / 2 + 1;  // 7x7, stride 2, padding 3
  g.conv_w = (g.in_w - 1) / 2 + 1;
  g.pool_h = (g.conv_h - 1) / 2 + 1;  // 3x3, stride 2, padding 1
  g.pool_w = (g.conv_w - 1) / 2 + 1;
  const int64_t conv_w_blocks = (g.conv_w + STEM_BLOCK - 1) / STEM_BLOCK * STEM_BLOCK;
  g.pad_h = std::max<int64_t>(2 * g.conv_h + 5, g.in_h + 3);
  g.pad_w = std::max<int64_t>(2 * conv_w_blocks + 5, g.in_w + 3);

  // zero-padded channels-last copies of the images (the image at row 3, column 3)
  auto padded = scratch(2, batch * g.pad_h * g.pad_w * g.in_channels).view({batch, g.pad_h, g.pad_w, g.in_channels});
  padded.zero_();
  padded.narrow(1, 3, g.in_h).narrow(2, 3, g.in_w).copy_(input.permute({0, 2, 3, 1}));
  auto y = torch::empty({batch, g.out_channels, g.pool_h, g.pool_w},
                        input.options().memory_format(at::MemoryFormat::ChannelsLast));
  const float* w_ptr = packed_weight.data_ptr<float>();
  const float* b_ptr = bias.data_ptr<float>();
  for (int64_t n = 0; n < batch; ++n) {
    const float* xp = padded[n].data_ptr<float>();
    float* y_ptr = y.data_ptr<float>() + n * g.pool_h * g.pool_w * g.out_channels;
    at::parallel_for(0, g.pool_h, 4, [&](int64_t p0, int64_t p1) {
      std::vector<float> ring(3 * g.conv_w * g.out_channels);
      DISPATCH(stem_rows, g, xp, w_ptr, b_ptr, y_ptr, p0, p1, ring.data());
    });
  }
  return y;
}

torch::Tensor fhog(const torch::Tensor& input, int64_t cell_size, bool soft_orientation, double clip) {
  TORCH_CHECK(is_cpu_float(input) && input.dim() == 4, "fhog: input must be a 4-D float32 CPU tensor N x C x H x W, "
              "got ", input.sizes(), " ", input.scalar_type(), " on ", input.device());
  const int64_t batch = input.size(0), channels = input.size(1), height = input.size(2), width = input.size(3);
  TORCH_CHECK(channels == 1 || channels == 3, "fhog: expected 1 or 3 channels, got ", channels);
  TORCH_CHECK(cell_size >= 1, "fhog: cell_size must be positive, got ", cell_size);
  TORCH_CHECK(clip > 0, "fhog: clip must be positive, got ", clip);
  const int64_t h = height / cell_size, w = width / cell_size;
  TORCH_CHECK(h >= 1 && w >= 1, "fhog: a ", height, "x", width, " image is smaller than one ", cell_size, "x",
              cell_size, " cell");
  auto x = input.contiguous();
  auto out = torch::empty({batch, 31, h, w}, x.options());
  const float* x_ptr = x.data_ptr<float>();
  float* out_ptr = out.data_ptr<float>();
  const int64_t floats = generic::fhog_work_floats(channels, height, width, cell_size);
  at::parallel_for(0, batch, 1, [&](int64_t b0, int64_t b1) {
    thread_local std::vector<float> work;  // kept between calls (no page faults for fresh memory)
    if (int64_t(work.size()) < floats) work.resize(size_t(floats));
    for (int64_t b = b0; b < b1; ++b) {
      DISPATCH(fhog_image, x_ptr + b * channels * height * width, channels, height, width, cell_size,
               soft_orientation, float(clip), out_ptr + b * 31 * h * w, work.data());
    }
  });
  return out;
}

torch::Tensor spectrum_reg(const torch::Tensor& spectrum, const torch::Tensor& kernel) {
  TORCH_CHECK(spectrum.device().is_cpu() && spectrum.scalar_type() == torch::kComplexFloat && spectrum.dim() == 3,
              "spectrum_reg: spectrum must be a C x K x Kh complex64 CPU tensor, got ", spectrum.sizes(), " ",
              spectrum.scalar_type());
  TORCH_CHECK(is_cpu_float(kernel) && kernel.dim() == 2 && kernel.size(0) % 2 == 1 && kernel.size(1) % 2 == 1,
              "spectrum_reg: kernel must be an odd-sized 2-D float32 CPU tensor, got ", kernel.sizes());
  const int64_t chans = spectrum.size(0), k = spectrum.size(1), kh = spectrum.size(2);
  TORCH_CHECK(k % 2 == 1 && kh >= 1, "spectrum_reg: the spectrum needs an odd number of rows, got ", k);
  const int64_t ry = kernel.size(0) / 2, rx = kernel.size(1) / 2;
  // the full spectrum F (columns kx < 0 are conj(f(-ky, -kx))) zero-padded by 2r: rows
  // -K/2-2ry .. K/2+2ry, columns -2rx .. Kh-1+2rx; G = kernel * F ('full'): rows -K/2-ry ..
  // K/2+ry, columns -rx .. Kh-1+rx; out = kernel (correlated) G ('valid') on the half spectrum.
  const int64_t fe_rows = k + 4 * ry, fe_cols = kh + 4 * rx, g_rows = k + 2 * ry, g_cols = kh + 2 * rx;
  struct Tap { int64_t p, q; float v; };
  std::vector<Tap> taps;
  auto kern = kernel.contiguous();
  const float* kp = kern.data_ptr<float>();
  for (int64_t p = -ry; p <= ry; ++p)
    for (int64_t q = -rx; q <= rx; ++q)
      if (kp[(p + ry) * (2 * rx + 1) + q + rx] != 0.0f) taps.push_back({p, q, kp[(p + ry) * (2 * rx + 1) + q + rx]});
  auto f = spectrum.resolve_conj().contiguous();
  auto out = torch::zeros_like(f);
  const float* f_ptr = reinterpret_cast<const float*>(f.data_ptr<c10::complex<float>>());
  float* o_ptr = reinterpret_cast<float*>(out.data_ptr<c10::complex<float>>());
  at::parallel_for(0, chans, 1, [&](int64_t c0, int64_t c1) {
    std::vector<float> fe(size_t(fe_rows * fe_cols * 2)), g(size_t(g_rows * g_cols * 2));
    for (int64_t c = c0; c < c1; ++c) {
      const float* fc = f_ptr + c * k * kh * 2;
      std::fill(fe.begin(), fe.end(), 0.0f);
      for (int64_t r = 0; r < k; ++r) {
        float* row = fe.data() + ((r + 2 * ry) * fe_cols + 2 * rx) * 2;     // column kx = 0
        std::memcpy(row, fc + r * kh * 2, size_t(kh * 2) * sizeof(float));
        const float* mirror = fc + (k - 1 - r) * kh * 2;                      // row -ky
        for (int64_t j = 1; j <= std::min(2 * rx, kh - 1); ++j) {
          row[-2 * j] = mirror[2 * j];
          row[-2 * j + 1] = -mirror[2 * j + 1];
        }
      }
      std::fill(g.begin(), g.end(), 0.0f);
      for (const Tap& t : taps) {
        for (int64_t gr = 0; gr < g_rows; ++gr) {
          const float* src = fe.data() + ((gr + ry - t.p) * fe_cols + rx - t.q) * 2;
          float* dst = g.data() + gr * g_cols * 2;
          for (int64_t i = 0; i < g_cols * 2; ++i) dst[i] += t.v * src[i];
        }
      }
      float* oc = o_ptr + c * k * kh * 2;
      for (const Tap& t : taps) {
        for (int64_t r = 0; r < k; ++r) {
          const float* src = g.data() + ((r + ry + t.p) * g_cols + rx + t.q) * 2;
          float* dst = oc + r * kh * 2;
          for (int64_t i = 0; i < kh * 2; ++i) dst[i] += t.v * src[i];
        }
      }
    }
  });
  return out;
}

std::vector<torch::Tensor> filter_data_term(const std::vector<torch::Tensor>& samples,
                                            const std::vector<torch::Tensor>& filters, const torch::Tensor& weights,
                                            int64_t k, int64_t kh) {
  TORCH_CHECK(!samples.empty() && samples.size() == filters.size(),
              "filter_data_term: need one filter per sample block, got ", samples.size(), " and ", filters.size());
  TORCH_CHECK(is_cpu_float(weights) && weights.dim() == 1, "filter_data_term: weights must be a 1-D float32 CPU tensor");
  const int64_t n = weights.size(0);
  auto w = weights.contiguous();
  const float* w_ptr = w.data_ptr<float>();
  struct Block { const float* z; const float* f; float* out; int64_t c, rows, cols, row0; };
  std::vector<Block> blocks;
  std::vector<torch::Tensor> keep, outs;
  for (size_t b = 0; b < samples.size(); ++b) {
    const auto& z = samples[b];
    const auto& f = filters[b];
    TORCH_CHECK(z.device().is_cpu() && z.scalar_type() == torch::kComplexFloat && z.dim() == 4 && z.size(0) == n,
                "filter_data_term: samples[", b, "] must be an N x C x K x Kh complex64 CPU tensor with N = ", n,
                ", got ", z.sizes(), " ", z.scalar_type());
    TORCH_CHECK(f.device().is_cpu() && f.scalar_type() == torch::kComplexFloat && f.dim() == 3 &&
                f.sizes() == z.sizes().slice(1), "filter_data_term: filters[", b, "] must be complex64 of shape ",
                z.sizes().slice(1), ", got ", f.sizes());
    TORCH_CHECK(z.size(2) <= k && (k - z.size(2)) % 2 == 0 && z.size(3) <= kh,
                "filter_data_term: block ", b, " (", z.size(2), " x ", z.size(3), ") does not fit centred in the ",
                k, " x ", kh, " output grid");
    auto zc = z.resolve_conj().contiguous();
    auto fc = f.resolve_conj().contiguous();
    auto out = torch::zeros_like(fc);
    keep.push_back(zc);
    keep.push_back(fc);
    outs.push_back(out);
    blocks.push_back({reinterpret_cast<const float*>(zc.data_ptr<c10::complex<float>>()),
                      reinterpret_cast<const float*>(fc.data_ptr<c10::complex<float>>()),
                      reinterpret_cast<float*>(out.data_ptr<c10::complex<float>>()), z.size(1), z.size(2), z.size(3),
                      (k - z.size(2)) / 2});
  }
  // one sample at a time: its score s_j on the output grid, then conj(z_j) w_j s_j into the output
  // (the sample's coefficients are still in cache for the second pass)
  std::vector<float> score(size_t(k * kh * 2));
  for (int64_t j = 0; j < n; ++j) {
    std::fill(score.begin(), score.end(), 0.0f);
    for (const Block& bl : blocks) {
      const int64_t plane = bl.rows * bl.cols;
      const float* zj = bl.z + j * bl.c * plane * 2;
      for (int64_t c = 0; c < bl.c; ++c) {
        const float* zc = zj + c * plane * 2;
        const float* fc = bl.f + c * plane * 2;
        for (int64_t r = 0; r < bl.rows; ++r) {
          DISPATCH(complex_mac, score.data() + (r + bl.row0) * kh * 2, fc + r * bl.cols * 2, zc + r * bl.cols * 2,
                   bl.cols);
        }
      }
    }
    const float wj = w_ptr[j];
    for (float& v : score) v *= wj;
    for (const Block& bl : blocks) {
      const int64_t plane = bl.rows * bl.cols;
      const float* zj = bl.z + j * bl.c * plane * 2;
      for (int64_t c = 0; c < bl.c; ++c) {
        const float* zc = zj + c * plane * 2;
        float* oc = bl.out + c * plane * 2;
        for (int64_t r = 0; r < bl.rows; ++r) {
          DISPATCH(conj_complex_mac, oc + r * bl.cols * 2, zc + r * bl.cols * 2, score.data() + (r + bl.row0) * kh * 2,
                   bl.cols);
        }
      }
    }
  }
  return outs;
}

torch::Tensor colornames_cells(const torch::Tensor& input, const torch::Tensor& table, int64_t cell_size) {
  TORCH_CHECK(is_cpu_float(input) && input.dim() == 4, "colornames_cells: input must be a 4-D float32 CPU tensor "
              "N x C x H x W, got ", input.sizes(), " ", input.scalar_type(), " on ", input.device());
  TORCH_CHECK(is_cpu_float(table) && table.dim() == 2 && table.size(0) == 32768,
              "colornames_cells: table must be a 32768 x D float32 CPU tensor, got ", table.sizes());
  const int64_t batch = input.size(0), channels = input.size(1), height = input.size(2), width = input.size(3);
  TORCH_CHECK(channels == 1 || channels == 3, "colornames_cells: expected 1 or 3 channels, got ", channels);
  TORCH_CHECK(cell_size >= 1, "colornames_cells: cell_size must be positive, got ", cell_size);
  const int64_t h = height / cell_size, w = width / cell_size, dims = table.size(1);
  TORCH_CHECK(h >= 1 && w >= 1, "colornames_cells: a ", height, "x", width, " image is smaller than one ", cell_size,
              "x", cell_size, " cell");
  auto x = input.contiguous();
  auto tab = table.contiguous();
  auto out = torch::empty({batch, dims, h, w}, x.options());
  const float* x_ptr = x.data_ptr<float>();
  const float* t_ptr = tab.data_ptr<float>();
  float* out_ptr = out.data_ptr<float>();
  const int64_t plane = height * width;
  const float inv = 1.0f / float(cell_size * cell_size);
  // table row of each pixel of an image row: floor(round(v) / 8) per channel (the reference's
  // floor((v + 0.5) / 8)), clamped to 0..31 (NaN -> 0)
  auto row_index = [](const float* v, int64_t n, int64_t scale, int32_t* out, bool first) {
    for (int64_t i = 0; i < n; ++i) {
      const int32_t q = int32_t(std::min(std::max(0.0f, (v[i] + 0.5f) * 0.125f), 31.0f));
      out[i] = first ? q : out[i] + int32_t(scale) * q;
    }
  };
  at::parallel_for(0, batch * h, 1, [&](int64_t r0, int64_t r1) {
    std::vector<float> acc(size_t(w * dims));
    std::vector<int32_t> idx(size_t(w * cell_size));
    const int64_t used = w * cell_size;
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t n = r / h, cy = r % h;
      const float* img = x_ptr + n * channels * plane;
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (int64_t y = cy * cell_size; y < (cy + 1) * cell_size; ++y) {
        const float* red = img + y * width;
        row_index(red, used, 1, idx.data(), true);
        row_index(channels == 3 ? red + plane : red, used, 32, idx.data(), false);
        row_index(channels == 3 ? red + 2 * plane : red, used, 1024, idx.data(), false);
        for (int64_t cx = 0; cx < w; ++cx) {
          float* a = acc.data() + cx * dims;
          for (int64_t xx = cx * cell_size; xx < (cx + 1) * cell_size; ++xx) {
            const float* row = t_ptr + int64_t(idx[size_t(xx)]) * dims;
            if (dims == 10) {  // the published table: a fixed-length loop the compiler unrolls
              for (int d = 0; d < 10; ++d) a[d] += row[d];
            } else {
              for (int64_t d = 0; d < dims; ++d) a[d] += row[d];
            }
          }
        }
      }
      float* o = out_ptr + n * dims * h * w + cy * w;
      for (int64_t d = 0; d < dims; ++d) {
        for (int64_t cx = 0; cx < w; ++cx) o[d * h * w + cx] = acc[size_t(cx * dims + d)] * inv;
      }
    }
  });
  return out;
}

torch::Tensor resize_area_u8(const torch::Tensor& image, const torch::Tensor& boxes, int64_t out_h, int64_t out_w) {
  TORCH_CHECK(image.device().is_cpu() && image.scalar_type() == torch::kUInt8 && image.dim() == 3,
              "resize_area_u8: image must be a 3-D uint8 CPU tensor H x W x C, got ", image.sizes(), " ",
              image.scalar_type(), " on ", image.device());
  const int64_t height = image.size(0), width = image.size(1), channels = image.size(2);
  // strides of size-1 dimensions are never used (numpy gives a new axis stride 0, e.g. a grey H x W x 1 crop)
  TORCH_CHECK(channels >= 1 && (channels == 1 || image.stride(2) == 1) && (width == 1 || image.stride(1) == channels) &&
                  (height == 1 || image.stride(0) >= width * channels),
              "resize_area_u8: the pixels of each image row must be contiguous, got strides ", image.strides());
  TORCH_CHECK(boxes.device().is_cpu() && boxes.scalar_type() == torch::kLong && boxes.dim() == 2 && boxes.size(1) == 4,
              "resize_area_u8: boxes must be an S x 4 int64 CPU tensor (top, left, height, width), got ",
              boxes.sizes(), " ", boxes.scalar_type());
  TORCH_CHECK(out_h >= 1 && out_w >= 1, "resize_area_u8: bad output size ", out_h, "x", out_w);
  const auto b = boxes.contiguous();
  const int64_t* box = b.data_ptr<int64_t>();
  const int64_t count = b.size(0);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t* r = box + 4 * i;
    TORCH_CHECK(r[0] >= 0 && r[1] >= 0 && r[2] >= out_h && r[3] >= out_w && r[0] + r[2] <= height && r[1] + r[3] <= width,
                "resize_area_u8: box ", i, " (top ", r[0], ", left ", r[1], ", ", r[2], "x", r[3], ") must lie in the ",
                height, "x", width, " image and be at least ", out_h, "x", out_w, " (only shrinks)");
  }
  auto out = torch::empty({count, out_h, out_w, channels}, image.options());
  const uint8_t* src = image.data_ptr<uint8_t>();
  uint8_t* dst = out.data_ptr<uint8_t>();
  const int64_t row_stride = image.stride(0);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t* r = box + 4 * i;
    resize_area_image(src + r[0] * row_stride + r[1] * channels, r[2], r[3], row_stride, channels,
                      dst + i * out_h * out_w * channels, out_h, out_w);
  }
  return out;
}

std::string kernel_isa() { return run_avx2() ? "avx2" : "generic"; }

bool use_avx2(bool enable) {
  const bool previous = avx2_enabled().load();
  avx2_enabled().store(enable && cpu_has_avx2_fma());
  return previous;
}

}  // namespace cpu_kernels

PYBIND11_MODULE(TORCH_EXTENSION_NAME, module) {
  module.doc() = "Compiled CPU kernels of pytracking.libs.cpu_kernels (float32 inference)";
  module.def("conv3x3", &cpu_kernels::conv3x3, "Winograd F(4x4, 3x3): y = relu?(conv3x3(input) + bias + residual)",
             py::arg("input"), py::arg("weight_tiles"), py::arg("bias"), py::arg("residual"), py::arg("relu"),
             py::arg("pad_top"), py::arg("pad_bottom"), py::arg("pad_left"), py::arg("pad_right"));
  module.def("relu_linear_grad", &cpu_kernels::relu_linear_grad,
             "(y, dy/dx) of y = act(x weight^T + bias) out_weight, act = ReLU if relu else identity",
             py::arg("x"), py::arg("weight"), py::arg("bias"), py::arg("out_weight"), py::arg("relu"));
  module.def("stem_conv_relu_maxpool", &cpu_kernels::stem_conv_relu_maxpool,
             "maxpool3x3/2(relu(conv7x7/2, padding 3 (input) + bias)), padding 1 for the pooling", py::arg("input"),
             py::arg("packed_weight"), py::arg("bias"));
  module.def("fhog", &cpu_kernels::fhog,
             "FHOG (31 channels per cell) of N x C x H x W float32 images, C = 1 or 3: N x 31 x H/cell x W/cell",
             py::arg("input"), py::arg("cell_size"), py::arg("soft_orientation"), py::arg("clip"));
  module.def("spectrum_reg", &cpu_kernels::spectrum_reg,
             "W^H W f for half spectra f (C x K x Kh complex64, odd K; column kx = 0 Hermitian) and W the "
             "convolution of the full spectrum with a real odd-sized kernel ('full', then 'valid' for W^H)",
             py::arg("spectrum"), py::arg("kernel"));
  module.def("filter_data_term", &cpu_kernels::filter_data_term,
             "sum_j w_j conj(z_jb) s_j per block b, s_j = sum_b pad(sum_c f_bc z_jbc) on the k x kh grid (blocks "
             "centred in its rows): ECO's filter normal equations without the regularization",
             py::arg("samples"), py::arg("filters"), py::arg("weights"), py::arg("k"), py::arg("kh"));
  module.def("colornames_cells", &cpu_kernels::colornames_cells,
             "Colour-name table rows (table: 32768 x D) of N x C x H x W float32 images (C = 1 or 3, values "
             "0..255) averaged over cell_size cells: N x D x H/cell x W/cell",
             py::arg("input"), py::arg("table"), py::arg("cell_size"));
  module.def("resize_area_u8", &cpu_kernels::resize_area_u8,
             "S x out_h x out_w x C: cv::resize(box, (out_w, out_h), interpolation=INTER_AREA) of each box (top, "
             "left, height, width) of an H x W x C uint8 image, with OpenCV's result where it takes its general area "
             "path (both scale factors >= 1, not both whole numbers)",
             py::arg("image"), py::arg("boxes"), py::arg("out_h"), py::arg("out_w"));
  module.def("kernel_isa", &cpu_kernels::kernel_isa, "Instruction set of the kernel bodies that run: avx2 or generic");
  module.def("use_avx2", &cpu_kernels::use_avx2,
             "Run the AVX2 kernel bodies when the processor has them (True) or the generic ones; returns the "
             "previous setting", py::arg("enable"));
  module.def("cpu_has_avx2_fma", &cpu_kernels::cpu_has_avx2_fma, "Whether the processor has AVX2 and FMA");
}
