// Concatenation of N (1..8) inputs. Every tensor is seen as [rows, columns]: the output
// has u_cols columns; input k fills columns [u_start[k], u_start[k] + u_width[k]) of
// every row. Inputs are never empty (the caller drops them).
#include "_common.glsl"
#include "_movement.glsl"
#ifndef N
#define N 1
#endif
#ifndef CONTIG
#define CONTIG 0
#endif

uniform int out_wlog;
uniform int u_size;
uniform int u_cols;
uniform int u_start[N];
uniform int u_width[N];

uniform sampler2D X0;
uniform int X0_wlog;
#if N > 1
uniform sampler2D X1;
uniform int X1_wlog;
#endif
#if N > 2
uniform sampler2D X2;
uniform int X2_wlog;
#endif
#if N > 3
uniform sampler2D X3;
uniform int X3_wlog;
#endif
#if N > 4
uniform sampler2D X4;
uniform int X4_wlog;
#endif
#if N > 5
uniform sampler2D X5;
uniform int X5_wlog;
#endif
#if N > 6
uniform sampler2D X6;
uniform int X6_wlog;
#endif
#if N > 7
uniform sampler2D X7;
uniform int X7_wlog;
#endif

float load(int k, int i) {
#if N > 1
  if (k == 1) return fetch(X1, X1_wlog, i);
#endif
#if N > 2
  if (k == 2) return fetch(X2, X2_wlog, i);
#endif
#if N > 3
  if (k == 3) return fetch(X3, X3_wlog, i);
#endif
#if N > 4
  if (k == 4) return fetch(X4, X4_wlog, i);
#endif
#if N > 5
  if (k == 5) return fetch(X5, X5_wlog, i);
#endif
#if N > 6
  if (k == 6) return fetch(X6, X6_wlog, i);
#endif
#if N > 7
  if (k == 7) return fetch(X7, X7_wlog, i);
#endif
  return fetch(X0, X0_wlog, i);
}

// Texel t of input k.
vec4 load4(int k, int i) {
#if N > 1
  if (k == 1) return fetch_texel(X1, X1_wlog, i);
#endif
#if N > 2
  if (k == 2) return fetch_texel(X2, X2_wlog, i);
#endif
#if N > 3
  if (k == 3) return fetch_texel(X3, X3_wlog, i);
#endif
#if N > 4
  if (k == 4) return fetch_texel(X4, X4_wlog, i);
#endif
#if N > 5
  if (k == 5) return fetch_texel(X5, X5_wlog, i);
#endif
#if N > 6
  if (k == 6) return fetch_texel(X6, X6_wlog, i);
#endif
#if N > 7
  if (k == 7) return fetch_texel(X7, X7_wlog, i);
#endif
  return fetch_texel(X0, X0_wlog, i);
}

out vec4 result;

void main() {
  int base = out_base(out_wlog);
  int row = base / u_cols;
  int col = base - row * u_cols;
  int k = 0;
  for (int j = 1; j < N; j++) {
    if (col >= u_start[j]) k = j;
  }
#if CONTIG
  // Every width is a multiple of 4: the four outputs are one aligned texel of input k.
  result = load4(k, (row * u_width[k] + col - u_start[k]) >> 2);
#else
  vec4 r = vec4(0.0);
  for (int e = 0; e < 4; e++) {
    if (base + e < u_size) r[e] = load(k, row * u_width[k] + col - u_start[k]);
    col += 1;
    if (col == u_cols) {
      col = 0;
      row += 1;
      k = 0;
    } else if (k + 1 < N && col >= u_start[k + 1]) {
      k += 1;
    }
  }
  result = r;
#endif
}
