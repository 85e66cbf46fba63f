#include "_common.glsl"
float op(float x) {
  return abs(x) > 1.0 ? NAN : acos(x);
}
#include "_elementwise.glsl"
