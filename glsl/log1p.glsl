#include "_common.glsl"
float op(float x) {
  return log1p_(x);
}
#include "_elementwise.glsl"
