#include "_common.glsl"
float op(float x) {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7)
  if (is_nan(x)) return x;
  float ax = abs(x);
  float t = 1.0 / (1.0 + 0.3275911 * ax);
  float p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(x) * (1.0 - p * exp(-ax * ax));
}
#include "_elementwise.glsl"
