#include "_common.glsl"
float op(float x) {
  return asin_(x);
}
#include "_elementwise.glsl"
