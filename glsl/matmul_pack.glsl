// Re-lay one matmul operand as a dense zero-padded [batch, rows, colsp] block (colsp a
// multiple of 4): out(b, r, c) = c < u_cols ? X[offset(b) + r * u_sr + c * u_sc] : 0.
// Used to transpose an operand, pad K or N to a multiple of 4, and materialise a batch
// broadcast that one stride cannot express. offset(b) walks the BRANK output batch dims
// (u_bshape) with the source's strides (u_bstrides, 0 where broadcast).
#include "_common.glsl"
#include "_linalg.glsl"

#ifndef BRANK
#define BRANK 1
#endif

uniform sampler2D X;
uniform int X_wlog;
uniform int out_wlog;
uniform int u_cb;     // texels per output row (colsp / 4)
uniform int u_rows;
uniform int u_cols;
uniform int u_sr;
uniform int u_sc;
uniform int u_bshape[BRANK];
uniform int u_bstrides[BRANK];

out vec4 result;

void main() {
  ivec2 c = ivec2(gl_FragCoord.xy);
  int t = (c.y << out_wlog) + c.x;
  ivec2 qc = divmod(t, u_cb);
  ivec2 br = divmod(qc.x, u_rows);
  int b = br.x;
  int src = br.y * u_sr;
  for (int d = BRANK - 1; d >= 0; d--) {
    ivec2 qd = divmod(b, u_bshape[d]);
    src += qd.y * u_bstrides[d];
    b = qd.x;
  }
  int col = qc.y << 2;
  src += col * u_sc;
  vec4 v = vec4(0.0);
  for (int i = 0; i < 4; i++) {
    if (col + i < u_cols) v[i] = fetch(X, X_wlog, src + i * u_sc);
  }
  result = v;
}
