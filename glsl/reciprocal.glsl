#include "_common.glsl"
float op(float x) {
  return 1.0 / x;
}
#include "_elementwise.glsl"
