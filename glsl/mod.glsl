#include "_common.glsl"
float op(float a, float b) {
  #if INT_MATH
  if (b == 0.0) return 0.0;
#else
  if (b == 0.0 || is_inf(a) || is_nan(a) || is_nan(b)) return NAN;
  if (is_inf(b)) return (a == 0.0 || (a > 0.0) == (b > 0.0)) ? a : b;
#endif
  float r = a - b * floor(a / b);
  // the result takes the sign of the divisor, as numpy's
  if (r != 0.0 && ((r < 0.0) != (b < 0.0))) r += b;
  return r;
}
#include "_elementwise.glsl"
