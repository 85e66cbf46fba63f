// Gradient of gather, a segment sum: dy D is [B * O, u_i, u_n], indices I are [B, u_i];
// the output is [B * O, u_a, u_n] with out[bo, a, n] = sum of D[bo, i, n] over the i
// whose (clamped) index I[bo / u_o, i] is a. Duplicates accumulate.
//   CSR == 0: every output element scans all u_i indices.
//   CSR == 1: the host sorted the indices: SEG [B, u_a + 1] holds where each a's run
//             starts in PERM [B, u_i], which lists the positions i in index order.
#include "_common.glsl"
#include "_movement.glsl"
#ifndef CSR
#define CSR 0
#endif
#ifndef VEC
#define VEC 0
#endif

uniform sampler2D D;
uniform int D_wlog;
#if CSR
uniform sampler2D SEG;
uniform int SEG_wlog;
uniform sampler2D PERM;
uniform int PERM_wlog;
#else
uniform sampler2D I;
uniform int I_wlog;
#endif
uniform int out_wlog;
uniform int u_size;
uniform int u_n;
uniform int u_i;
uniform int u_o;
uniform int u_a;

// Sum over the positions i of index a of D[bo, i, n .. n + 3] (VEC) or D[bo, i, n] (.x).
vec4 segment(int bo, int a, int n) {
  int b = bo / u_o;
  vec4 s = vec4(0.0);
  int row = bo * u_i;
#if CSR
  int lo = int(fetch(SEG, SEG_wlog, b * (u_a + 1) + a));
  int hi = int(fetch(SEG, SEG_wlog, b * (u_a + 1) + a + 1));
  for (int j = lo; j < hi; j++) {
    int i = int(fetch(PERM, PERM_wlog, b * u_i + j));
#else
  for (int i = 0; i < u_i; i++) {
    if (clamp_index(fetch(I, I_wlog, b * u_i + i), u_a) != a) continue;
#endif
    int at = (row + i) * u_n + n;
#if VEC
    s += fetch_texel(D, D_wlog, at >> 2);
#else
    s.x += fetch(D, D_wlog, at);
#endif
  }
  return s;
}

out vec4 result;

void main() {
  int base = out_base(out_wlog);
  int q = base / u_n;
  int n = base - q * u_n;
  int bo = q / u_a;
  int a = q - bo * u_a;
#if VEC
  // u_n is a multiple of 4: sum runs of four.
  result = segment(bo, a, n);
#else
  vec4 r = vec4(0.0);
  for (int e = 0; e < 4; e++) {
    if (base + e < u_size) r[e] = segment(bo, a, n).x;
    n += 1;
    if (n == u_n) {
      n = 0;
      a += 1;
      if (a == u_a) {
        a = 0;
        bo += 1;
      }
    }
  }
  result = r;
#endif
}
