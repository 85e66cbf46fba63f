#include "_common.glsl"
float op(float x) {
  return atan_(x);
}
#include "_elementwise.glsl"
