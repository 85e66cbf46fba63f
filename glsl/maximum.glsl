#include "_common.glsl"
float op(float a, float b) {
  return nan_max(a, b);
}
#include "_elementwise.glsl"
