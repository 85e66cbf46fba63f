#include "_common.glsl"
float op(float x) {
  return acos_(x);
}
#include "_elementwise.glsl"
