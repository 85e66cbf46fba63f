#include "_common.glsl"
float op(float a, float b) {
  return (a != 0.0 && b != 0.0) ? 1.0 : 0.0;
}
#include "_elementwise.glsl"
