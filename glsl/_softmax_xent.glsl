// Row statistics of softmax cross-entropy (softmax_cross_entropy.glsl and its gradient).
// Z (logits) and Y (labels) are [rows, u_c] row-major. For row r:
//   lse  = log(sum_c exp(z_c))                        (max-shifted)
//   lp_c = z_c - lse, clipped below at u_log_eps when CLIP (log(max(p, eps)))
//   loss = -sum_c y_c * lp_c
//   ym   = sum_c y_c * mask_c, mask_c = 1 where lp_c was not clipped (the clip's gradient)
#ifndef CLIP
#define CLIP 0
#endif

uniform sampler2D Z;
uniform int Z_wlog;
uniform sampler2D Y;
uniform int Y_wlog;
uniform int u_c;
uniform float u_log_eps;

float row_lse(int base) {
  float m = -INF;
  for (int c = 0; c < u_c; c++) m = nan_max(m, fetch(Z, Z_wlog, base + c));
  float s = 0.0;
  for (int c = 0; c < u_c; c++) s += exp(fetch(Z, Z_wlog, base + c) - m);
  return m + log(s);
}

// log p_c (clipped) and its mask.
vec2 log_prob(float z, float lse) {
  float lp = z - lse;
#if CLIP
  if (lp < u_log_eps) return vec2(u_log_eps, 0.0);
#endif
  return vec2(lp, 1.0);
}

// (loss, ym) of the row starting at element base, given its lse.
vec2 row_loss(int base, float lse) {
  float loss = 0.0, ym = 0.0;
  for (int c = 0; c < u_c; c++) {
    float y = fetch(Y, Y_wlog, base + c);
    vec2 lm = log_prob(fetch(Z, Z_wlog, base + c), lse);
    loss -= y * lm.x;
    ym += y * lm.y;
  }
  return vec2(loss, ym);
}
