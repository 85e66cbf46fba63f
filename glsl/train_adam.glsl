#include "_common.glsl"
// Adam step (TF.js AdamOptimizer), at step t with accBeta = beta ** t:
//   m' = m * beta1 + g * (1 - beta1)
//   v' = v * beta2 + g^2 * (1 - beta2)
//   value' = (m' / (1 - accBeta1)) / (sqrt(v' / (1 - accBeta2)) + eps) * -lr + value
uniform sampler2D value;
uniform sampler2D grad;
uniform sampler2D m;
uniform sampler2D v;
uniform float u_neg_lr;
uniform float u_beta1;
uniform float u_beta2;
uniform float u_one_minus_beta1;
uniform float u_one_minus_beta2;
uniform float u_one_minus_acc_beta1;
uniform float u_one_minus_acc_beta2;
uniform float u_epsilon;

layout(location = 0) out vec4 new_value;
layout(location = 1) out vec4 new_m;
layout(location = 2) out vec4 new_v;

void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  vec4 x = texelFetch(value, p, 0);
  vec4 g = texelFetch(grad, p, 0);
  vec4 m1 = texelFetch(m, p, 0) * u_beta1 + g * u_one_minus_beta1;
  vec4 v1 = texelFetch(v, p, 0) * u_beta2 + (g * g) * u_one_minus_beta2;
  vec4 m_hat = m1 / u_one_minus_acc_beta1;
  vec4 v_hat = v1 / u_one_minus_acc_beta2;
  new_value = (m_hat / (sqrt(v_hat) + u_epsilon)) * u_neg_lr + x;
  new_m = m1;
  new_v = v1;
}
