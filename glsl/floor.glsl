#include "_common.glsl"
float op(float x) {
  return floor(x);
}
#include "_elementwise.glsl"
