#include "_common.glsl"
uniform float u_value;
float op(int i) {
  return u_value;
}
#include "_elementwise.glsl"
