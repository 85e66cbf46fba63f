#include "_common.glsl"
// Momentum step (TF.js MomentumOptimizer):
//   acc' = m * acc + g
//   value' = -lr * acc' + value                    (NESTEROV 0)
//   value' = -lr * (g + acc' * m) + value          (NESTEROV 1)
#ifndef NESTEROV
#define NESTEROV 0
#endif
uniform sampler2D value;
uniform sampler2D grad;
uniform sampler2D accum;
uniform float u_neg_lr;
uniform float u_momentum;

layout(location = 0) out vec4 new_value;
layout(location = 1) out vec4 new_accum;

void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  vec4 x = texelFetch(value, p, 0);
  vec4 g = texelFetch(grad, p, 0);
  vec4 a = u_momentum * texelFetch(accum, p, 0) + g;
#if NESTEROV
  new_value = u_neg_lr * (g + a * u_momentum) + x;
#else
  new_value = u_neg_lr * a + x;
#endif
  new_accum = a;
}
