#include "_common.glsl"
float op(float a, float b) {
  return a != b ? 1.0 : 0.0;
}
#include "_elementwise.glsl"
