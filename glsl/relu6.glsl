#include "_common.glsl"
float op(float x) {
  return is_nan(x) ? x : clamp(x, 0.0, 6.0);
}
#include "_elementwise.glsl"
