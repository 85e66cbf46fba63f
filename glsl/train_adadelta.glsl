#include "_common.glsl"
// Adadelta step (TF.js AdadeltaOptimizer; the update uses the OLD gradient accumulator,
// as TF.js does):
//   accg' = accg * rho + g^2 * (1 - rho)
//   upd   = sqrt(accu + eps) / sqrt(accg + eps) * g
//   accu' = accu * rho + upd^2 * (1 - rho)
//   value' = upd * -lr + value
uniform sampler2D value;
uniform sampler2D grad;
uniform sampler2D accum_grad;
uniform sampler2D accum_update;
uniform float u_neg_lr;
uniform float u_rho;
uniform float u_one_minus_rho;
uniform float u_epsilon;

layout(location = 0) out vec4 new_value;
layout(location = 1) out vec4 new_accum_grad;
layout(location = 2) out vec4 new_accum_update;

void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  vec4 x = texelFetch(value, p, 0);
  vec4 g = texelFetch(grad, p, 0);
  vec4 ag = texelFetch(accum_grad, p, 0);
  vec4 au = texelFetch(accum_update, p, 0);
  vec4 upd = sqrt(au + u_epsilon) / sqrt(ag + u_epsilon) * g;
  new_accum_grad = ag * u_rho + (g * g) * u_one_minus_rho;
  new_accum_update = au * u_rho + (upd * upd) * u_one_minus_rho;
  new_value = upd * u_neg_lr + x;
}
