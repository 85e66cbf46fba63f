// Geometry of image resizing over NHWC: input u_h x u_w, output u_oh x u_ow, u_c channels.
// VEC 1: u_c % 4 == 0, a fragment handles 4 channels of one pixel with texel reads
// (split_element then splits texel indices, u_inv_c = 4 / u_c).
// Source coordinates as TF.js computes them: u_ry, u_rx = effective in / out sizes
// ((in - 1) / (out - 1) with align_corners and out > 1); u_half: half_pixel_centers.
#include "_common.glsl"
#include "_nn.glsl"
#ifndef VEC
#define VEC 0
#endif

uniform int out_wlog;
uniform int u_h;
uniform int u_w;
uniform int u_c;
uniform int u_oh;
uniform int u_ow;
uniform int u_size;
uniform float u_inv_c;
uniform float u_inv_w;  // 1 / width of the pixel grid a flat index is split over
uniform float u_inv_h;
uniform float u_ry;
uniform float u_rx;
uniform int u_half;
uniform int u_align;
uniform ivec2 u_eff_y;  // nearest: (effective in, effective out) sizes along y
uniform ivec2 u_eff_x;

#if VEC == 1
#define CH (u_c >> 2)
#define VAL vec4
#define LOAD(S, W, PIX) fetch_texel(S, W, (PIX) * CH + e.w)
#else
#define CH u_c
#define VAL float
#define LOAD(S, W, PIX) fetch(S, W, (PIX) * CH + e.w)
#endif

// (n, y, x, c) of flat element i of a [?, gh, gw, u_c] tensor (c: channel group if VEC).
ivec4 split_element(int i, int gh, int gw) {
  int p = idiv(i, CH, u_inv_c);
  int c = i - p * CH;
  int q = idiv(p, gw, u_inv_w);
  int x = p - q * gw;
  int n = idiv(q, gh, u_inv_h);
  return ivec4(n, q - n * gh, x, c);
}

float src_coord(int y, float ratio) {
  return u_half == 1 ? (float(y) + 0.5) * ratio - 0.5 : float(y) * ratio;
}

// Bilinear: (lower, upper) source rows of output row y, and the weight of upper.
ivec2 bilinear_rows(int y, float ratio, int size, out float frac) {
  float s = src_coord(y, ratio);
  int lo = int(max(s, 0.0));
  int hi = int(min(float(size - 1), ceil(s)));
  frac = s - float(lo);
  return ivec2(lo, hi);
}

// Nearest source row of output row y, exactly (integer arithmetic): floor(src) or,
// with align_corners, floor(src + 0.5) as TF.js rounds.
int nearest_row(int y, ivec2 eff, int size) {
  int num = (u_half == 1 ? 2 * y + 1 : 2 * y) * eff.x + (u_align == 1 ? eff.y : 0);
  return min(size - 1, num / (2 * eff.y));
}
