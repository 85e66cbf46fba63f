// dx = dy * activate'(x), written with the activation's output y (A = dy, B = y): the
// gradient of fused_matmul's activation in one pass (ACT as in _activation.glsl).
#include "_common.glsl"
#include "_activation.glsl"
float op(float dy, float y) {
  return dy * activation_deriv(y);
}
#include "_elementwise.glsl"
