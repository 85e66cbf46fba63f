// Nearest-neighbour resize of NHWC images (geometry in _resize.glsl), as TF.js picks.
#include "_resize.glsl"

uniform sampler2D X;
uniform int X_wlog;
out vec4 result;

VAL value(int i) {
  if (i >= u_size) return VAL(0.0);
  ivec4 e = split_element(i, u_oh, u_ow);
  int y = nearest_row(e.y, u_eff_y, u_h);
  int x = nearest_row(e.z, u_eff_x, u_w);
  return LOAD(X, X_wlog, (e.x * u_h + y) * u_w + x);
}

void main() {
  int base = out_base(out_wlog);
#if VEC == 1
  result = value(base >> 2);
#else
  result = vec4(value(base), value(base + 1), value(base + 2), value(base + 3));
#endif
}
