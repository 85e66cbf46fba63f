// y[b, oh, ow, ci * M + m] = sum over kh, kw of x[b, ih, iw, ci] * f[kh, kw, ci, m]
// (NHWC input X, filter F [KH, KW, C, M]; flat filter index (kh * KW + kw) * CO + co).
// VEC_CO: CO % 4 == 0: 4 output channels of one pixel per fragment, filter by texel.
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
uniform sampler2D F;
uniform int F_wlog;
uniform int u_m;  // channel multiplier M

#if VEC_CO
void main() {
  int t = out_base(out_wlog) >> 2;
  if (t << 2 >= u_total) { result = vec4(0.0); return; }
  ivec4 win = out_window(t, u_co4);
  int ih0 = win.y, iw0 = win.z, cog = win.w;
#if !M1
  ivec4 ci = depthwise_inputs(cog * 4, u_m);
#endif
  vec4 acc = vec4(0.0);
  for (int kh = 0; kh < u_k.x; kh++) {
    int ih = ih0 + kh * u_dil.x;
    if (ih < 0 || ih >= u_x.y) continue;
    for (int kw = 0; kw < u_k.y; kw++) {
      int iw = iw0 + kw * u_dil.y;
      if (iw < 0 || iw >= u_x.z) continue;
      int xpix = (win.x * u_x.y + ih) * u_x.z + iw;
      vec4 f = fetch_texel(F, F_wlog, (kh * u_k.y + kw) * u_co4 + cog);
#if M1
      vec4 xv = fetch_texel(X, X_wlog, xpix * u_c4 + cog);
#else
      int xi = xpix * u_x.w;
      vec4 xv = vec4(fetch(X, X_wlog, xi + ci.x), fetch(X, X_wlog, xi + ci.y),
                     fetch(X, X_wlog, xi + ci.z), fetch(X, X_wlog, xi + ci.w));
#endif
      acc += xv * f;
    }
  }
  result = acc;
}
#else
float conv_at(int e) {
  if (e >= u_total) return 0.0;
  ivec4 win = out_window(e, u_y.w);
  int ih0 = win.y, iw0 = win.z, co = win.w;
  int ci = divmod(co, u_m).x;
  float acc = 0.0;
  for (int kh = 0; kh < u_k.x; kh++) {
    int ih = ih0 + kh * u_dil.x;
    if (ih < 0 || ih >= u_x.y) continue;
    for (int kw = 0; kw < u_k.y; kw++) {
      int iw = iw0 + kw * u_dil.y;
      if (iw < 0 || iw >= u_x.z) continue;
      acc += fetch(X, X_wlog, ((win.x * u_x.y + ih) * u_x.z + iw) * u_x.w + ci) *
             fetch(F, F_wlog, (kh * u_k.y + kw) * u_y.w + co);
    }
  }
  return acc;
}

void main() {
  int base = out_base(out_wlog);
  result = vec4(conv_at(base), conv_at(base + 1), conv_at(base + 2), conv_at(base + 3));
}
#endif
