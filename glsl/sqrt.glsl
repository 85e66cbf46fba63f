#include "_common.glsl"
float op(float x) {
  return x < 0.0 ? NAN : sqrt(x);
}
#include "_elementwise.glsl"
