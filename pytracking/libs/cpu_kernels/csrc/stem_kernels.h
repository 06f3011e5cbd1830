// ResNet stem for inference: maxpool3x3/2(relu(conv7x7/2(x) + bias)), included twice by
// cpu_kernels.cpp (generic and AVX2 + FMA, after vec8.h). The convolution rows are computed into a
// ring of three rows and each pooled row is emitted as soon as its three convolution rows exist, so
// the full-resolution activation never goes to memory.
//
// xp: one zero-padded channels-last image, xp[(y * g.pad_w + x) * g.in_channels + c], the image at
// (3, 3); w: packed weights w[((ky * 7 + kx) * in_channels + c) * out_channels + o];
// y: channels-last output of the image.

// Convolution row r, ReLU applied, into row[ox * out_channels + o] for ox < conv_w; STEM_BLOCK
// output columns x 16 channels at a time (12 accumulators: enough independent FMA chains to hide
// their latency).
static void stem_conv_row(const StemGeometry& g, const float* xp, const float* w, const float* bias, int64_t r,
                          float* row) {
  const int64_t C = g.in_channels, O = g.out_channels;
  const vec8 zero = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int64_t ox0 = 0; ox0 < g.conv_w; ox0 += STEM_BLOCK) {
    for (int64_t o = 0; o < O; o += 16) {
      vec8 acc[STEM_BLOCK][2];
      const vec8 b0 = load8(bias + o), b1 = load8(bias + o + 8);
      for (int q = 0; q < STEM_BLOCK; ++q) {
        acc[q][0] = b0;
        acc[q][1] = b1;
      }
      for (int ky = 0; ky < 7; ++ky) {
        const float* in_row = xp + ((2 * r + ky) * g.pad_w + 2 * ox0) * C;
        const float* w_row = w + (ky * 7) * C * O + o;
        for (int64_t t = 0; t < 7 * C; ++t) {  // t = kx * C + c: consecutive in both xp and w
          const vec8 w0 = load8(w_row + t * O), w1 = load8(w_row + t * O + 8);
#pragma GCC unroll 6
          for (int q = 0; q < STEM_BLOCK; ++q) {
            const vec8 v = broadcast8(in_row[2 * q * C + t]);
            acc[q][0] += v * w0;
            acc[q][1] += v * w1;
          }
        }
      }
      for (int q = 0; q < STEM_BLOCK && ox0 + q < g.conv_w; ++q) {
        float* out = row + (ox0 + q) * O + o;
        store8(out, acc[q][0] > zero ? acc[q][0] : zero);
        store8(out + 8, acc[q][1] > zero ? acc[q][1] : zero);
      }
    }
  }
}

// Pooled rows [p0, p1) of one image.
static void stem_rows(const StemGeometry& g, const float* xp, const float* w, const float* bias, float* y,
                      int64_t p0, int64_t p1, float* ring) {
  const int64_t O = g.out_channels, row_floats = g.conv_w * O;
  int64_t next = std::max<int64_t>(2 * p0 - 1, 0);  // the next convolution row to compute
  for (int64_t p = p0; p < p1; ++p) {
    const int64_t r0 = std::max<int64_t>(2 * p - 1, 0), r1 = std::min<int64_t>(2 * p + 1, g.conv_h - 1);
    for (; next <= r1; ++next) stem_conv_row(g, xp, w, bias, next, ring + (next % 3) * row_floats);
    for (int64_t q = 0; q < g.pool_w; ++q) {
      const int64_t c0 = std::max<int64_t>(2 * q - 1, 0), c1 = std::min<int64_t>(2 * q + 1, g.conv_w - 1);
      float* out = y + (p * g.pool_w + q) * O;
      for (int64_t o = 0; o < O; o += 8) {
        vec8 m = {0, 0, 0, 0, 0, 0, 0, 0};  // every value is >= 0 after the ReLU
        for (int64_t r = r0; r <= r1; ++r) {
          const float* src = ring + (r % 3) * row_floats + o;
          for (int64_t c = c0; c <= c1; ++c) {
            const vec8 v = load8(src + c * O);
            m = v > m ? v : m;
          }
        }
        store8(out + o, m);
      }
    }
  }
}
