#include "_common.glsl"
// Adamax step (TF.js AdamaxOptimizer), lr_t = -lr / (iteration * decay + 1):
//   m' = m * beta1 + g * (1 - beta1)
//   u' = max(u * beta2, |g|)
//   value' = (lr_t / (1 - accBeta1)) * (m' / (u' + eps)) + value
uniform sampler2D value;
uniform sampler2D grad;
uniform sampler2D m;
uniform sampler2D u;
uniform float u_step;
uniform float u_beta1;
uniform float u_beta2;
uniform float u_one_minus_beta1;
uniform float u_epsilon;

layout(location = 0) out vec4 new_value;
layout(location = 1) out vec4 new_m;
layout(location = 2) out vec4 new_u;

void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  vec4 x = texelFetch(value, p, 0);
  vec4 g = texelFetch(grad, p, 0);
  vec4 m1 = texelFetch(m, p, 0) * u_beta1 + g * u_one_minus_beta1;
  vec4 u0 = texelFetch(u, p, 0) * u_beta2;
  vec4 ag = abs(g);
  // maximum() that propagates NaN as numpy (and TF.js's maximum) do
  vec4 u1 = vec4(nan_max(u0.x, ag.x), nan_max(u0.y, ag.y), nan_max(u0.z, ag.z),
                 nan_max(u0.w, ag.w));
  new_value = u_step * (m1 / (u1 + u_epsilon)) + x;
  new_m = m1;
  new_u = u1;
}
