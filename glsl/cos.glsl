#include "_common.glsl"
float op(float x) {
  return cos(x);
}
#include "_elementwise.glsl"
