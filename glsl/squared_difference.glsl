#include "_common.glsl"
float op(float a, float b) {
  float d = a - b;
  return d * d;
}
#include "_elementwise.glsl"
