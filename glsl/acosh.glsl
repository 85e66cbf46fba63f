#include "_common.glsl"
float op(float x) {
  if (x < 1.0) return NAN;
  if (is_inf(x)) return x;
  if (x > 1e18) return log(x) + 0.6931471805599453;
  float t = x - 1.0;
  return log1p_(t + sqrt(2.0 * t + t * t));
}
#include "_elementwise.glsl"
