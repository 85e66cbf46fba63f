// First pass of a GRU step with reset_after=False: RH = r * HM with
// r = ract(XW[:, t, u:2u] + HM @ UT[u:2u]^T). gru_step.glsl (RESET_AFTER 0) then
// multiplies RH by the candidate block. HM: previous h (times the recurrent dropout
// mask) [B, u]; UT: recurrent kernel transposed [3u, u], Keras gate order z, r, h.
#include "_common.glsl"
#include "_recurrent.glsl"


out vec4 result;

void main() {
  int base = out_base(out_wlog);
  int u = u_units;
#if ALIGNED
  if (base >= u_size) { result = vec4(0.0); return; }
  int b = base / u;
  int j = base - b * u;
  int gt = u >> 2;
  vec4 acc = fetch_texel(XW, XW_wlog, ((b * u_xw_bstride + u_xw_off + j) >> 2) + gt);
  int ht = (b * u) >> 2;
  int r = u + j;
  for (int k = 0; k < gt; k++) {
    vec4 h = fetch_texel(HM, HM_wlog, ht + k);
    acc += UT_BLOCK(h, r, k);
  }
  vec4 rg = vec4(activate(acc.x, RACT), activate(acc.y, RACT), activate(acc.z, RACT),
                 activate(acc.w, RACT));
  result = rg * fetch_texel(HM, HM_wlog, base >> 2);
#else
  vec4 res = vec4(0.0);
  for (int l = 0; l < 4; l++) {
    int e = base + l;
    if (e >= u_size) break;
    int b = e / u;
    int j = e - b * u;
    int hrow = b * u;
    float acc = fetch(XW, XW_wlog, b * u_xw_bstride + u_xw_off + u + j);
    int r0 = (u + j) * u;
    for (int k = 0; k < u; k++) {
      acc += fetch(HM, HM_wlog, hrow + k) * fetch(UT, UT_wlog, r0 + k);
    }
    res[l] = activate(acc, RACT) * fetch(HM, HM_wlog, e);
  }
  result = res;
#endif
}
