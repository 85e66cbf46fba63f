#include "_common.glsl"
float op(float x) {
  return x * x;
}
#include "_elementwise.glsl"
