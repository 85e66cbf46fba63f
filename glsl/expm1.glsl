#include "_common.glsl"
float op(float x) {
  return expm1_(x);
}
#include "_elementwise.glsl"
