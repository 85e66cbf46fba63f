// Gradient of softmax cross-entropy with respect to the logits, one pass:
//   dz_c = s_r * (p_c * ym_r - y_c * mask_c),  p_c = exp(z_c - lse_r)
// (with one-hot labels and no clipping: s_r * (softmax - labels)). s_r = DY[r] * u_scale
// (DY_ONE 0: a loss per row) or DY[0] * u_scale (DY_ONE 1: a reduced loss). Row stats
// come from the targets of softmax_cross_entropy MODE 2 (STATS 1: L = lse, M = ym) or
// are computed per fragment (STATS 0: short rows).
#include "_common.glsl"
#include "_softmax_xent.glsl"

#ifndef STATS
#define STATS 0
#endif
#ifndef DY_ONE
#define DY_ONE 1
#endif

uniform sampler2D DY;
uniform int DY_wlog;
#if STATS
uniform sampler2D L;
uniform int L_wlog;
uniform sampler2D M;
uniform int M_wlog;
#endif
uniform int out_wlog;
uniform int u_size;
uniform float u_scale;

out vec4 result;

void main() {
  int base = out_base(out_wlog);
  vec4 v = vec4(0.0);
  int row = -1;
  float lse = 0.0, ym = 0.0, s = 0.0;
#if DY_ONE
  s = fetch(DY, DY_wlog, 0) * u_scale;
#endif
  for (int k = 0; k < 4; k++) {
    int e = base + k;
    if (e >= u_size) break;
    int r = e / u_c;
    if (r != row) {
      row = r;
#if STATS
      lse = fetch(L, L_wlog, r);
      ym = fetch(M, M_wlog, r);
#else
      lse = row_lse(r * u_c);
      ym = row_loss(r * u_c, lse).y;
#endif
#if !DY_ONE
      s = fetch(DY, DY_wlog, r) * u_scale;
#endif
    }
    float z = fetch(Z, Z_wlog, e);
    float y = fetch(Y, Y_wlog, e);
    vec2 lm = log_prob(z, lse);
    v[k] = s * (exp(z - lse) * ym - y * lm.y);
  }
  result = v;
}
