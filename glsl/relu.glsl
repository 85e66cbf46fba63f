#include "_common.glsl"
float op(float x) {
  return (is_nan(x) || x > 0.0) ? x : 0.0;
}
#include "_elementwise.glsl"
