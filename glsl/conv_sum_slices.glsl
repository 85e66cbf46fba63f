// result[e] = sum over s < u_slices of P[e + s * u_size]: adds the partial sums that
// the backprop_filter kernels write slice after slice.
// VEC: u_size % 4 == 0, so every slice starts on a texel boundary.
#include "_common.glsl"
#ifndef VEC
#define VEC 0
#endif

uniform sampler2D P;
uniform int P_wlog;
uniform int out_wlog;
uniform int u_size;
uniform int u_slices;
out vec4 result;

void main() {
  int base = out_base(out_wlog);
#if VEC
  int t = base >> 2;
  int step = u_size >> 2;
  vec4 acc = vec4(0.0);
  for (int s = 0; s < u_slices; s++) acc += fetch_texel(P, P_wlog, t + s * step);
  result = acc;
#else
  vec4 acc = vec4(0.0);
  for (int j = 0; j < 4; j++) {
    if (base + j >= u_size) break;
    for (int s = 0; s < u_slices; s++) acc[j] += fetch(P, P_wlog, base + j + s * u_size);
  }
  result = acc;
#endif
}
