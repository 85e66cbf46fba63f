// 2-D average pooling, NHWC (geometry in _pool.glsl): the mean over the window's
// elements inside the input (padding is not counted, as TF's 'same').
#include "_common.glsl"
#include "_pool.glsl"
// INSIDE 1: every window lies inside the input ('valid' padding): no bounds tests.
#ifndef INSIDE
#define INSIDE 0
#endif

uniform sampler2D X;
uniform int X_wlog;
out vec4 result;

#if VEC == 1
void main() {
  int t = out_base(out_wlog) >> 2;
  int groups = u_c >> 2;
  ivec4 win = pool_window(t, groups);
  int cg = win.w, y0 = win.y, x0 = win.z;
  int ya = max(y0, 0), yb = min(y0 + u_kh, u_h);
  int xa = max(x0, 0), xb = min(x0 + u_kw, u_w);
  vec4 s = vec4(0.0);
  for (int dh = 0; dh < WIN_H; dh++) {
    int y = y0 + dh;
#if INSIDE == 0
    if (y < 0 || y >= u_h) continue;
#endif
    int ti = ((win.x * u_h + y) * u_w + x0) * groups + cg;
    for (int dw = 0; dw < WIN_W; dw++, ti += groups) {
#if INSIDE == 0
      int x = x0 + dw;
      if (x < 0 || x >= u_w) continue;
#endif
      s += fetch_texel(X, X_wlog, ti);
    }
  }
  result = s / float((yb - ya) * (xb - xa));
}
#else
float pool(int i) {
  if (i >= u_size) return 0.0;
  ivec4 win = pool_window(i, u_c);
  int c = win.w, y0 = win.y, x0 = win.z;
  int ya = max(y0, 0), yb = min(y0 + u_kh, u_h);
  int xa = max(x0, 0), xb = min(x0 + u_kw, u_w);
  float s = 0.0;
  for (int y = ya; y < yb; y++) {
    int row = (win.x * u_h + y) * u_w;
    for (int x = xa; x < xb; x++) s += fetch(X, X_wlog, (row + x) * u_c + c);
  }
  return s / float((yb - ya) * (xb - xa));
}

void main() {
  int base = out_base(out_wlog);
  result = vec4(pool(base), pool(base + 1), pool(base + 2), pool(base + 3));
}
#endif
