#include "_common.glsl"
float op(float x) {
  return exp(x);
}
#include "_elementwise.glsl"
