#include "_common.glsl"
// a ** n for an integer n by repeated squaring: exact for integers, and more
// accurate than exp2(n * log2(a)) for floats.
float pow_int(float a, float n) {
  float base = n < 0.0 ? 1.0 / a : a;
  int e = int(abs(n));
  float r = 1.0;
  for (int k = 0; k < 25; k++) {
    if ((e & 1) == 1) r *= base;
    e >>= 1;
    if (e == 0) break;
    base *= base;
  }
  return r;
}

float op(float a, float b) {
  // GLSL's pow is undefined for a < 0 or a == 0: spell numpy's rules out
  if (b == 0.0) return 1.0;
  if (is_nan(a) || is_nan(b)) return NAN;
  if (a == 1.0) return 1.0;
  bool b_int = floor(b) == b;
  if (a == 0.0) {
    if (b < 0.0) return INF;
    bool odd = b_int && mod(b, 2.0) == 1.0;
    return odd ? a : 0.0;
  }
  if (is_inf(b)) {
    float m = abs(a);
    if (m == 1.0) return 1.0;
    return (m > 1.0) == (b > 0.0) ? INF : 0.0;
  }
  if (b_int && abs(b) < 16777216.0) {
    float r = pow_int(a, b);
#if INT_MATH
    r = trunc(r);
#endif
    return r;
  }
  if (a < 0.0) return NAN;
  return exp2(b * log2(a));
}
#include "_elementwise.glsl"
