// Gradient of resize_bilinear: each input element sums DY over the output pixels that
// interpolate from it, times their weights (the candidates found from the inverse ratio,
// then tested with the forward formulas).
#include "_resize.glsl"

uniform sampler2D DY;
uniform int DY_wlog;
out vec4 result;

ivec2 candidates(int y, float ratio, int n_out) {
  if (ratio <= 0.0) return ivec2(0, n_out - 1);
  float off = u_half == 1 ? 0.5 : 0.0;
  int lo = int(floor((float(y - 1) + off) / ratio - off)) - 1;
  int hi = int(ceil((float(y + 1) + off) / ratio - off)) + 1;
  return ivec2(max(lo, 0), min(hi, n_out - 1));
}

float weight(int o, int y, float ratio, int size) {
  float f;
  ivec2 r = bilinear_rows(o, ratio, size, f);
  return (r.x == y ? 1.0 - f : 0.0) + (r.y == y ? f : 0.0);
}

VAL value(int i) {
  if (i >= u_size) return VAL(0.0);
  ivec4 e = split_element(i, u_h, u_w);
  ivec2 cy = candidates(e.y, u_ry, u_oh);
  ivec2 cx = candidates(e.z, u_rx, u_ow);
  VAL acc = VAL(0.0);
  for (int oy = cy.x; oy <= cy.y; oy++) {
    float wy = weight(oy, e.y, u_ry, u_h);
    if (wy == 0.0) continue;
    int row = (e.x * u_oh + oy) * u_ow;
    for (int ox = cx.x; ox <= cx.y; ox++) {
      float wx = weight(ox, e.z, u_rx, u_w);
      if (wx != 0.0) acc += (wy * wx) * LOAD(DY, DY_wlog, row + ox);
    }
  }
  return acc;
}

void main() {
  int base = out_base(out_wlog);
#if VEC == 1
  result = value(base >> 2);
#else
  result = vec4(value(base), value(base + 1), value(base + 2), value(base + 3));
#endif
}
