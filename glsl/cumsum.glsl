// One pass of a radix-4 Hillis-Steele scan along an axis of a tensor seen as [outer, n, inner]:
//   out[p] = sum over r in 0..3 of in[p - shift - r * step]   (terms before position 0 are 0)
// where p counts positions along the axis from its start (from its end when REVERSE).
// Passes with step 1, 4, 16, ... give the inclusive cumulative sum; shift = 1 on the
// first pass makes it exclusive.
// ALIGNED: inner % 4 == 0, so a fragment's 4 elements share p and move by whole texels.
#include "_common.glsl"
#ifndef REVERSE
#define REVERSE 0
#endif
#ifndef ALIGNED
#define ALIGNED 0
#endif

uniform sampler2D X;
uniform int X_wlog;
uniform int out_wlog;
uniform int u_n;
uniform int u_inner;
uniform int u_step;
uniform int u_shift;

out vec4 result;

#if REVERSE
#define SGN (-1)
#else
#define SGN 1
#endif

int position(int q) {
  int j = (q / u_inner) % u_n;
#if REVERSE
  return u_n - 1 - j;
#else
  return j;
#endif
}

#if ALIGNED
vec4 term(int t, int p, int back) {
  if (p - back < 0) return vec4(0.0);
  return fetch_texel(X, X_wlog, t - SGN * back * (u_inner >> 2));
}

void main() {
  int q = out_base(out_wlog);
  int p = position(q);
  int t = q >> 2;
  result = (term(t, p, u_shift) + term(t, p, u_shift + u_step)) +
           (term(t, p, u_shift + 2 * u_step) + term(t, p, u_shift + 3 * u_step));
}
#else
float term(int q, int p, int back) {
  if (p - back < 0) return 0.0;
  return fetch(X, X_wlog, q - SGN * back * u_inner);
}

float scan_one(int q) {
  int p = position(q);
  return (term(q, p, u_shift) + term(q, p, u_shift + u_step)) +
         (term(q, p, u_shift + 2 * u_step) + term(q, p, u_shift + 3 * u_step));
}

void main() {
  int q = out_base(out_wlog);
  result = vec4(scan_one(q), scan_one(q + 1), scan_one(q + 2), scan_one(q + 3));
}
#endif
