// FHOG (31 channels per cell) of one image, included into each instruction-set namespace of
// cpu_kernels.cpp. The definition (and a plain torch version that these functions must equal up to
// float32 rounding) is pytracking.features.handcrafted.fhog_reference:
//   gradient of each channel (halved central differences inside, one-sided on the border), the
//   channel with the largest magnitude; 18 contrast-sensitive orientation bins centred at o * 20
//   degrees (nearest centre, or linear between the two nearest); bilinear spatial binning into
//   cells; block energies of the 9 contrast-insensitive sums over 2x2 cells, border cells reusing
//   the nearest block; 18 + 9 channels 0.5 * sum over the 4 blocks of min(h * n, clip), 4 texture
//   channels 0.2357 * sum over the 18 sensitive bins of min(h * n, clip).

// The orientation loop runs on vectors of kFhogLanes floats: 8 where such vectors are native (AVX2),
// else 4 (SSE2, NEON).
constexpr int kFhogLanes = kNativeVec8 ? 8 : 4;
typedef float fhog_vec __attribute__((vector_size(kFhogLanes * sizeof(float))));
typedef int32_t fhog_ivec __attribute__((vector_size(kFhogLanes * sizeof(int32_t))));

static inline fhog_vec fhog_load(const float* p) {
  fhog_vec r;
  std::memcpy(&r, p, sizeof(r));
  return r;
}

static inline fhog_vec fhog_splat(float s) { return fhog_vec{} + s; }

// atan(a) for a in [0, 1]: odd minimax polynomial, error below 2e-6 rad.
static inline fhog_vec atan01(fhog_vec a) {
  const fhog_vec s = a * a;
  fhog_vec r = fhog_splat(-0.01172120f);
  r = r * s + 0.05265332f;
  r = r * s - 0.11643287f;
  r = r * s + 0.19354346f;
  r = r * s - 0.33262347f;
  r = r * s + 0.99997726f;
  return r * a;
}

// Gradients of image row y at columns [0, n) of all channels into gx[c * n + x], gy[c * n + x].
static void fhog_row_gradients(const float* img, int64_t channels, int64_t height, int64_t width, int64_t y,
                               int64_t n, float* gx, float* gy) {
  const int64_t up = y > 0 ? y - 1 : y, down = y + 1 < height ? y + 1 : y;
  const float ry = (y > 0 && y + 1 < height) ? 0.5f : 1.0f;
  const int64_t inner_end = std::min(n, width - 1);  // columns x with x + 1 < width
  for (int64_t c = 0; c < channels; ++c) {
    const float* plane = img + c * height * width;
    const float* r_up = plane + up * width;
    const float* r_mid = plane + y * width;
    const float* r_down = plane + down * width;
    float* gxc = gx + c * n;
    float* gyc = gy + c * n;
    for (int64_t x = 0; x < n; ++x) gyc[x] = (r_down[x] - r_up[x]) * ry;
    if (width < 2) {
      for (int64_t x = 0; x < n; ++x) gxc[x] = 0.0f;
      continue;
    }
    gxc[0] = r_mid[1] - r_mid[0];
    for (int64_t x = 1; x < inner_end; ++x) gxc[x] = (r_mid[x + 1] - r_mid[x - 1]) * 0.5f;
    if (n == width) gxc[width - 1] = r_mid[width - 1] - r_mid[width - 2];
  }
}

// Per pixel of a row: magnitude, first orientation bin and its weight (soft: the second bin is
// bin + 1 mod 18 with weight 1 - w0; hard: w0 = 1).
static void fhog_row_orientations(const float* gx, const float* gy, int64_t channels, int64_t n, bool soft,
                                  float* mag, int32_t* bin, float* w0) {
  static const float kCos[9] = {1.0f, 0.9396926207859084f, 0.766044443118978f, 0.5f, 0.17364817766693041f,
                                -0.17364817766693033f, -0.4999999999999998f, -0.7660444431189779f,
                                -0.9396926207859083f};
  static const float kSin[9] = {0.0f, 0.3420201433256687f, 0.6427876096865393f, 0.8660254037844386f,
                                0.984807753012208f, 0.984807753012208f, 0.8660254037844387f,
                                0.6427876096865395f, 0.3420201433256689f};
  const float kBinsPerRad = 9.0f / 3.14159265358979323846f;
  int64_t x = 0;
  for (; x + kFhogLanes <= n; x += kFhogLanes) {
    fhog_vec bx = fhog_load(gx + x), by = fhog_load(gy + x);
    fhog_vec best = bx * bx + by * by;
    for (int64_t c = 1; c < channels; ++c) {
      const fhog_vec cx = fhog_load(gx + c * n + x), cy = fhog_load(gy + c * n + x);
      const fhog_vec e = cx * cx + cy * cy;
      const fhog_ivec take = e > best;
      bx = take ? cx : bx;
      by = take ? cy : by;
      best = take ? e : best;
    }
    for (int k = 0; k < kFhogLanes; ++k) mag[x + k] = std::sqrt(best[k]);
    if (!soft) {
      // the largest |cos c gx + sin c gy| over the 9 axes (strictly larger: the first on ties), then
      // bin k for a positive product, k + 9 for a negative one
      const fhog_vec zero = fhog_splat(0.0f);
      fhog_vec top = zero, sign = zero;
      fhog_ivec o = fhog_ivec{};
      for (int k = 0; k < 9; ++k) {
        const fhog_vec d = bx * kCos[k] + by * kSin[k];
        const fhog_vec ad = d < zero ? -d : d;
        const fhog_ivec take = ad > top;
        o = take ? fhog_ivec{} + k : o;
        sign = take ? d : sign;
        top = take ? ad : top;
      }
      o = sign < zero ? o + 9 : o;
      // exactly vertical gradients lie halfway between two bins; Dollar's fhog rounds up (5, 14)
      const fhog_ivec vertical = (bx == zero) & (by != zero);
      o = vertical ? (by > zero ? fhog_ivec{} + 5 : fhog_ivec{} + 14) : o;
      std::memcpy(bin + x, &o, sizeof(o));
      for (int k = 0; k < kFhogLanes; ++k) w0[x + k] = 1.0f;
    } else {
      const fhog_vec zero = fhog_splat(0.0f);
      const fhog_vec ax = bx < zero ? -bx : bx, ay = by < zero ? -by : by;
      const fhog_ivec y_larger = ay > ax;
      const fhog_vec hi = y_larger ? ay : ax, lo = y_larger ? ax : ay;
      const fhog_vec ratio = hi > zero ? lo / (hi > zero ? hi : fhog_splat(1.0f)) : zero;
      fhog_vec t = atan01(ratio);                                        // [0, pi/4]
      t = y_larger ? fhog_splat(1.57079632679489662f) - t : t;           // [0, pi/2]
      t = bx < zero ? fhog_splat(3.14159265358979324f) - t : t;          // [0, pi]
      t = by < zero ? fhog_splat(6.28318530717958648f) - t : t;          // [0, 2 pi]
      const fhog_vec pos = t * kBinsPerRad;
      for (int k = 0; k < kFhogLanes; ++k) {
        const float p = pos[k];
        const float lower = std::floor(p);
        bin[x + k] = int32_t(lower) % 18;
        w0[x + k] = 1.0f - (p - lower);
      }
    }
  }
  for (; x < n; ++x) {
    float bx = gx[x], by = gy[x];
    float best = bx * bx + by * by;
    for (int64_t c = 1; c < channels; ++c) {
      const float cx = gx[c * n + x], cy = gy[c * n + x];
      const float e = cx * cx + cy * cy;
      if (e > best) {
        best = e;
        bx = cx;
        by = cy;
      }
    }
    mag[x] = std::sqrt(best);
    if (!soft) {
      float top = 0.0f, sign = 0.0f;
      int32_t o = 0;
      for (int k = 0; k < 9; ++k) {
        const float d = bx * kCos[k] + by * kSin[k];
        if (std::fabs(d) > top) {
          top = std::fabs(d);
          sign = d;
          o = k;
        }
      }
      bin[x] = sign < 0.0f ? o + 9 : o;
      if (bx == 0.0f && by != 0.0f) bin[x] = by > 0.0f ? 5 : 14;
      w0[x] = 1.0f;
    } else {
      const float ax = std::fabs(bx), ay = std::fabs(by);
      const bool y_larger = ay > ax;
      const float hi = y_larger ? ay : ax, lo = y_larger ? ax : ay;
      float t = atan01(fhog_splat(hi > 0.0f ? lo / hi : 0.0f))[0];  // the vector path's polynomial
      if (y_larger) t = 1.57079632679489662f - t;
      if (bx < 0.0f) t = 3.14159265358979324f - t;
      if (by < 0.0f) t = 6.28318530717958648f - t;
      const float p = t * kBinsPerRad;
      const float lower = std::floor(p);
      bin[x] = int32_t(lower) % 18;
      w0[x] = 1.0f - (p - lower);
    }
  }
}

// Floats of work memory fhog_image needs.
static inline int64_t fhog_work_floats(int64_t channels, int64_t height, int64_t width, int64_t s) {
  const int64_t h = height / s, w = width / s, n = w * s;
  const int64_t bh = std::max<int64_t>(h - 1, 1), bw = std::max<int64_t>(w - 1, 1);
  return (h + 2) * (w + 2) * 18 + 2 * channels * n + 5 * n + h * w * 10 + bh * bw;
}

// FHOG of one C x H x W image (cell size s, grid h x w = H/s x W/s) into out (31 x h x w);
// work: fhog_work_floats(...) floats.
static void fhog_image(const float* img, int64_t channels, int64_t height, int64_t width, int64_t s, bool soft,
                       float clip, float* out, float* work) {
  const int64_t h = height / s, w = width / s;
  const int64_t n = w * s;                // pixels per row that are binned
  const int64_t wp = w + 2, hp = h + 2;   // histogram with a one-cell margin
  float* hist = work;                                   // hp * wp * 18
  float* gx = hist + hp * wp * 18;                      // channels * n
  float* gy = gx + channels * n;                        // channels * n
  float* mag = gy + channels * n;                       // n
  float* w0 = mag + n;                                  // n
  float* col_w = w0 + n;                                // n (weight of the lower cell)
  int32_t* bin = reinterpret_cast<int32_t*>(col_w + n);  // n
  int32_t* col_cell = bin + n;                          // n (lower cell + 1)
  float* energy = reinterpret_cast<float*>(col_cell + n);  // h * w
  float* r2 = energy + h * w;                           // h * w * 9
  const int64_t bh = std::max<int64_t>(h - 1, 1), bw = std::max<int64_t>(w - 1, 1);
  float* norm = r2 + h * w * 9;                         // bh * bw
  std::fill(hist, hist + hp * wp * 18, 0.0f);
  const float cell_size = float(s);
  for (int64_t x = 0; x < n; ++x) {
    const float p = (float(x) + 0.5f) / cell_size - 0.5f;
    const float lower = std::floor(p);
    col_cell[x] = int32_t(lower) + 1;
    col_w[x] = 1.0f - (p - lower);
  }
  const int64_t row_stride = wp * 18;
  for (int64_t y = 0; y < h * s; ++y) {
    fhog_row_gradients(img, channels, height, width, y, n, gx, gy);
    fhog_row_orientations(gx, gy, channels, n, soft, mag, bin, w0);
    const float p = (float(y) + 0.5f) / cell_size - 0.5f;
    const float lower = std::floor(p);
    const float wy1 = p - lower, wy0 = 1.0f - wy1;
    float* hrow = hist + (int64_t(lower) + 1) * row_stride;
    for (int64_t x = 0; x < n; ++x) {
      const float m = mag[x];
      const float wx0 = col_w[x], wx1 = 1.0f - wx0;
      float* cell = hrow + int64_t(col_cell[x]) * 18;
      const float a = m * wy0, b = m * wy1;
      const float v00 = a * wx0, v01 = a * wx1, v10 = b * wx0, v11 = b * wx1;
      if (!soft) {
        float* hb = cell + bin[x];
        hb[0] += v00;
        hb[18] += v01;
        hb[row_stride] += v10;
        hb[row_stride + 18] += v11;
      } else {
        const int32_t o0 = bin[x], o1 = o0 == 17 ? 0 : o0 + 1;
        const float f0 = w0[x], f1 = 1.0f - f0;
        cell[o0] += v00 * f0;
        cell[o1] += v00 * f1;
        cell[18 + o0] += v01 * f0;
        cell[18 + o1] += v01 * f1;
        cell[row_stride + o0] += v10 * f0;
        cell[row_stride + o1] += v10 * f1;
        cell[row_stride + 18 + o0] += v11 * f0;
        cell[row_stride + 18 + o1] += v11 * f1;
      }
    }
  }
  // Dollar's gradHist: 8/7 for each of the first and last cell row and column (corners twice)
  const float border = 8.0f / 7.0f;
  for (int64_t i = 0; i < h; ++i) {
    for (int64_t j = 0; j < w; ++j) {
      const int sides = (i == 0) + (i == h - 1) + (j == 0) + (j == w - 1);
      if (sides == 0) continue;
      float factor = 1.0f;
      for (int k = 0; k < sides; ++k) factor *= border;
      float* r1 = hist + ((i + 1) * wp + (j + 1)) * 18;
      for (int o = 0; o < 18; ++o) r1[o] *= factor;
    }
  }
  // contrast-insensitive sums and their energies, then block normalisers (bh x bw blocks)
  for (int64_t i = 0; i < h; ++i) {
    for (int64_t j = 0; j < w; ++j) {
      const float* r1 = hist + ((i + 1) * wp + (j + 1)) * 18;
      float* q = r2 + (i * w + j) * 9;
      float sum = 0.0f;
      for (int o = 0; o < 9; ++o) {
        q[o] = r1[o] + r1[o + 9];
        sum += q[o] * q[o];
      }
      energy[i * w + j] = sum;
    }
  }
  for (int64_t i = 0; i < bh; ++i) {
    for (int64_t j = 0; j < bw; ++j) {
      float sum = 0.0f;
      for (int64_t dj = 0; dj < 2; ++dj)      // same order as the torch version
        for (int64_t di = 0; di < 2; ++di)
          if (i + di < h && j + dj < w) sum += energy[(i + di) * w + j + dj];
      norm[i * bw + j] = 1.0f / std::sqrt(sum + 2.5e-5f);
    }
  }
  const int64_t plane = h * w;
  for (int64_t i = 0; i < h; ++i) {
    const int64_t i0 = std::min(i, bh - 1), i1 = std::min(std::max<int64_t>(i - 1, 0), bh - 1);
    for (int64_t j = 0; j < w; ++j) {
      const int64_t j0 = std::min(j, bw - 1), j1 = std::min(std::max<int64_t>(j - 1, 0), bw - 1);
      const float nk[4] = {norm[i0 * bw + j0], norm[i1 * bw + j0], norm[i0 * bw + j1], norm[i1 * bw + j1]};
      const float* r1 = hist + ((i + 1) * wp + (j + 1)) * 18;
      const float* q = r2 + (i * w + j) * 9;
      float* o_cell = out + i * w + j;
      float sensitive[18] = {0.0f}, insensitive[9] = {0.0f}, texture[4];
      for (int k = 0; k < 4; ++k) {   // sums over the blocks in the order k = 0..3 (as the torch version)
        const float nkk = nk[k];
        float t[18];
        for (int o = 0; o < 18; ++o) t[o] = std::min(r1[o] * nkk, clip);
        for (int o = 0; o < 18; ++o) sensitive[o] += t[o];
        for (int o = 0; o < 9; ++o) insensitive[o] += std::min(q[o] * nkk, clip);
        float tex = 0.0f;
        for (int o = 0; o < 18; ++o) tex += t[o];
        texture[k] = tex;
      }
      for (int o = 0; o < 18; ++o) o_cell[o * plane] = sensitive[o] * 0.5f;
      for (int o = 0; o < 9; ++o) o_cell[(18 + o) * plane] = insensitive[o] * 0.5f;
      for (int k = 0; k < 4; ++k) o_cell[(27 + k) * plane] = texture[k] * 0.2357f;
    }
  }
}
