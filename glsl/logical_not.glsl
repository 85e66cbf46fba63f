#include "_common.glsl"
float op(float x) {
  return x == 0.0 ? 1.0 : 0.0;
}
#include "_elementwise.glsl"
