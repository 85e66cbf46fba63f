#include "_common.glsl"
// RMSProp step (TF.js RMSPropOptimizer):
//   ms' = ms * decay + g^2 * (1 - decay)
//   CENTERED 0: mom' = mom * momentum + g * lr / sqrt(ms' + eps)
//   CENTERED 1: mg' = mg * decay + g * (1 - decay)
//               mom' = mom * momentum + g * lr / sqrt(ms' - (mg'^2 + eps))
//   value' = value - mom'
#ifndef CENTERED
#define CENTERED 0
#endif
uniform sampler2D value;
uniform sampler2D grad;
uniform sampler2D ms;
uniform sampler2D mom;
#if CENTERED
uniform sampler2D mg;
#endif
uniform float u_lr;
uniform float u_decay;
uniform float u_one_minus_decay;
uniform float u_momentum;
uniform float u_epsilon;

layout(location = 0) out vec4 new_value;
layout(location = 1) out vec4 new_ms;
layout(location = 2) out vec4 new_mom;
#if CENTERED
layout(location = 3) out vec4 new_mg;
#endif

void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  vec4 x = texelFetch(value, p, 0);
  vec4 g = texelFetch(grad, p, 0);
  vec4 ms1 = texelFetch(ms, p, 0) * u_decay + (g * g) * u_one_minus_decay;
#if CENTERED
  vec4 mg1 = texelFetch(mg, p, 0) * u_decay + g * u_one_minus_decay;
  vec4 denom = sqrt(ms1 - (mg1 * mg1 + u_epsilon));
  new_mg = mg1;
#else
  vec4 denom = sqrt(ms1 + u_epsilon);
#endif
  vec4 mom1 = texelFetch(mom, p, 0) * u_momentum + (g * u_lr) / denom;
  new_value = x - mom1;
  new_ms = ms1;
  new_mom = mom1;
}
