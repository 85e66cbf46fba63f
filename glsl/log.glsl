#include "_common.glsl"
float op(float x) {
  if (x < 0.0) return NAN;
  if (x == 0.0) return -INF;
  return log(x);
}
#include "_elementwise.glsl"
