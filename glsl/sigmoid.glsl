#include "_common.glsl"
float op(float x) {
  // stable on both sides: exp of a non-positive number never overflows
  if (is_nan(x)) return x;
  if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
  float e = exp(x);
  return e / (1.0 + e);
}
#include "_elementwise.glsl"
