// One step of SimpleRNN: h' = act(XW[:, t] + HM @ UT^T), fused (recurrent matmul row,
// bias already in XW, activation). HM is the previous state (times the recurrent dropout
// mask), [B, u]; UT is the recurrent kernel transposed, [u, u] (row j = column j of the
// Keras recurrent_kernel). One fragment writes 4 consecutive elements of h'.
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
  vec4 acc = fetch_texel(XW, XW_wlog, (b * u_xw_bstride + u_xw_off + j) >> 2);
  int ht = (b * u) >> 2;
  int kt = u >> 2;
  for (int k = 0; k < kt; k++) {
    vec4 h = fetch_texel(HM, HM_wlog, ht + k);
    acc += UT_BLOCK(h, j, k);
  }
  result = vec4(activate(acc.x, ACT), activate(acc.y, ACT), activate(acc.z, ACT),
                activate(acc.w, ACT));
#else
  vec4 r = vec4(0.0);
  for (int l = 0; l < 4; l++) {
    int e = base + l;
    if (e >= u_size) break;
    int b = e / u;
    int j = e - b * u;
    int hrow = b * u;
    float acc = fetch(XW, XW_wlog, b * u_xw_bstride + u_xw_off + j);
    int ui = j * u;
    for (int k = 0; k < u; k++) {
      acc += fetch(HM, HM_wlog, hrow + k) * fetch(UT, UT_wlog, ui + k);
    }
    r[l] = activate(acc, ACT);
  }
  result = r;
#endif
}
