// y[b, oh, ow, co] = sum over kh, kw, ci of x[b, ih, iw, ci] * f[kh, kw, ci, co]
// (NHWC input X, HWIO filter F); taps that fall in the padding are skipped.
// VEC_CO: CO % 4 == 0, so this fragment's 4 elements are 4 output channels of one
// pixel and each filter texel holds 4 output channels of one (kh, kw, ci).
// VEC_CI: C % 4 == 0 too, so the input is read 4 channels per texel and a mat4
// (4 in x 4 out channels) accumulates per step.
#include "_common.glsl"
#include "_conv.glsl"
out vec4 result;
#ifndef VEC_CO
#define VEC_CO 0
#endif
#ifndef VEC_CI
#define VEC_CI 0
#endif

uniform sampler2D X;
uniform int X_wlog;
uniform sampler2D F;
uniform int F_wlog;

#if VEC_CO
void main() {
  int t = out_base(out_wlog) >> 2;
  if (t << 2 >= u_total) { result = vec4(0.0); return; }
  ivec4 win = out_window(t, u_co4);
  int ih0 = win.y, iw0 = win.z, cog = win.w;
  int rowpix = win.x * u_x.y;
  int tap_step = u_x.w * u_co4;  // filter texels per (kh, kw)
  vec4 acc = vec4(0.0);
  for (int kh = 0; kh < u_k.x; kh++) {
    int ih = ih0 + kh * u_dil.x;
    if (ih < 0 || ih >= u_x.y) continue;
    for (int kw = 0; kw < u_k.y; kw++) {
      int iw = iw0 + kw * u_dil.y;
      if (iw < 0 || iw >= u_x.z) continue;
      int xpix = (rowpix + ih) * u_x.z + iw;
      int ft = (kh * u_k.y + kw) * tap_step + cog;
#if VEC_CI
      int xt = xpix * u_c4;
      for (int c = 0; c < u_c4; c++) {
        vec4 xv = fetch_texel(X, X_wlog, xt + c);
        mat4 w = mat4(fetch_texel(F, F_wlog, ft), fetch_texel(F, F_wlog, ft + u_co4),
                      fetch_texel(F, F_wlog, ft + 2 * u_co4),
                      fetch_texel(F, F_wlog, ft + 3 * u_co4));
        acc += w * xv;
        ft += 4 * u_co4;
      }
#else
      int xi = xpix * u_x.w;
      for (int c = 0; c < u_x.w; c++) {
        acc += fetch(X, X_wlog, xi + c) * fetch_texel(F, F_wlog, ft);
        ft += u_co4;
      }
#endif
    }
  }
  result = acc;
}
#else
float conv_at(int e) {
  if (e >= u_total) return 0.0;
  ivec4 win = out_window(e, u_y.w);
  int ih0 = win.y, iw0 = win.z, co = win.w;
  float acc = 0.0;
  for (int kh = 0; kh < u_k.x; kh++) {
    int ih = ih0 + kh * u_dil.x;
    if (ih < 0 || ih >= u_x.y) continue;
    for (int kw = 0; kw < u_k.y; kw++) {
      int iw = iw0 + kw * u_dil.y;
      if (iw < 0 || iw >= u_x.z) continue;
      int xi = ((win.x * u_x.y + ih) * u_x.z + iw) * u_x.w;
      int fi = (kh * u_k.y + kw) * u_x.w * u_y.w + co;
#if VEC_CI
      int xt = xi >> 2;
      for (int c = 0; c < u_c4; c++) {
        vec4 xv = fetch_texel(X, X_wlog, xt + c);
        acc += dot(xv, vec4(fetch(F, F_wlog, fi), fetch(F, F_wlog, fi + u_y.w),
                            fetch(F, F_wlog, fi + 2 * u_y.w), fetch(F, F_wlog, fi + 3 * u_y.w)));
        fi += 4 * u_y.w;
      }
#else
      for (int c = 0; c < u_x.w; c++) {
        acc += fetch(X, X_wlog, xi + c) * fetch(F, F_wlog, fi);
        fi += u_y.w;
      }
#endif
    }
  }
  return acc;
}

void main() {
  int base = out_base(out_wlog);
  result = vec4(conv_at(base), conv_at(base + 1), conv_at(base + 2), conv_at(base + 3));
}
#endif
