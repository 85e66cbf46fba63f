// Geometry of 2-D pooling over NHWC (batch u_batch, input u_h x u_w, u_c channels,
// output u_oh x u_ow, window u_kh x u_kw, strides u_sh, u_sw, padding before u_pt, u_pl).
// VEC 1: u_c % 4 == 0, a fragment handles 4 channels of one pixel with texel reads.
#include "_nn.glsl"
#ifndef VEC
#define VEC 0
#endif
// KH, KW > 0: the window size is a compile-time constant (small windows: the loops
// unroll, much faster on llvmpipe); 0: the loops run to u_kh, u_kw.
#ifndef KH
#define KH 0
#endif
#ifndef KW
#define KW 0
#endif
#if KH > 0
#define WIN_H KH
#define WIN_W KW
#else
#define WIN_H u_kh
#define WIN_W u_kw
#endif

uniform int out_wlog;
uniform int u_h;
uniform int u_w;
uniform int u_c;
uniform int u_oh;
uniform int u_ow;
uniform int u_kh;
uniform int u_kw;
uniform int u_sh;
uniform int u_sw;
uniform int u_pt;
uniform int u_pl;
uniform int u_size;
uniform float u_inv_c;   // 1 / u_c, or 4 / u_c when VEC
uniform float u_inv_w;   // 1 / width of the pixel grid a flat index is split over
uniform float u_inv_h;   // 1 / its height

// Split flat pixel index p of a [?, gh, gw] grid into (n, y, x).
ivec3 split_pixel(int p, int gh, int gw) {
  int q = idiv(p, gw, u_inv_w);
  int x = p - q * gw;
  int n = idiv(q, gh, u_inv_h);
  return ivec3(n, q - n * gh, x);
}

// The window of output texel (VEC) or element i, with per_pixel texels or elements per
// output pixel: (batch, top row, left column, channel group or channel).
ivec4 pool_window(int i, int per_pixel) {
  int p = idiv(i, per_pixel, u_inv_c);
  ivec3 o = split_pixel(p, u_oh, u_ow);
  return ivec4(o.x, o.y * u_sh - u_pt, o.z * u_sw - u_pl, i - p * per_pixel);
}
