#include "_common.glsl"
// Adagrad step (TF.js AdagradOptimizer; epsilon is the backend's, 1e-7):
//   acc' = acc + g^2
//   value' = g / sqrt(acc' + eps) * -lr + value
uniform sampler2D value;
uniform sampler2D grad;
uniform sampler2D accum;
uniform float u_neg_lr;
uniform float u_epsilon;

layout(location = 0) out vec4 new_value;
layout(location = 1) out vec4 new_accum;

void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  vec4 x = texelFetch(value, p, 0);
  vec4 g = texelFetch(grad, p, 0);
  vec4 a = texelFetch(accum, p, 0) + g * g;
  new_value = g / sqrt(a + u_epsilon) * u_neg_lr + x;
  new_accum = a;
}
