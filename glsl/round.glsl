#include "_common.glsl"
float op(float x) {
  // half to even, as numpy
  return roundEven(x);
}
#include "_elementwise.glsl"
