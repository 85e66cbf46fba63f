// dx[b, ih, iw, ci] = sum over kh, kw, m of dy[b, oh, ow, ci * M + m] * f[kh, kw, ci, m]
// where ih = oh * stride - pad + kh * dil (gradient of depthwise_conv2d w.r.t. x).
// VEC: M == 1 and C % 4 == 0: 4 channels of one pixel per fragment, all by texel.
#include "_common.glsl"
#include "_conv.glsl"
out vec4 result;
#ifndef VEC
#define VEC 0
#endif

uniform sampler2D DY;
uniform int DY_wlog;
uniform sampler2D F;
uniform int F_wlog;
uniform int u_m;  // channel multiplier M

#if VEC
void main() {
  int t = out_base(out_wlog) >> 2;
  if (t << 2 >= u_total) { result = vec4(0.0); return; }
  ivec4 p = in_pixel(t, u_c4);
  int cig = p.w;
  vec4 acc = vec4(0.0);
  for (int kh = 0; kh < u_k.x; kh++) {
    TAP_SOURCE_OR_CONTINUE(oh, p.y, kh, u_pad.x, u_dil.x, u_stride.x, u_y.y)
    for (int kw = 0; kw < u_k.y; kw++) {
      TAP_SOURCE_OR_CONTINUE(ow, p.z, kw, u_pad.y, u_dil.y, u_stride.y, u_y.z)
      int dpix = (p.x * u_y.y + oh) * u_y.z + ow;
      acc += fetch_texel(DY, DY_wlog, dpix * u_co4 + cig) *
             fetch_texel(F, F_wlog, (kh * u_k.y + kw) * u_co4 + cig);
    }
  }
  result = acc;
}
#else
float grad_at(int e) {
  if (e >= u_total) return 0.0;
  ivec4 p = in_pixel(e, u_x.w);
  int ci = p.w;
  int co0 = ci * u_m;
  float acc = 0.0;
  for (int kh = 0; kh < u_k.x; kh++) {
    TAP_SOURCE_OR_CONTINUE(oh, p.y, kh, u_pad.x, u_dil.x, u_stride.x, u_y.y)
    for (int kw = 0; kw < u_k.y; kw++) {
      TAP_SOURCE_OR_CONTINUE(ow, p.z, kw, u_pad.y, u_dil.y, u_stride.y, u_y.z)
      int di = ((p.x * u_y.y + oh) * u_y.z + ow) * u_y.w + co0;
      int fi = (kh * u_k.y + kw) * u_y.w + co0;
      for (int m = 0; m < u_m; m++) {
        acc += fetch(DY, DY_wlog, di + m) * fetch(F, F_wlog, fi + m);
      }
    }
  }
  return acc;
}

void main() {
  int base = out_base(out_wlog);
  result = vec4(grad_at(base), grad_at(base + 1), grad_at(base + 2), grad_at(base + 3));
}
#endif
