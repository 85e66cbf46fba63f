#include "_common.glsl"
float op(float x) {
  return atan(x);
}
#include "_elementwise.glsl"
