// Softmax cross-entropy of logits Z against labels Y ([rows, u_c], see
// _softmax_xent.glsl). MODE 0: the loss of each row ([rows], 4 rows per fragment).
// MODE 1: one value, u_scale * (sum of the row losses), computed by the first fragment
// (small inputs: one draw for the whole loss). MODE 2: row stats for the gradient, two
// targets of [rows]: lse and ym.
#include "_common.glsl"
#include "_softmax_xent.glsl"

#ifndef MODE
#define MODE 0
#endif

uniform int out_wlog;
uniform int u_rows;
uniform float u_scale;

#if MODE == 2
layout(location = 0) out vec4 out_lse;
layout(location = 1) out vec4 out_ym;
#else
out vec4 result;
#endif

void main() {
  int base = out_base(out_wlog);
#if MODE == 1
  float acc = 0.0;
  if (base == 0) {
    for (int r = 0; r < u_rows; r++) {
      acc += row_loss(r * u_c, row_lse(r * u_c)).x;
    }
  }
  result = vec4(acc * u_scale, 0.0, 0.0, 0.0);
#else
  vec4 a = vec4(0.0), b = vec4(0.0);
  for (int k = 0; k < 4; k++) {
    int r = base + k;
    if (r >= u_rows) break;
    float lse = row_lse(r * u_c);
    vec2 lm = row_loss(r * u_c, lse);
    a[k] = MODE == 2 ? lse : lm.x;
    b[k] = lm.y;
  }
#if MODE == 2
  out_lse = a;
  out_ym = b;
#else
  result = a;
#endif
#endif
}
