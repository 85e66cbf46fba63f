#include "_common.glsl"
float op(float a, float b) {
  // numpy's atan2, signed zeros and infinities included
  if (is_nan(a) || is_nan(b)) return NAN;
  bool neg_a = floatBitsToUint(a) >> 31 == 1u;
  bool neg_b = floatBitsToUint(b) >> 31 == 1u;
  if (a == 0.0) return neg_b ? (neg_a ? -PI : PI) : a;
  if (is_inf(a) && is_inf(b)) return (neg_b ? 0.75 * PI : 0.25 * PI) * sign(a);
  if (is_inf(b)) return neg_b ? (neg_a ? -PI : PI) : (neg_a ? -0.0 : 0.0);
  if (is_inf(a)) return 0.5 * PI * sign(a);
  return atan2_(a, b);
}
#include "_elementwise.glsl"
