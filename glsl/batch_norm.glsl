#include "_common.glsl"
// The full-size pass of batch_norm: x * k + shift, with k = scale / sqrt(variance + eps)
// and shift = offset - mean * k computed on the (small) parameter shapes.
float op(float x, float k, float shift) {
  return x * k + shift;
}
#include "_elementwise.glsl"
