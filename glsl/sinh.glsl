#include "_common.glsl"
float op(float x) {
  // via expm1 so small |x| keeps its relative precision
  if (abs(x) > 88.0) return is_nan(x) ? x : sign(x) * INF;
  float e = expm1_(abs(x));
  return sign(x) * 0.5 * (e + e / (e + 1.0));
}
#include "_elementwise.glsl"
