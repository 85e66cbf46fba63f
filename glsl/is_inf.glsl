#include "_common.glsl"
float op(float x) {
  return is_inf(x) ? 1.0 : 0.0;
}
#include "_elementwise.glsl"
