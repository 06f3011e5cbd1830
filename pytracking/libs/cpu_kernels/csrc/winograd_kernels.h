// Winograd F(4x4, 3x3) tile transforms, included twice by cpu_kernels.cpp: into namespace
// `generic` (the compiler's baseline instruction set) and into namespace `avx2` under
// `#pragma GCC target("avx2,fma")`, after vec8.h. Channels are the innermost (contiguous)
// dimension of every array, and each loop step handles a vector of 8 channels.
//
// Matrices (interpolation points 0, 1, -1, 2, -2 and infinity):
//   B^T = [4  0 -5  0 1 0;  0 -4 -4  1 1 0;  0 4 -4 -1 1 0;
//          0 -2 -1  2 1 0;  0  2 -1 -2 1 0;  0 4  0 -5 0 1]
//   A^T = [1 1  1 1  1 0;  0 1 -1 2 -2 0;  0 1 1 4 4 0;  0 1 -1 8 -8 1]

// out[0..5] = B^T d, for one column of a 6x6 tile.
static inline void bt_apply(const vec8* d, vec8* out) {
  out[0] = 4 * d[0] - 5 * d[2] + d[4];
  out[1] = d[3] + d[4] - 4 * (d[1] + d[2]);
  out[2] = 4 * (d[1] - d[2]) + d[4] - d[3];
  out[3] = 2 * (d[3] - d[1]) + d[4] - d[2];
  out[4] = 2 * (d[1] - d[3]) + d[4] - d[2];
  out[5] = 4 * d[1] - 5 * d[3] + d[5];
}

// out[0..3] = A^T m, for one column of a 6x6 tile.
static inline void at_apply(const vec8* m, vec8* out) {
  const vec8 s12 = m[1] + m[2], d12 = m[1] - m[2], s34 = m[3] + m[4], d34 = m[3] - m[4];
  out[0] = m[0] + s12 + s34;
  out[1] = d12 + 2 * d34;
  out[2] = s12 + 4 * s34;
  out[3] = d12 + 8 * d34 + m[5];
}

// Input transform of tiles [t0, t1): V[k][t][c] = (B^T d B)[k] for the 6x6 input tile d of tile t
// (zero outside the input).
static void input_tiles(const TileGeometry& g, const float* x, float* v, int64_t t0, int64_t t1) {
  const vec8 zero = {0, 0, 0, 0, 0, 0, 0, 0};
  const int64_t plane = g.num_tiles * g.in_channels;  // stride between the 36 matrices
  for (int64_t t = t0; t < t1; ++t) {
    const int64_t n = t / g.tiles_per_image, r = t % g.tiles_per_image;
    const int64_t y0 = (r / g.tiles_w) * 4 - g.pad_top, x0 = (r % g.tiles_w) * 4 - g.pad_left;
    const float* pix[6][6];  // nullptr: outside the input
    for (int a = 0; a < 6; ++a) {
      for (int b = 0; b < 6; ++b) {
        const int64_t yy = y0 + a, xx = x0 + b;
        const bool inside = yy >= 0 && yy < g.in_h && xx >= 0 && xx < g.in_w;
        pix[a][b] = inside ? x + ((n * g.in_h + yy) * g.in_w + xx) * g.in_channels : nullptr;
      }
    }
    float* out = v + t * g.in_channels;
    for (int64_t c = 0; c < g.in_channels; c += 8) {
      vec8 rows[6][6];  // rows[i][b] = (B^T d)[i][b]
      for (int b = 0; b < 6; ++b) {
        vec8 d[6], col[6];
        for (int a = 0; a < 6; ++a) d[a] = pix[a][b] ? load8(pix[a][b] + c) : zero;
        bt_apply(d, col);
        for (int i = 0; i < 6; ++i) rows[i][b] = col[i];
      }
      for (int i = 0; i < 6; ++i) {
        vec8 e[6];
        bt_apply(rows[i], e);
        for (int j = 0; j < 6; ++j) store8(out + (i * 6 + j) * plane + c, e[j]);
      }
    }
  }
}

// Output transform of tiles [t0, t1): y = A^T M A + bias (+ residual) (ReLU), cropped to the
// output size.
static void output_tiles(const TileGeometry& g, const float* m, const float* bias, const float* residual,
                         bool relu, float* y, int64_t t0, int64_t t1) {
  const vec8 zero = {0, 0, 0, 0, 0, 0, 0, 0};
  const int64_t plane = g.num_tiles * g.out_channels;
  for (int64_t t = t0; t < t1; ++t) {
    const int64_t n = t / g.tiles_per_image, r = t % g.tiles_per_image;
    const int64_t oy = (r / g.tiles_w) * 4, ox = (r % g.tiles_w) * 4;
    const int rows_out = (int)std::min<int64_t>(4, g.out_h - oy), cols_out = (int)std::min<int64_t>(4, g.out_w - ox);
    const float* in = m + t * g.out_channels;
    for (int64_t c = 0; c < g.out_channels; c += 8) {
      vec8 cols[4][6];  // cols[i][b] = (A^T M)[i][b]
      for (int b = 0; b < 6; ++b) {
        vec8 p[6], s[4];
        for (int a = 0; a < 6; ++a) p[a] = load8(in + (a * 6 + b) * plane + c);
        at_apply(p, s);
        for (int i = 0; i < 4; ++i) cols[i][b] = s[i];
      }
      const vec8 b8 = bias ? load8(bias + c) : zero;
      for (int i = 0; i < rows_out; ++i) {
        vec8 o[4];
        at_apply(cols[i], o);
        const int64_t row = ((n * g.out_h + oy + i) * g.out_w + ox) * g.out_channels + c;
        for (int j = 0; j < cols_out; ++j) {
          const int64_t off = row + j * g.out_channels;
          vec8 val = o[j] + b8;
          if (residual) val += load8(residual + off);
          if (relu) val = val > zero ? val : zero;
          store8(y + off, val);
        }
      }
    }
  }
}
