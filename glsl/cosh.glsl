#include "_common.glsl"
float op(float x) {
  float ax = abs(x);
  if (ax > 89.0) return is_nan(x) ? x : INF;
  float e = exp(ax);
  return 0.5 * (e + 1.0 / e);
}
#include "_elementwise.glsl"
