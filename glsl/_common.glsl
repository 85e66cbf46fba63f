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
  if (abs(x) > 0.5 || is_nan(x)) return u - 1.0;
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
  if (abs(x) > 0.5) return log(u);
  if (u == 1.0) return x;
  return log(u) * x / (u - 1.0);
}

// INT_MATH: the result dtype is int32 (exact integer rules where they differ).
#ifndef INT_MATH
#define INT_MATH 0
#endif

// Inverse trigonometric functions (Cephes' single-precision polynomials): the
// drivers' built-ins are as loose as 4e-4 relative on llvmpipe.
float atan_(float x) {
  if (is_nan(x)) return x;
  float ax = abs(x);
  float y0 = 0.0;
  if (ax > 2.414213562373095) {
    y0 = 0.5 * PI;
    ax = -1.0 / ax;
  } else if (ax > 0.4142135623730950) {
    y0 = 0.25 * PI;
    ax = (ax - 1.0) / (ax + 1.0);
  }
  float z = ax * ax;
  float y = (((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z
             - 3.33329491539e-1) * z * ax + ax;
  return x < 0.0 ? -(y0 + y) : y0 + y;
}

float asin_(float x) {
  float a = abs(x);
  if (is_nan(x) || a > 1.0) return NAN;
  bool big = a > 0.5;
  float z = big ? 0.5 * (1.0 - a) : a * a;
  float r = big ? sqrt(z) : a;
  float p = ((((4.2163199048e-2 * z + 2.4181311049e-2) * z + 4.5470025998e-2) * z
              + 7.4953002686e-2) * z + 1.6666752422e-1) * z * r + r;
  if (big) p = 0.5 * PI - 2.0 * p;
  return x < 0.0 ? -p : p;
}

float acos_(float x) {
  if (is_nan(x) || abs(x) > 1.0) return NAN;
  if (x < -0.5) return PI - 2.0 * asin_(sqrt(0.5 * (1.0 + x)));
  if (x > 0.5) return 2.0 * asin_(sqrt(0.5 * (1.0 - x)));
  return 0.5 * PI - asin_(x);
}

// atan2 for finite, not-both-zero arguments.
float atan2_(float y, float x) {
  if (x == 0.0) return y > 0.0 ? 0.5 * PI : -0.5 * PI;
  float t = atan_(y / x);
  if (x > 0.0) return t;
  return y >= 0.0 ? t + PI : t - PI;
}
