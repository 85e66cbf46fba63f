// Shared helpers of every kernel: precision, NaN/Inf tests on the bits (drivers may
// fold isnan() away), and the dense RGBA32F layout: element i lives in texel i >> 2,
// channel i & 3; texel t sits at (t & (w - 1), t >> wlog) with w = 1 << wlog.
precision highp float;
precision highp int;
precision highp sampler2D;

#define NAN uintBitsToFloat(0x7fc00000u)
#define INF uintBitsToFloat(0x7f800000u)
#define PI 3.141592653589793

bool is_nan(float x) { return (floatBitsToUint(x) & 0x7fffffffu) > 0x7f800000u; }
bool is_inf(float x) { return (floatBitsToUint(x) & 0x7fffffffu) == 0x7f800000u; }

vec4 fetch_texel(sampler2D s, int wlog, int t) {
  return texelFetch(s, ivec2(t & ((1 << wlog) - 1), t >> wlog), 0);
}

float fetch(sampler2D s, int wlog, int i) {
  return fetch_texel(s, wlog, i >> 2)[i & 3];
}

// Flat index of the first of the four elements this fragment writes.
int out_base(int out_wlog) {
  ivec2 c = ivec2(gl_FragCoord.xy);
  return ((c.y << out_wlog) + c.x) << 2;
}

// max/min that propagate NaN as numpy does.
float nan_max(float a, float b) { return (is_nan(a) || is_nan(b)) ? NAN : max(a, b); }
float nan_min(float a, float b) { return (is_nan(a) || is_nan(b)) ? NAN : min(a, b); }

// exp(x) - 1 accurate near 0 (Kahan's trick).
float expm1_(float x) {
  if (abs(x) < 1e-5) return x + 0.5 * x * x;
  float u = exp(x);
  if (u == 1.0) return x;
  float um1 = u - 1.0;
  if (um1 == -1.0) return -1.0;
  if (is_inf(u)) return u;
  return um1 * x / log(u);
}

// log(1 + x) accurate near 0.
float log1p_(float x) {
  if (x == -1.0) return -INF;
  if (x < -1.0) return NAN;
  if (is_inf(x)) return x;
  float u = 1.0 + x;
  if (u == 1.0) return x;
  return log(u) * x / (u - 1.0);
}
