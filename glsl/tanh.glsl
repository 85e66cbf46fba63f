#include "_common.glsl"
float op(float x) {
  // -expm1(-2|x|) / (2 + expm1(-2|x|)): no overflow, accurate near 0
  if (is_nan(x)) return x;
  if (abs(x) > 10.0) return sign(x);
  float e = expm1_(-2.0 * abs(x));
  return sign(x) * (-e / (2.0 + e));
}
#include "_elementwise.glsl"
