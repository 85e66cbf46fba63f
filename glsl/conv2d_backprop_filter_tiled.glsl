// The filter gradient of conv2d by outer products: each fragment sums, over one slice of
// u_slice output rows (b, oh), x[b, ih, iw, 4 cig + k] * dy[b, oh, ow, 4 cog .. 4 cog + 3]
// for one tap (kh, kw), k = 0..3 into render target k. Fragment
// q = ((s * KH * KW + tap) * C/4 + cig) * CO/4 + cog; conv2d_backprop_filter_merge adds
// the slices and writes df [KH, KW, C, CO]. Needs C % 4 == 0 and CO % 4 == 0.
// Two fetches (a texel of x, one of dy) per 16 multiply-adds.
#include "_common.glsl"
#include "_conv.glsl"

uniform sampler2D X;
uniform int X_wlog;
uniform sampler2D DY;
uniform int DY_wlog;
uniform int u_slice;  // output rows per slice

layout(location = 0) out vec4 o0;
layout(location = 1) out vec4 o1;
layout(location = 2) out vec4 o2;
layout(location = 3) out vec4 o3;

void main() {
  int q = out_base(out_wlog) >> 2;
  ivec2 a = divmod(q, u_co4);
  int cog = a.y;
  ivec2 bq = divmod(a.x, u_c4);
  int cig = bq.y;
  ivec2 st = divmod(bq.x, u_k.x * u_k.y);
  ivec2 kk = divmod(st.y, u_k.y);
  int kh = kk.x;
  int kw = kk.y;
  int r0 = st.x * u_slice;
  int r1 = min(r0 + u_slice, u_y.x * u_y.y);
  // output columns whose input column iw = ow * stride - pad + kw * dil is inside x
  int n0 = u_pad.y - kw * u_dil.y;
  int ow_lo = n0 <= 0 ? 0 : divmod(n0 + u_stride.y - 1, u_stride.y).x;
  int n1 = u_x.z - 1 + n0;
  int ow_hi = n1 < 0 ? 0 : min(u_y.z, divmod(n1, u_stride.y).x + 1);
  int dh = kh * u_dil.x - u_pad.x;
  ivec2 bo = divmod(r0, u_y.y);
  int b = bo.x;
  int oh = bo.y - 1;
  vec4 a0 = vec4(0.0);
  vec4 a1 = vec4(0.0);
  vec4 a2 = vec4(0.0);
  vec4 a3 = vec4(0.0);
  for (int r = r0; r < r1; r++) {
    oh += 1;
    if (oh == u_y.y) { oh = 0; b += 1; }
    int ih = oh * u_stride.x + dh;
    if (ih < 0 || ih >= u_x.y) continue;
    int xt = ((b * u_x.y + ih) * u_x.z - n0) * u_c4 + cig;  // texel of column iw = -n0
    int dt = r * u_y.z * u_co4 + cog;
    int xstep = u_stride.y * u_c4;
    for (int ow = ow_lo; ow < ow_hi; ow++) {
      vec4 xv = fetch_texel(X, X_wlog, xt + ow * xstep);
      vec4 dv = fetch_texel(DY, DY_wlog, dt + ow * u_co4);
      a0 += xv.x * dv;
      a1 += xv.y * dv;
      a2 += xv.z * dv;
      a3 += xv.w * dv;
    }
  }
  o0 = a0;
  o1 = a1;
  o2 = a2;
  o3 = a3;
}
