#include "_common.glsl"
float op(float x) {
  return abs(x);
}
#include "_elementwise.glsl"
