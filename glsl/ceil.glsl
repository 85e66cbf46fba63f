#include "_common.glsl"
float op(float x) {
  return ceil(x);
}
#include "_elementwise.glsl"
