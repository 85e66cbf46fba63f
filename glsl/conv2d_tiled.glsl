// conv2d with a register tile: each fragment computes 4 output channels (one channel
// group cog) of TILE = 8 neighbouring pixels of one output row, pixel j into render
// target j. Fragment q = cog * u_tiles + row * u_tpr + m holds the pixels
// ow = 8 m + j of output row (b, oh) (u_tpr = ceil(OW / 8) tiles per row, u_tiles =
// B * OH * u_tpr); conv2d_merge writes the targets into the dense NHWC output.
// Needs CO % 4 == 0. F is the filter re-laid by conv2d_filter_pack: texel
// (cog * KH * KW + tap) * C + ci holds f[tap, ci, 4 cog .. 4 cog + 3].
// VEC_CI: C % 4 == 0, input read 4 channels per texel, mat4 steps.
// SLIDE: column stride 1 and (column dilation 1 or KW == 1), KW <= KW_MAX: the input
// texels of a row are fetched once into a window that serves every kw.
#include "_common.glsl"
#include "_conv.glsl"
#define TILE 8
#ifndef VEC_CI
#define VEC_CI 0
#endif
#ifndef SLIDE
#define SLIDE 0
#endif
#ifndef KW_MAX
#define KW_MAX 3
#endif
#define WIN (TILE + KW_MAX - 1)

uniform sampler2D X;
uniform int X_wlog;
uniform sampler2D F;
uniform int F_wlog;
uniform int u_tiles;  // B * OH * u_tpr
uniform int u_tpr;    // tiles per output row

layout(location = 0) out vec4 o0;
layout(location = 1) out vec4 o1;
layout(location = 2) out vec4 o2;
layout(location = 3) out vec4 o3;
layout(location = 4) out vec4 o4;
layout(location = 5) out vec4 o5;
layout(location = 6) out vec4 o6;
layout(location = 7) out vec4 o7;

#if VEC_CI
#define XTYPE vec4
#define XCH u_c4
#define XZERO vec4(0.0)
#define LOADX(i) fetch_texel(X, X_wlog, i)
#define WTYPE mat4
#define FSTEP 4
#define LOADW(t) mat4(fetch_texel(F, F_wlog, t), fetch_texel(F, F_wlog, (t) + 1), \
                      fetch_texel(F, F_wlog, (t) + 2), fetch_texel(F, F_wlog, (t) + 3))
#else
#define XTYPE float
#define XCH u_x.w
#define XZERO 0.0
#define LOADX(i) fetch(X, X_wlog, i)
#define WTYPE vec4
#define FSTEP 1
#define LOADW(t) fetch_texel(F, F_wlog, t)
#endif

// acc[J] += w * X(J) for J = 0..7, spelled out so that indices stay constants.
#define ACC_ALL(E) \
  { const int J = 0; acc[J] += w * (E); } { const int J = 1; acc[J] += w * (E); } \
  { const int J = 2; acc[J] += w * (E); } { const int J = 3; acc[J] += w * (E); } \
  { const int J = 4; acc[J] += w * (E); } { const int J = 5; acc[J] += w * (E); } \
  { const int J = 6; acc[J] += w * (E); } { const int J = 7; acc[J] += w * (E); }
// One kw of the window: the filter step of (kh, kw, c) into pixels j from window j + kw.
#define TAP(KW) if (KW < u_k.y) { w = LOADW(ft + KW * u_x.w); \
  acc[0] += w * win[0 + KW]; acc[1] += w * win[1 + KW]; acc[2] += w * win[2 + KW]; \
  acc[3] += w * win[3 + KW]; acc[4] += w * win[4 + KW]; acc[5] += w * win[5 + KW]; \
  acc[6] += w * win[6 + KW]; acc[7] += w * win[7 + KW]; }

void main() {
  int q = out_base(out_wlog) >> 2;
  ivec2 cr = divmod(q, u_tiles);
  ivec2 rm = divmod(cr.y, u_tpr);
  ivec2 bh = divmod(rm.x, u_y.y);
  int cog = cr.x;
  int ow0 = rm.y * TILE;
  int b = bh.x;
  int oh = bh.y;
  bool live = cog < u_co4;
  int ih0 = oh * u_stride.x - u_pad.x;
  int iw0 = ow0 * u_stride.y - u_pad.y;
  int xrow0 = b * u_x.y;
  int nlive = live ? min(TILE, u_y.z - ow0) : 0;  // pixels of this tile inside the row
  int fbase = cog * u_k.x * u_k.y * u_x.w;  // first texel of this channel group's filter
  vec4 acc[TILE];
  for (int j = 0; j < TILE; j++) acc[j] = vec4(0.0);
  for (int kh = 0; kh < u_k.x; kh++) {
    int ih = ih0 + kh * u_dil.x;
    bool row_ok = ih >= 0 && ih < u_x.y;
    int xpix0 = (xrow0 + (row_ok ? ih : 0)) * u_x.z;  // pixel index of column 0
#if SLIDE
    // window column u is input column iw0 + u; it serves pixel j at kw = u - j
    int xi[WIN];
    bool ok[WIN];
    for (int u = 0; u < WIN; u++) {
      int iw = iw0 + u;
      ok[u] = row_ok && u < nlive + u_k.y - 1 && iw >= 0 && iw < u_x.z;
      xi[u] = ok[u] ? (xpix0 + iw) * XCH : 0;
    }
    for (int c = 0; c < XCH; c++) {
      XTYPE win[WIN];
      for (int u = 0; u < WIN; u++) win[u] = ok[u] ? LOADX(xi[u] + c) : XZERO;
      // kw and j spelled out (macros) so every window index is a constant
      int ft = fbase + kh * u_k.y * u_x.w + FSTEP * c;
      WTYPE w;
      TAP(0)
#if KW_MAX > 1
      TAP(1)
      TAP(2)
#endif
#if KW_MAX > 3
      TAP(3)
      TAP(4)
#endif
#if KW_MAX > 5
      TAP(5)
      TAP(6)
#endif
    }
#else
    for (int kw = 0; kw < u_k.y; kw++) {
      int xi[TILE];
      bool ok[TILE];
      for (int j = 0; j < TILE; j++) {
        int iw = iw0 + j * u_stride.y + kw * u_dil.y;
        ok[j] = row_ok && j < nlive && iw >= 0 && iw < u_x.z;
        xi[j] = ok[j] ? (xpix0 + iw) * XCH : 0;
      }
      int ft = fbase + (kh * u_k.y + kw) * u_x.w;
      for (int c = 0; c < XCH; c++) {
        WTYPE w = LOADW(ft);
        ft += FSTEP;
        ACC_ALL(ok[J] ? LOADX(xi[J] + c) : XZERO)
      }
    }
#endif
  }
  o0 = acc[0];
  o1 = acc[1];
  o2 = acc[2];
  o3 = acc[3];
  o4 = acc[4];
  o5 = acc[5];
  o6 = acc[6];
  o7 = acc[7];
}
