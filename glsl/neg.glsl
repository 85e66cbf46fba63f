#include "_common.glsl"
float op(float x) {
  return -x;
}
#include "_elementwise.glsl"
