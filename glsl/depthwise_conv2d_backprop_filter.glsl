// df[kh, kw, ci, m] = sum over b, oh, ow of x[b, ih, iw, ci] * dy[b, oh, ow, ci * M + m]
// where ih = oh * stride - pad + kh * dil (gradient of depthwise_conv2d w.r.t. f).
// The B * OH output rows are cut into slices of u_slice rows (partial sums, added by
// the caller): element e of slice s is written at e + s * u_fsize.
// VEC_CO: CO % 4 == 0: 4 output channels of one tap per fragment.
// M1: M == 1 and C % 4 == 0 as well: input read by texel too.
#include "_common.glsl"
#include "_conv.glsl"
out vec4 result;
#ifndef VEC_CO
#define VEC_CO 0
#endif
#ifndef M1
#define M1 0
#endif

uniform sampler2D X;
uniform int X_wlog;
uniform sampler2D DY;
uniform int DY_wlog;
uniform int u_m;      // channel multiplier M
uniform int u_fsize;  // KH * KW * C * M
uniform int u_slice;  // output rows (b, oh) per slice

#if VEC_CO
void main() {
  int base = out_base(out_wlog);
  if (base >= u_total) { result = vec4(0.0); return; }
  ivec2 sf = divmod(base, u_fsize);
  int s = sf.x;
  ivec2 tc = divmod(sf.y >> 2, u_co4);
  int tap = tc.x;
  int cog = tc.y;
  ivec2 k = split_tap(tap);
#if !M1
  ivec4 ci = depthwise_inputs(cog * 4, u_m);
#endif
  int dh = k.x * u_dil.x - u_pad.x;
  int dw = k.y * u_dil.y - u_pad.y;
  ivec2 rows = slice_rows(s, u_slice);
  int r0 = rows.x, r1 = rows.y;
  vec4 acc = vec4(0.0);
  ivec2 bo = divmod(r0, u_y.y);
  int b = bo.x;
  int oh = bo.y - 1;
  for (int r = r0; r < r1; r++) {
    oh += 1;
    if (oh == u_y.y) { oh = 0; b += 1; }
    int ih = oh * u_stride.x + dh;
    if (ih < 0 || ih >= u_x.y) continue;
    int xrow = (b * u_x.y + ih) * u_x.z;
    int drow = r * u_y.z;
    for (int ow = 0; ow < u_y.z; ow++) {
      int iw = ow * u_stride.y + dw;
      if (iw < 0 || iw >= u_x.z) continue;
      int xpix = xrow + iw;
#if M1
      vec4 xv = fetch_texel(X, X_wlog, xpix * u_c4 + cog);
#else
      int xi = xpix * u_x.w;
      vec4 xv = vec4(fetch(X, X_wlog, xi + ci.x), fetch(X, X_wlog, xi + ci.y),
                     fetch(X, X_wlog, xi + ci.z), fetch(X, X_wlog, xi + ci.w));
#endif
      acc += xv * fetch_texel(DY, DY_wlog, (drow + ow) * u_co4 + cog);
    }
  }
  result = acc;
}
#else
float grad_at(int e) {
  if (e >= u_total) return 0.0;
  ivec2 sf = divmod(e, u_fsize);
  int s = sf.x;
  ivec2 tc = divmod(sf.y, u_y.w);
  int tap = tc.x;
  int co = tc.y;
  int ci = divmod(co, u_m).x;
  ivec2 k = split_tap(tap);
  int dh = k.x * u_dil.x - u_pad.x;
  int dw = k.y * u_dil.y - u_pad.y;
  ivec2 rows = slice_rows(s, u_slice);
  int r0 = rows.x, r1 = rows.y;
  float acc = 0.0;
  ivec2 bo = divmod(r0, u_y.y);
  int b = bo.x;
  int oh = bo.y - 1;
  for (int r = r0; r < r1; r++) {
    oh += 1;
    if (oh == u_y.y) { oh = 0; b += 1; }
    int ih = oh * u_stride.x + dh;
    if (ih < 0 || ih >= u_x.y) continue;
    int xrow = (b * u_x.y + ih) * u_x.z;
    int drow = r * u_y.z;
    for (int ow = 0; ow < u_y.z; ow++) {
      int iw = ow * u_stride.y + dw;
      if (iw < 0 || iw >= u_x.z) continue;
      acc += fetch(X, X_wlog, (xrow + iw) * u_x.w + ci) *
             fetch(DY, DY_wlog, (drow + ow) * u_y.w + co);
    }
  }
  return acc;
}

void main() {
  int base = out_base(out_wlog);
  result = vec4(grad_at(base), grad_at(base + 1), grad_at(base + 2), grad_at(base + 3));
}
#endif
