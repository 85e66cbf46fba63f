#include "_common.glsl"
float op(float x) {
  return is_inf(x) ? NAN : tan(x);
}
#include "_elementwise.glsl"
