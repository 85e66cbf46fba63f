#include "_common.glsl"
float op(float x) {
  if (is_nan(x)) return x;
  float ax = abs(x);
  if (ax < 0.5) {
    // Maclaurin series: relative precision near 0
    float z = x * x;
    return 1.1283791670955126 * x * (1.0 + z * (-1.0 / 3.0 + z * (0.1 + z * (-1.0 / 42.0
           + z * (1.0 / 216.0 + z * (-1.0 / 1320.0))))));
  }
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7 where erf >= 0.52)
  float t = 1.0 / (1.0 + 0.3275911 * ax);
  float p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
            + t * 1.061405429))));
  return sign(x) * (1.0 - p * exp(-ax * ax));
}
#include "_elementwise.glsl"
