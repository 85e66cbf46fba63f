// Gradient of resize_nearest_neighbor: each input element sums DY over the output pixels
// whose nearest source it is (candidates from the inverse ratio, tested exactly).
#include "_resize.glsl"

uniform sampler2D DY;
uniform int DY_wlog;
out vec4 result;

ivec2 candidates(int y, float ratio, int size, int n_out) {
  if (ratio <= 0.0) return ivec2(0, n_out - 1);
  int lo = int(floor(float(y - 1) / ratio)) - 2;
  int hi = y == size - 1 ? n_out - 1 : int(ceil(float(y + 1) / ratio)) + 2;
  return ivec2(max(lo, 0), min(hi, n_out - 1));
}

VAL value(int i) {
  if (i >= u_size) return VAL(0.0);
  ivec4 e = split_element(i, u_h, u_w);
  ivec2 cy = candidates(e.y, u_ry, u_h, u_oh);
  ivec2 cx = candidates(e.z, u_rx, u_w, u_ow);
  VAL acc = VAL(0.0);
  for (int oy = cy.x; oy <= cy.y; oy++) {
    if (nearest_row(oy, u_eff_y, u_h) != e.y) continue;
    int row = (e.x * u_oh + oy) * u_ow;
    for (int ox = cx.x; ox <= cx.y; ox++) {
      if (nearest_row(ox, u_eff_x, u_w) == e.z) acc += LOAD(DY, DY_wlog, row + ox);
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
