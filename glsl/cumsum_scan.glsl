// Blocked cumulative sum along rows of n elements (n % 4 == 0, inner == 1), so that a texel
// holds 4 consecutive positions of one row and texel t of X is element t of the row sums.
// PASS 0: S[t] = the sum of texel t of X (a fragment writes 4 of them: 4 fetches).
// PASS 1: out texel t = P[t] + the prefix (suffix when REVERSE) of texel t within itself,
//         where P is the exclusive scan of S along rows of n / 4 (2 fetches per fragment).
// EXCLUSIVE leaves each element out of its own sum.
#include "_common.glsl"
#ifndef PASS
#define PASS 0
#endif
#ifndef EXCLUSIVE
#define EXCLUSIVE 0
#endif
#ifndef REVERSE
#define REVERSE 0
#endif

uniform sampler2D X;
uniform int X_wlog;
#if PASS == 1
uniform sampler2D P;
uniform int P_wlog;
#endif
uniform int out_wlog;

out vec4 result;

#if PASS == 0
float total(vec4 v) { return (v.x + v.y) + (v.z + v.w); }

void main() {
  int t = out_base(out_wlog);  // four consecutive texels of X
  ivec2 c = ivec2(t & ((1 << X_wlog) - 1), t >> X_wlog);
  if (X_wlog >= 2) {  // the 4 texels share a row of the texture
    result = vec4(total(texelFetch(X, c, 0)), total(texelFetch(X, c + ivec2(1, 0), 0)),
                  total(texelFetch(X, c + ivec2(2, 0), 0)),
                  total(texelFetch(X, c + ivec2(3, 0), 0)));
  } else {
    result = vec4(total(fetch_texel(X, X_wlog, t)), total(fetch_texel(X, X_wlog, t + 1)),
                  total(fetch_texel(X, X_wlog, t + 2)), total(fetch_texel(X, X_wlog, t + 3)));
  }
}
#else
void main() {
  int t = out_base(out_wlog) >> 2;
  vec4 v = fetch_texel(X, X_wlog, t);
  float p = fetch(P, P_wlog, t);
  vec4 r;
#if REVERSE
  r.w = EXCLUSIVE == 1 ? 0.0 : v.w;
  r.z = (EXCLUSIVE == 1 ? v.w : v.z + v.w);
  r.y = (EXCLUSIVE == 1 ? v.z + v.w : v.y + (v.z + v.w));
  r.x = (EXCLUSIVE == 1 ? v.y + (v.z + v.w) : v.x + (v.y + (v.z + v.w)));
#else
  r.x = EXCLUSIVE == 1 ? 0.0 : v.x;
  r.y = (EXCLUSIVE == 1 ? v.x : v.x + v.y);
  r.z = (EXCLUSIVE == 1 ? v.x + v.y : (v.x + v.y) + v.z);
  r.w = (EXCLUSIVE == 1 ? (v.x + v.y) + v.z : ((v.x + v.y) + v.z) + v.w);
#endif
  result = p + r;
}
#endif
