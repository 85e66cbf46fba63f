#include "_common.glsl"
float op(float x) {
  float ax = abs(x);
  if (is_nan(x)) return x;
  // e^|x| / 2 written as e^(|x| - ln 2) so it does not overflow before sinh does
  if (ax > 20.0) return sign(x) * exp(ax - 0.6931471805599453);
  // via expm1 so that small |x| keeps its relative precision
  float e = expm1_(ax);
  return sign(x) * 0.5 * (e + e / (e + 1.0));
}
#include "_elementwise.glsl"
