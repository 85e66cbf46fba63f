#include "_common.glsl"
float op(float x) {
  if (is_nan(x)) return x;
  return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0);
}
#include "_elementwise.glsl"
