// Bilinear resize of NHWC images (geometry in _resize.glsl), interpolated as TF.js does.
#include "_resize.glsl"

uniform sampler2D X;
uniform int X_wlog;
out vec4 result;

VAL value(int i) {
  if (i >= u_size) return VAL(0.0);
  ivec4 e = split_element(i, u_oh, u_ow);
  float fy, fx;
  ivec2 ry = bilinear_rows(e.y, u_ry, u_h, fy);
  ivec2 rx = bilinear_rows(e.z, u_rx, u_w, fx);
  int top = (e.x * u_h + ry.x) * u_w;
  int bottom = (e.x * u_h + ry.y) * u_w;
  VAL tl = LOAD(X, X_wlog, top + rx.x);
  VAL tr = LOAD(X, X_wlog, top + rx.y);
  VAL bl = LOAD(X, X_wlog, bottom + rx.x);
  VAL br = LOAD(X, X_wlog, bottom + rx.y);
  VAL t = tl + (tr - tl) * fx;
  VAL b = bl + (br - bl) * fx;
  return t + (b - t) * fy;
}

void main() {
  int base = out_base(out_wlog);
#if VEC == 1
  result = value(base >> 2);
#else
  result = vec4(value(base), value(base + 1), value(base + 2), value(base + 3));
#endif
}
