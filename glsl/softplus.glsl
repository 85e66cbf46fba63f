#include "_common.glsl"
float op(float x) {
  // max(x, 0) + log1p(exp(-|x|)): no overflow for large x
  if (is_nan(x)) return x;
  return max(x, 0.0) + log1p_(exp(-abs(x)));
}
#include "_elementwise.glsl"
