#include "_common.glsl"
float op(float a, float b) {
  #if INT_MATH
  // numpy: integer floor division by zero gives 0
  if (b == 0.0) return 0.0;
#endif
  float q = floor(a / b);
#if INT_MATH
  // a / b is rounded: fix the quotient so that the remainder lies in [0, b)
  float r = a - q * b;
  if (b > 0.0 ? r < 0.0 : r > 0.0) q -= 1.0;
  else if (b > 0.0 ? r >= b : r <= b) q += 1.0;
#endif
  return q;
}
#include "_elementwise.glsl"
