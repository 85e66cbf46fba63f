// df[kh, kw, ci, co] = sum over b, oh, ow of x[b, ih, iw, ci] * dy[b, oh, ow, co]
// where ih = oh * stride - pad + kh * dil (the gradient of conv2d w.r.t. its filter).
// Writes the filter [KH, KW, C, CO] from X (u_x) and DY (u_y). The B * OH output rows
// are cut into slices of u_slice rows (partial sums, added by the caller) so that a
// small filter still gives every core work: element e of slice s is written at e + s * u_fsize.
// VEC_CO: CO % 4 == 0: 4 output channels of one (kh, kw, ci) per fragment.
#include "_common.glsl"
#include "_conv.glsl"
out vec4 result;
#ifndef VEC_CO
#define VEC_CO 0
#endif

uniform sampler2D X;
uniform int X_wlog;
uniform sampler2D DY;
uniform int DY_wlog;
uniform int u_fsize;  // KH * KW * C * CO
uniform int u_slice;  // output rows (b, oh) per slice

// Sum over output rows [r0, r1) of x[b, ih, iw, ci] * dy[b, oh, ow, co..] for one tap.
#if VEC_CO
vec4 tap_sum(int kh, int kw, int ci, int cog, int r0, int r1) {
  vec4 acc = vec4(0.0);
  int dh = kh * u_dil.x - u_pad.x;
  int dw = kw * u_dil.y - u_pad.y;
  ivec2 bo = divmod(r0, u_y.y);
  int b = bo.x;
  int oh = bo.y - 1;
  for (int r = r0; r < r1; r++) {
    oh += 1;
    if (oh == u_y.y) { oh = 0; b += 1; }
    {
      int ih = oh * u_stride.x + dh;
      if (ih < 0 || ih >= u_x.y) continue;
      int xrow = (b * u_x.y + ih) * u_x.z;
      int drow = ((b * u_y.y + oh) * u_y.z) * u_co4 + cog;
      for (int ow = 0; ow < u_y.z; ow++) {
        int iw = ow * u_stride.y + dw;
        if (iw < 0 || iw >= u_x.z) continue;
        acc += fetch(X, X_wlog, (xrow + iw) * u_x.w + ci) *
               fetch_texel(DY, DY_wlog, drow + ow * u_co4);
      }
    }
  }
  return acc;
}
#else
float tap_sum(int kh, int kw, int ci, int co, int r0, int r1) {
  float acc = 0.0;
  int dh = kh * u_dil.x - u_pad.x;
  int dw = kw * u_dil.y - u_pad.y;
  ivec2 bo = divmod(r0, u_y.y);
  int b = bo.x;
  int oh = bo.y - 1;
  for (int r = r0; r < r1; r++) {
    oh += 1;
    if (oh == u_y.y) { oh = 0; b += 1; }
    {
      int ih = oh * u_stride.x + dh;
      if (ih < 0 || ih >= u_x.y) continue;
      int xrow = (b * u_x.y + ih) * u_x.z;
      int drow = (b * u_y.y + oh) * u_y.z;
      for (int ow = 0; ow < u_y.z; ow++) {
        int iw = ow * u_stride.y + dw;
        if (iw < 0 || iw >= u_x.z) continue;
        acc += fetch(X, X_wlog, (xrow + iw) * u_x.w + ci) *
               fetch(DY, DY_wlog, (drow + ow) * u_y.w + co);
      }
    }
  }
  return acc;
}
#endif

#if VEC_CO
void main() {
  int base = out_base(out_wlog);
  if (base >= u_total) { result = vec4(0.0); return; }
  ivec2 sf = divmod(base, u_fsize);
  int s = sf.x;
  ivec2 rc = divmod(sf.y >> 2, u_co4);
  int row = rc.x;               // kh * KW * C + kw * C + ci
  int cog = rc.y;
  ivec2 tc = divmod(row, u_x.w);
  int tap = tc.x;
  int ci = tc.y;
  ivec2 k = split_tap(tap);
  ivec2 rows = slice_rows(s, u_slice);
  result = tap_sum(k.x, k.y, ci, cog, rows.x, rows.y);
}
#else
float grad_at(int e) {
  if (e >= u_total) return 0.0;
  ivec2 sf = divmod(e, u_fsize);
  int s = sf.x;
  ivec2 rc = divmod(sf.y, u_y.w);
  int row = rc.x;
  int co = rc.y;
  ivec2 tc = divmod(row, u_x.w);
  int tap = tc.x;
  int ci = tc.y;
  ivec2 k = split_tap(tap);
  ivec2 rows = slice_rows(s, u_slice);
  return tap_sum(k.x, k.y, ci, co, rows.x, rows.y);
}

void main() {
  int base = out_base(out_wlog);
  result = vec4(grad_at(base), grad_at(base + 1), grad_at(base + 2), grad_at(base + 3));
}
#endif
