#include "_common.glsl"
float op(float a, float b) {
#if INT_MATH
  // numpy: integer floor division by zero gives 0
  if (b == 0.0) return 0.0;
  float q = floor(a / b);
  // a / b is rounded: fix the quotient so that the remainder lies in [0, b)
  float r = a - q * b;
  if (b > 0.0 ? r < 0.0 : r > 0.0) q -= 1.0;
  else if (b > 0.0 ? r >= b : r <= b) q += 1.0;
  return q;
#else
  // numpy's special cases (npy_divmod)
  if (is_nan(a) || is_nan(b) || is_inf(a)) return b == 0.0 ? a / b : NAN;
  if (b == 0.0) return a / b;
  if (is_inf(b)) return (a != 0.0 && (a < 0.0) != (b < 0.0)) ? -1.0 : 0.0 * sign(a) * sign(b);
  float q = floor(a / b);
  // a quotient that underflowed to zero still floors to -1 when the signs differ
  if (q == 0.0 && a != 0.0 && (a < 0.0) != (b < 0.0)) q = -1.0;
  return q;
#endif
}
#include "_elementwise.glsl"
