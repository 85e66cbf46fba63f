// One step of GRU (Keras gate order z, r, h), fused. UT is the recurrent kernel
// transposed, [3u, u] (rows z, r, h); XW[:, t] holds x @ kernel + input bias.
//   RESET_AFTER 1 (Keras-converted models): m = HM @ UT^T + RB (RB: recurrent bias [3u]),
//     z = ract(xz + m_z), r = ract(xr + m_r), hh = act(xh + r * m_h)
//   RESET_AFTER 0 (TF.js's GRU): z = ract(xz + HM @ UT_z^T),
//     hh = act(xh + RH @ UT_h^T) with RH = r * HM from gru_reset_gate.glsl
// then h' = z * H + (1 - z) * hh. HM is the previous h times the recurrent dropout mask,
// H the previous h itself.
#include "_common.glsl"
#include "_recurrent.glsl"

#ifndef RESET_AFTER
#define RESET_AFTER 0
#endif

uniform sampler2D H;
uniform int H_wlog;
#if RESET_AFTER
uniform sampler2D RB;
uniform int RB_wlog;
#else
uniform sampler2D RH;
uniform int RH_wlog;
#endif

out vec4 result;

float combine(float xz, float xr, float xh, float mz, float mr, float mh, float hp) {
#if RESET_AFTER
  float z = activate(xz + mz, RACT);
  float rg = activate(xr + mr, RACT);
  float hh = activate(xh + rg * mh, ACT);
#else
  float z = activate(xz + mz, RACT);
  float hh = activate(xh + mh, ACT);
#endif
  return z * hp + (1.0 - z) * hh;
}

void main() {
  int base = out_base(out_wlog);
  int u = u_units;
  vec4 hprev = fetch_texel(H, H_wlog, base >> 2);
#if ALIGNED
  if (base >= u_size) { result = vec4(0.0); return; }
  int b = base / u;
  int j = base - b * u;
  int gt = u >> 2;
  int x0 = (b * u_xw_bstride + u_xw_off + j) >> 2;
  vec4 xz = fetch_texel(XW, XW_wlog, x0);
  vec4 xr = fetch_texel(XW, XW_wlog, x0 + gt);
  vec4 xh = fetch_texel(XW, XW_wlog, x0 + 2 * gt);
  int ht = (b * u) >> 2;
  vec4 mz = vec4(0.0), mr = vec4(0.0), mh = vec4(0.0);
#if RESET_AFTER
  mz = fetch_texel(RB, RB_wlog, j >> 2);
  mr = fetch_texel(RB, RB_wlog, (u + j) >> 2);
  mh = fetch_texel(RB, RB_wlog, (2 * u + j) >> 2);
#endif
  for (int k = 0; k < gt; k++) {
    vec4 h = fetch_texel(HM, HM_wlog, ht + k);
    mz += UT_BLOCK(h, j, k);
#if RESET_AFTER
    mr += UT_BLOCK(h, u + j, k);
    vec4 hr = h;
#else
    vec4 hr = fetch_texel(RH, RH_wlog, ht + k);
#endif
    int r = 2 * u + j;
    mh += UT_BLOCK(hr, r, k);
  }
  vec4 res;
  for (int l = 0; l < 4; l++) {
    res[l] = combine(xz[l], xr[l], xh[l], mz[l], mr[l], mh[l], hprev[l]);
  }
  result = res;
#else
  vec4 res = vec4(0.0);
  for (int l = 0; l < 4; l++) {
    int e = base + l;
    if (e >= u_size) break;
    int b = e / u;
    int j = e - b * u;
    int hrow = b * u;
    int x0 = b * u_xw_bstride + u_xw_off + j;
    float xz = fetch(XW, XW_wlog, x0);
    float xr = fetch(XW, XW_wlog, x0 + u);
    float xh = fetch(XW, XW_wlog, x0 + 2 * u);
    float mz = 0.0, mr = 0.0, mh = 0.0;
#if RESET_AFTER
    mz = fetch(RB, RB_wlog, j);
    mr = fetch(RB, RB_wlog, u + j);
    mh = fetch(RB, RB_wlog, 2 * u + j);
#endif
    int rz = j * u, rr = (u + j) * u, rh = (2 * u + j) * u;
    for (int k = 0; k < u; k++) {
      float h = fetch(HM, HM_wlog, hrow + k);
      mz += h * fetch(UT, UT_wlog, rz + k);
#if RESET_AFTER
      mr += h * fetch(UT, UT_wlog, rr + k);
      mh += h * fetch(UT, UT_wlog, rh + k);
#else
      mh += fetch(RH, RH_wlog, hrow + k) * fetch(UT, UT_wlog, rh + k);
#endif
    }
    res[l] = combine(xz, xr, xh, mz, mr, mh, hprev[l]);
  }
  result = res;
#endif
}
