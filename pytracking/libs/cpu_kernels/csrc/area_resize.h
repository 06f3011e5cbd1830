// resize_area_u8: cv::resize(..., INTER_AREA) of a uint8 H x W x C image on its general area path
// (both scale factors >= 1, not both whole numbers), with OpenCV's own arithmetic in its order, so
// that the result is identical to OpenCV's:
// * per axis a table of (source index, destination index, float weight) terms: for destination
//   cell d the source interval [d s, d s + s) (s = 1 / (out / in), in double precision, the cell
//   width min(s, in - d s)), a leading partial pixel, whole pixels of weight 1 / cell, a trailing
//   partial pixel (partial parts under 1e-3 dropped);
// * per source row (the y terms in order) the row's horizontal sums buf[d] = sum_k S[si_k] a_k
//   (float, the terms of d in order, from 0); the output row's sum = beta_0 buf_0 + beta_1 buf_1 + ...
//   (float, in order); the output pixel is the sum rounded half to even and saturated to 0..255.
// Rows that feed two output rows are summed horizontally once (OpenCV sums them twice, the same way).
// Compiled without floating-point contraction: a fused multiply-add would round differently.
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

struct AreaTerm {
  int32_t src, dst;
  float weight;
};

// OpenCV's terms along one axis, in its order: for each destination cell d, a leading partial
// pixel, whole pixels, a trailing partial pixel. Source indices are multiplied by ``channels``.
inline std::vector<AreaTerm> area_terms(int64_t in_size, int64_t out_size, int64_t channels, double scale) {
  std::vector<AreaTerm> terms(size_t(in_size + 2 * out_size));
  size_t n = 0;
  for (int64_t d = 0; d < out_size; ++d) {
    const double f1 = double(d) * scale, f2 = f1 + scale;
    const double cell = std::min(scale, double(in_size) - f1);
    int64_t s1 = int64_t(std::ceil(f1)), s2 = int64_t(std::floor(f2));
    s2 = std::min(s2, in_size - 1);
    s1 = std::min(s1, s2);
    const int32_t out_index = int32_t(d);
    if (double(s1) - f1 > 1e-3) terms[n++] = {int32_t((s1 - 1) * channels), out_index, float((double(s1) - f1) / cell)};
    for (int64_t s = s1; s < s2; ++s) terms[n++] = {int32_t(s * channels), out_index, float(1.0 / cell)};
    if (f2 - double(s2) > 1e-3)
      terms[n++] = {int32_t(s2 * channels), out_index, float(std::min(std::min(f2 - double(s2), 1.0), cell) / cell)};
  }
  terms.resize(n);
  return terms;
}

// The horizontal terms as ``taps`` rows of ``out`` (tap t of every destination cell, in OpenCV's
// order), cells with fewer terms padded with weight 0: adding 0 * pixel (+0) leaves the sum of
// non-negative terms unchanged, and the cells can be summed side by side.
struct AreaTaps {
  int64_t taps = 0;
  std::vector<int32_t> src;
  std::vector<float> weight;
};

inline AreaTaps area_taps(const std::vector<AreaTerm>& terms, int64_t out_size) {
  std::vector<int32_t> first(size_t(out_size) + 1, 0);
  for (const AreaTerm& t : terms) ++first[size_t(t.dst) + 1];
  AreaTaps taps;
  for (int64_t d = 0; d < out_size; ++d) {
    taps.taps = std::max<int64_t>(taps.taps, first[size_t(d) + 1]);
    first[size_t(d) + 1] += first[size_t(d)];
  }
  taps.src.assign(size_t(taps.taps * out_size), 0);
  taps.weight.assign(size_t(taps.taps * out_size), 0.0f);
  for (int64_t d = 0; d < out_size; ++d) {
    const int32_t begin = first[size_t(d)], end = first[size_t(d) + 1];
    for (int64_t t = 0; t < taps.taps; ++t) {
      const bool real = begin + t < end;
      taps.src[size_t(t * out_size + d)] = terms[size_t(real ? begin + t : end - 1)].src;
      taps.weight[size_t(t * out_size + d)] = real ? terms[size_t(begin + t)].weight : 0.0f;
    }
  }
  return taps;
}

typedef float AreaVec4 __attribute__((vector_size(16)));

// buf[d * C + c] = sum over the taps t of row[src_td + c] * weight_td, in order from 0; ``row`` is the
// source row as float (exact: 0..255), with 4 readable floats past its last pixel.
inline void area_row_sums(const float* row, const AreaTaps& x, int64_t out_w, int64_t channels, float* buf) {
  const int32_t* src = x.src.data();
  const float* weight = x.weight.data();
  if (channels == 3) {  // the three channels of a pixel in one vector (its fourth lane is not used)
    auto tap = [&](int64_t t, int64_t d, AreaVec4& acc) {
      AreaVec4 pixel;
      std::memcpy(&pixel, row + src[t * out_w + d], sizeof(pixel));
      const AreaVec4 product = pixel * weight[t * out_w + d];
      acc = acc + product;
    };
    auto put = [&](int64_t d, const AreaVec4& acc) {
      buf[3 * d] = acc[0];
      buf[3 * d + 1] = acc[1];
      buf[3 * d + 2] = acc[2];
    };
    int64_t d = 0;
    for (; d + 4 <= out_w; d += 4) {  // four cells side by side: independent sums in flight
      AreaVec4 a0 = {0.0f, 0.0f, 0.0f, 0.0f}, a1 = a0, a2 = a0, a3 = a0;
      for (int64_t t = 0; t < x.taps; ++t) {
        tap(t, d, a0);
        tap(t, d + 1, a1);
        tap(t, d + 2, a2);
        tap(t, d + 3, a3);
      }
      put(d, a0);
      put(d + 1, a1);
      put(d + 2, a2);
      put(d + 3, a3);
    }
    for (; d < out_w; ++d) {
      AreaVec4 a = {0.0f, 0.0f, 0.0f, 0.0f};
      for (int64_t t = 0; t < x.taps; ++t) tap(t, d, a);
      put(d, a);
    }
    return;
  }
  for (int64_t i = 0; i < out_w * channels; ++i) buf[i] = 0.0f;
  for (int64_t t = 0; t < x.taps; ++t) {
    for (int64_t d = 0; d < out_w; ++d) {
      const float* p = row + src[t * out_w + d];
      const float w = weight[t * out_w + d];
      for (int64_t c = 0; c < channels; ++c) {
        const float product = p[c] * w;
        buf[d * channels + c] = buf[d * channels + c] + product;
      }
    }
  }
}

// The sums are averages of 0..255 (non-negative, far below 2^23): adding and subtracting 2^23 rounds
// them to whole numbers, halves to even, as OpenCV's cvRound (and without a libm call per pixel).
inline void area_store(const float* sum, int64_t n, uint8_t* out) {
  constexpr float kRound = 8388608.0f;
  for (int64_t i = 0; i < n; ++i) {
    const float shifted = sum[i] + kRound;
    const float rounded = shifted - kRound;
    out[i] = uint8_t(std::min(std::max(rounded, 0.0f), 255.0f));
  }
}

inline void resize_area_image(const uint8_t* src, int64_t in_h, int64_t in_w, int64_t row_stride, int64_t channels,
                              uint8_t* dst, int64_t out_h, int64_t out_w) {
  const double scale_x = 1.0 / (double(out_w) / double(in_w)), scale_y = 1.0 / (double(out_h) / double(in_h));
  const AreaTaps x_taps = area_taps(area_terms(in_w, out_w, channels, scale_x), out_w);
  const std::vector<AreaTerm> y_terms = area_terms(in_h, out_h, 1, scale_y);
  const int64_t n = out_w * channels;
  std::vector<float> buf(static_cast<size_t>(n)), sum(static_cast<size_t>(n), 0.0f);
  std::vector<float> row_f(static_cast<size_t>(in_w * channels + 4), 0.0f);
  int32_t prev_dy = y_terms.front().dst, cached_row = -1;
  for (const AreaTerm& y : y_terms) {
    if (y.src != cached_row) {
      const uint8_t* row = src + int64_t(y.src) * row_stride;
      for (int64_t i = 0; i < in_w * channels; ++i) row_f[size_t(i)] = float(row[i]);
      area_row_sums(row_f.data(), x_taps, out_w, channels, buf.data());
      cached_row = y.src;
    }
    const float beta = y.weight;
    if (y.dst != prev_dy) {
      area_store(sum.data(), n, dst + int64_t(prev_dy) * n);
      for (int64_t i = 0; i < n; ++i) sum[size_t(i)] = beta * buf[size_t(i)];
      prev_dy = y.dst;
    } else {
      for (int64_t i = 0; i < n; ++i) {
        const float product = beta * buf[size_t(i)];
        sum[size_t(i)] = sum[size_t(i)] + product;
      }
    }
  }
  area_store(sum.data(), n, dst + int64_t(prev_dy) * n);
}

#pragma GCC pop_options
