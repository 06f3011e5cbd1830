// Complex multiply-accumulate rows of ECO's filter data term (filter_data_term in cpu_kernels.cpp),
// included into each instruction-set namespace. Complex numbers are interleaved (re, im) float
// pairs; n is the number of complex entries. The pointers never alias (the compiler may vectorize).

// s += f * z
static void complex_mac(float* __restrict s, const float* __restrict f, const float* __restrict z, int64_t n) {
  for (int64_t q = 0; q < n; ++q) {
    const float fr = f[2 * q], fi = f[2 * q + 1], zr = z[2 * q], zi = z[2 * q + 1];
    s[2 * q] += fr * zr - fi * zi;
    s[2 * q + 1] += fr * zi + fi * zr;
  }
}

// o += conj(z) * s
static void conj_complex_mac(float* __restrict o, const float* __restrict z, const float* __restrict s, int64_t n) {
  for (int64_t q = 0; q < n; ++q) {
    const float zr = z[2 * q], zi = z[2 * q + 1], sr = s[2 * q], si = s[2 * q + 1];
    o[2 * q] += zr * sr + zi * si;
    o[2 * q + 1] += zr * si - zi * sr;
  }
}
