// dx[b, ih, iw, ci] = sum over kh, kw, co of dy[b, oh, ow, co] * f[kh, kw, ci, co]
// where ih = oh * stride - pad + kh * dil (the gradient of conv2d w.r.t. its input,
// also conv2d_transpose). Writes x's shape u_x from DY (u_y) and F [KH, KW, C, CO].
// VEC: C % 4 == 0 and CO % 4 == 0: 4 input channels of one pixel per fragment,
// dy and filter read 4 output channels per texel.
// VEC_CO: CO % 4 == 0 only: one element at a time, 4 output channels per step.
#include "_common.glsl"
#include "_conv.glsl"
out vec4 result;
#ifndef VEC
#define VEC 0
#endif
#ifndef VEC_CO
#define VEC_CO 0
#endif

uniform sampler2D DY;
uniform int DY_wlog;
uniform sampler2D F;
uniform int F_wlog;

#if VEC
void main() {
  int t = out_base(out_wlog) >> 2;
  if (t << 2 >= u_total) { result = vec4(0.0); return; }
  ivec4 p = in_pixel(t, u_c4);
  int cig = p.w;
  int tap_step = u_x.w * u_co4;
  vec4 acc = vec4(0.0);
  for (int kh = 0; kh < u_k.x; kh++) {
    TAP_SOURCE_OR_CONTINUE(oh, p.y, kh, u_pad.x, u_dil.x, u_stride.x, u_y.y)
    for (int kw = 0; kw < u_k.y; kw++) {
      TAP_SOURCE_OR_CONTINUE(ow, p.z, kw, u_pad.y, u_dil.y, u_stride.y, u_y.z)
      int dt = ((p.x * u_y.y + oh) * u_y.z + ow) * u_co4;
      int ft = (kh * u_k.y + kw) * tap_step + cig * 4 * u_co4;
      for (int c = 0; c < u_co4; c++) {
        vec4 d = fetch_texel(DY, DY_wlog, dt + c);
        acc += vec4(dot(d, fetch_texel(F, F_wlog, ft)),
                    dot(d, fetch_texel(F, F_wlog, ft + u_co4)),
                    dot(d, fetch_texel(F, F_wlog, ft + 2 * u_co4)),
                    dot(d, fetch_texel(F, F_wlog, ft + 3 * u_co4)));
        ft += 1;
      }
    }
  }
  result = acc;
}
#else
float grad_at(int e) {
  if (e >= u_total) return 0.0;
  ivec4 p = in_pixel(e, u_x.w);
  int ci = p.w;
  float acc = 0.0;
  for (int kh = 0; kh < u_k.x; kh++) {
    TAP_SOURCE_OR_CONTINUE(oh, p.y, kh, u_pad.x, u_dil.x, u_stride.x, u_y.y)
    for (int kw = 0; kw < u_k.y; kw++) {
      TAP_SOURCE_OR_CONTINUE(ow, p.z, kw, u_pad.y, u_dil.y, u_stride.y, u_y.z)
      int di = ((p.x * u_y.y + oh) * u_y.z + ow) * u_y.w;
      int fi = ((kh * u_k.y + kw) * u_x.w + ci) * u_y.w;
#if VEC_CO
      int dt = di >> 2;
      int ft = fi >> 2;
      for (int c = 0; c < u_co4; c++) {
        acc += dot(fetch_texel(DY, DY_wlog, dt + c), fetch_texel(F, F_wlog, ft + c));
      }
#else
      for (int c = 0; c < u_y.w; c++) {
        acc += fetch(DY, DY_wlog, di + c) * fetch(F, F_wlog, fi + c);
      }
#endif
    }
  }
  return acc;
}

void main() {
  int base = out_base(out_wlog);
  result = vec4(grad_at(base), grad_at(base + 1), grad_at(base + 2), grad_at(base + 3));
}
#endif
