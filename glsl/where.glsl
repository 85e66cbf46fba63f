#include "_common.glsl"
// A is the condition: nonzero picks B, zero picks C
float op(float c, float a, float b) {
  return c != 0.0 ? a : b;
}
#include "_elementwise.glsl"
