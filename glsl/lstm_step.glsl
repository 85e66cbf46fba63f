// One step of LSTM (Keras gate order i, f, c, o), fused: z = XW[:, t] + HM @ UT^T (bias
// is already in XW), i = ract(z_i), f = ract(z_f), g = act(z_c), o = ract(z_o),
// c' = f * C + i * g, h' = o * act(c'). Two render targets: h' (location 0), c' (1).
// HM: previous h (times the recurrent dropout mask) [B, u]; C: previous c [B, u];
// UT: recurrent kernel transposed [4u, u]. One fragment writes 4 consecutive elements.
#include "_common.glsl"
#include "_recurrent.glsl"

uniform sampler2D C;
uniform int C_wlog;

layout(location = 0) out vec4 out_h;
layout(location = 1) out vec4 out_c;

vec4 gates(vec4 z) {
  return vec4(activate(z.x, RACT), activate(z.y, RACT), activate(z.z, ACT),
              activate(z.w, RACT));
}

void main() {
  int base = out_base(out_wlog);
  int u = u_units;
  vec4 cprev = fetch_texel(C, C_wlog, base >> 2);
#if ALIGNED
  if (base >= u_size) { out_h = vec4(0.0); out_c = vec4(0.0); return; }
  int b = base / u;
  int j = base - b * u;
  int x0 = (b * u_xw_bstride + u_xw_off + j) >> 2;
  int gt = u >> 2;
  // zg: gate g of the 4 outputs
  vec4 zi = fetch_texel(XW, XW_wlog, x0);
  vec4 zf = fetch_texel(XW, XW_wlog, x0 + gt);
  vec4 zc = fetch_texel(XW, XW_wlog, x0 + 2 * gt);
  vec4 zo = fetch_texel(XW, XW_wlog, x0 + 3 * gt);
  int ht = (b * u) >> 2;
  for (int k = 0; k < gt; k++) {
    vec4 h = fetch_texel(HM, HM_wlog, ht + k);
    zi += UT_BLOCK(h, j, k);
    zf += UT_BLOCK(h, u + j, k);
    zc += UT_BLOCK(h, 2 * u + j, k);
    zo += UT_BLOCK(h, 3 * u + j, k);
  }
  vec4 hv, cv;
  for (int l = 0; l < 4; l++) {
    vec4 g = gates(vec4(zi[l], zf[l], zc[l], zo[l]));
    float c = g.y * cprev[l] + g.x * g.z;
    cv[l] = c;
    hv[l] = g.w * activate(c, ACT);
  }
  out_h = hv;
  out_c = cv;
#else
  vec4 hv = vec4(0.0), cv = vec4(0.0);
  for (int l = 0; l < 4; l++) {
    int e = base + l;
    if (e >= u_size) break;
    int b = e / u;
    int j = e - b * u;
    int hrow = b * u;
    int x0 = b * u_xw_bstride + u_xw_off + j;
    vec4 z = vec4(fetch(XW, XW_wlog, x0), fetch(XW, XW_wlog, x0 + u),
                  fetch(XW, XW_wlog, x0 + 2 * u), fetch(XW, XW_wlog, x0 + 3 * u));
    int r0 = j * u, gs = u * u;
    for (int k = 0; k < u; k++) {
      float h = fetch(HM, HM_wlog, hrow + k);
      z += h * vec4(fetch(UT, UT_wlog, r0 + k), fetch(UT, UT_wlog, r0 + gs + k),
                    fetch(UT, UT_wlog, r0 + 2 * gs + k), fetch(UT, UT_wlog, r0 + 3 * gs + k));
    }
    vec4 g = gates(z);
    float c = g.y * cprev[l] + g.x * g.z;
    cv[l] = c;
    hv[l] = g.w * activate(c, ACT);
  }
  out_h = hv;
  out_c = cv;
#endif
}
