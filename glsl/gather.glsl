// gather: the input A is seen as [B * O, u_a, u_n], the indices I as [B, u_i], the output
// as [B * O, u_i, u_n]: out[bo, i, n] = A[bo, I[bo / u_o, i], n]. Indices are clamped
// (see clamp_index); the Python side rejects bad host-known indices before drawing.
#include "_common.glsl"
#include "_movement.glsl"
#ifndef CONTIG
#define CONTIG 0
#endif

uniform sampler2D A;
uniform int A_wlog;
uniform sampler2D I;
uniform int I_wlog;
uniform int out_wlog;
uniform int u_size;
uniform int u_n;
uniform int u_i;
uniform int u_o;
uniform int u_a;

out vec4 result;

void main() {
  int base = out_base(out_wlog);
  int q = base / u_n;
  int n = base - q * u_n;
  int bo = q / u_i;
  int i = q - bo * u_i;
  int b = bo / u_o;
#if CONTIG
  // u_n is a multiple of 4: the four outputs share one index and one aligned texel.
  int a = clamp_index(fetch(I, I_wlog, b * u_i + i), u_a);
  result = fetch_texel(A, A_wlog, ((bo * u_a + a) * u_n + n) >> 2);
#else
  vec4 r = vec4(0.0);
  for (int e = 0; e < 4; e++) {
    if (base + e < u_size) {
      int a = clamp_index(fetch(I, I_wlog, b * u_i + i), u_a);
      r[e] = fetch(A, A_wlog, (bo * u_a + a) * u_n + n);
    }
    n += 1;
    if (n == u_n) {
      n = 0;
      i += 1;
      if (i == u_i) {
        i = 0;
        bo += 1;
        b = bo / u_o;
      }
    }
  }
  result = r;
#endif
}
