// A fully connected layer's products for a few rows, included twice by cpu_kernels.cpp (generic
// and AVX2 + FMA, after vec8.h). Both passes read the same row-major weight w (N x K): the forward
// dot products split the N units between threads, the input gradient splits the K inputs. Rows are
// handled five at a time and units (forward) or inputs (gradient) sixteen floats at a time, so
// that the accumulators stay in registers.

// pre[p][j] = x[p] . w[j] for the rows p < P and the units j in [j0, j1).
static void linear_dots(const float* x, const float* w, int64_t P, int64_t K, int64_t N, int64_t j0, int64_t j1,
                        float* pre) {
  for (int64_t j = j0; j < j1; j += 2) {
    const bool two = j + 1 < j1;
    const float* w0 = w + j * K;
    const float* w1 = two ? w0 + K : w0;
    for (int64_t p0 = 0; p0 < P; p0 += 5) {
      const int rows = (int)std::min<int64_t>(5, P - p0);
      const float* xr[5];
      for (int q = 0; q < 5; ++q) xr[q] = x + (p0 + std::min(q, rows - 1)) * K;  // spare slots repeat a row
      vec8 a0[5] = {}, a1[5] = {};
      for (int64_t k = 0; k < K; k += 8) {
        const vec8 v0 = load8(w0 + k), v1 = load8(w1 + k);
#pragma GCC unroll 5
        for (int q = 0; q < 5; ++q) {
          const vec8 xv = load8(xr[q] + k);
          a0[q] += xv * v0;
          a1[q] += xv * v1;
        }
      }
      for (int q = 0; q < rows; ++q) {
        pre[(p0 + q) * N + j] = sum8(a0[q]);
        if (two) pre[(p0 + q) * N + j + 1] = sum8(a1[q]);
      }
    }
  }
}

// g[p][k] = sum_j d[p][j] w[j][k] for the rows p < P and the inputs k in [k0, k1) (k0 a multiple
// of 16; K a multiple of 8).
static void linear_input_grad(const float* d, const float* w, int64_t P, int64_t K, int64_t N, int64_t k0,
                              int64_t k1, float* g) {
  for (int64_t k = k0; k < k1; k += 16) {
    const bool two = k + 8 < k1;
    for (int64_t p0 = 0; p0 < P; p0 += 5) {
      const int rows = (int)std::min<int64_t>(5, P - p0);
      const float* dr[5];
      for (int q = 0; q < 5; ++q) dr[q] = d + (p0 + std::min(q, rows - 1)) * N;
      vec8 a0[5] = {}, a1[5] = {};
      for (int64_t j = 0; j < N; ++j) {
        const float* wr = w + j * K + k;
        const vec8 v0 = load8(wr), v1 = two ? load8(wr + 8) : vec8{};
#pragma GCC unroll 5
        for (int q = 0; q < 5; ++q) {
          const vec8 b = broadcast8(dr[q][j]);
          a0[q] += b * v0;
          a1[q] += b * v1;
        }
      }
      for (int q = 0; q < rows; ++q) {
        store8(g + (p0 + q) * K + k, a0[q]);
        if (two) store8(g + (p0 + q) * K + k + 8, a1[q]);
      }
    }
  }
}
