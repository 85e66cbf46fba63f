// Re-lays a conv2d filter for conv2d_tiled: texel (cog * KH * KW + tap) * C + ci of the
// result holds g[tap, ci, 4 cog .. 4 cog + 3] of a filter g [KH, KW, C, CO] (CO % 4 == 0),
// so the 4 texels of one (tap, 4 input channels) step are adjacent (one cache line).
// TRANSPOSE 0: g = F. TRANSPOSE 1: g[kh, kw, co, ci] = F[KH-1-kh, KW-1-kw, ci, co], the
// filter that turns conv2d's input gradient (stride 1) into a conv2d of dy; then
// u_c, u_co are F's C and CO and the result's C is F's CO.
#include "_common.glsl"
#include "_conv.glsl"
#ifndef TRANSPOSE
#define TRANSPOSE 0
#endif

uniform sampler2D F;
uniform int F_wlog;
uniform int u_rows;  // KH * KW * (input channels of g)
uniform int u_taps;  // KH * KW
uniform int u_c;     // F's input channels
uniform int u_co;    // F's output channels
out vec4 result;

void main() {
  int t = out_base(out_wlog) >> 2;
  ivec2 cr = divmod(t, u_rows);  // (cog, tap * C + ci) of g
  if (cr.x >= u_co4) { result = vec4(0.0); return; }
#if TRANSPOSE
  ivec2 tc = divmod(cr.y, u_co);  // (tap of g, ci of g = co of F)
  int i = ((u_taps - 1 - tc.x) * u_c + 4 * cr.x) * u_co + tc.y;
  result = vec4(fetch(F, F_wlog, i), fetch(F, F_wlog, i + u_co), fetch(F, F_wlog, i + 2 * u_co),
                fetch(F, F_wlog, i + 3 * u_co));
#else
  result = fetch_texel(F, F_wlog, cr.y * u_co4 + cr.x);
#endif
}
