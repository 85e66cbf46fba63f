#include "_common.glsl"
float op(float x) {
  float ax = abs(x);
  if (ax > 1.0) return NAN;
  if (ax == 1.0) return sign(x) * INF;
  return sign(x) * 0.5 * log1p_(2.0 * ax / (1.0 - ax));
}
#include "_elementwise.glsl"
