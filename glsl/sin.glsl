#include "_common.glsl"
float op(float x) {
  return sin(x);
}
#include "_elementwise.glsl"
