#include "_common.glsl"
float op(float a, float b) {
  return nan_min(a, b);
}
#include "_elementwise.glsl"
