// Adds the slices of conv2d_backprop_filter_tiled into df [KH, KW, C, CO]: channels
// 4 cog .. 4 cog + 3 of (tap, ci) are in target ci % 4 at texel
// ((s * KH * KW + tap) * C/4 + ci / 4) * CO/4 + cog of each slice s.
#include "_common.glsl"
#include "_conv.glsl"

uniform sampler2D T0;
uniform sampler2D T1;
uniform sampler2D T2;
uniform sampler2D T3;
uniform int T0_wlog;
uniform int u_slices;
out vec4 result;

vec4 target_texel(int k, int q) {
  ivec2 c = ivec2(q & ((1 << T0_wlog) - 1), q >> T0_wlog);
  if (k == 0) return texelFetch(T0, c, 0);
  if (k == 1) return texelFetch(T1, c, 0);
  if (k == 2) return texelFetch(T2, c, 0);
  return texelFetch(T3, c, 0);
}

void main() {
  int t = out_base(out_wlog) >> 2;
  ivec2 rc = divmod(t, u_co4);    // (tap * C + ci, cog)
  ivec2 tc = divmod(rc.x, u_x.w);  // (tap, ci)
  int k = tc.y & 3;
  int step = u_k.x * u_k.y * u_c4 * u_co4;  // texels per slice
  int q = (tc.x * u_c4 + (tc.y >> 2)) * u_co4 + rc.y;
  vec4 acc = vec4(0.0);
  for (int s = 0; s < u_slices; s++) acc += target_texel(k, q + s * step);
  result = acc;
}
