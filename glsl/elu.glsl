#include "_common.glsl"
float op(float x) {
  return (is_nan(x) || x > 0.0) ? x : expm1_(x);
}
#include "_elementwise.glsl"
