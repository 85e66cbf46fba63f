#include "_common.glsl"
float op(float a, float b) {
  return a - b;
}
#include "_elementwise.glsl"
