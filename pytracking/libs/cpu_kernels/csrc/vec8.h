// Eight-float vectors (GCC vector extension), included into each instruction-set namespace of
// cpu_kernels.cpp. Locals are naturally (32-byte) aligned; memory is read and written with memcpy,
// so it need not be.

typedef float vec8 __attribute__((vector_size(32)));

static inline vec8 load8(const float* p) {
  vec8 r;
  std::memcpy(&r, p, sizeof(r));
  return r;
}

static inline void store8(float* p, vec8 v) { std::memcpy(p, &v, sizeof(v)); }

static inline vec8 broadcast8(float s) { return vec8{s, s, s, s, s, s, s, s}; }

static inline float sum8(vec8 v) {
  float t[8];
  std::memcpy(t, &v, sizeof(t));
  return ((t[0] + t[4]) + (t[1] + t[5])) + ((t[2] + t[6]) + (t[3] + t[7]));
}
