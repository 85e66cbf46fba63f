#include "_common.glsl"
float op(float x) {
  return x < 0.0 ? NAN : 1.0 / sqrt(x);
}
#include "_elementwise.glsl"
