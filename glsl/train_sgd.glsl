#include "_common.glsl"
// SGD step (TF.js SGDOptimizer): value + (-lr) * grad.
// Every input has the variable's size, so all share one texture shape: read this texel.
uniform sampler2D value;
uniform sampler2D grad;
uniform float u_neg_lr;

layout(location = 0) out vec4 new_value;

void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  vec4 x = texelFetch(value, p, 0);
  vec4 g = texelFetch(grad, p, 0);
  new_value = u_neg_lr * g + x;
}
