#include "_common.glsl"
float op(float x) {
  float ax = abs(x);
  if (is_nan(x)) return x;
  if (ax > 20.0) return exp(ax - 0.6931471805599453);
  float e = exp(ax);
  return 0.5 * (e + 1.0 / e);
}
#include "_elementwise.glsl"
