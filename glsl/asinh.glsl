#include "_common.glsl"
float op(float x) {
  if (is_nan(x) || is_inf(x)) return x;
  float ax = abs(x);
  float r = ax > 1e18 ? log(ax) + 0.6931471805599453 : log1p_(ax + ax * ax / (1.0 + sqrt(1.0 + ax * ax)));
  return sign(x) * r;
}
#include "_elementwise.glsl"
