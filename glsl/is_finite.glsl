#include "_common.glsl"
float op(float x) {
  return (is_nan(x) || is_inf(x)) ? 0.0 : 1.0;
}
#include "_elementwise.glsl"
