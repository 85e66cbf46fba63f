#include "_common.glsl"
float op(float a, float b) {
  return (is_nan(a) || a > 0.0) ? a : b * a;
}
#include "_elementwise.glsl"
