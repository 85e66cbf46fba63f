// 2-D max pooling, NHWC (geometry in _pool.glsl). NaN in a window gives NaN (numpy).
//   MODE 0: the max of each window of X.
//   MODE 1: the value of G at the first max of each window of X (max_pool_select).
//   MODE 2: the window offset dh * u_kw + dw of the first max of X (first NaN if any).
#include "_common.glsl"
#include "_pool.glsl"
#ifndef MODE
#define MODE 0
#endif
// INSIDE 1: every window lies inside the input ('valid' padding): no bounds tests.
#ifndef INSIDE
#define INSIDE 0
#endif

uniform sampler2D X;
uniform int X_wlog;
uniform sampler2D G;
uniform int G_wlog;
out vec4 result;

#if VEC == 1
void main() {
  int t = out_base(out_wlog) >> 2;
  int groups = u_c >> 2;
  ivec4 win = pool_window(t, groups);
  int cg = win.w, y0 = win.y, x0 = win.z;
  vec4 best = vec4(-INF);
#if MODE == 0
  uvec4 bits = uvec4(0u);
#else
  vec4 pick = vec4(0.0);
  bool have = false;
#endif
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
      vec4 v = fetch_texel(X, X_wlog, ti);
#if MODE == 0
      best = max(best, v);
      bits = max(bits, floatBitsToUint(v) & uvec4(0x7fffffffu));
#else
      bvec4 bn = is_nan4(best);
      bvec4 take = bvec4(uvec4(greaterThan(v, best)) | (uvec4(is_nan4(v)) * uvec4(not(bn))));
      if (!have) take = bvec4(true);
      have = true;
      best = mix(best, v, take);
#if MODE == 1
      pick = mix(pick, fetch_texel(G, G_wlog, ti), take);
#else
      pick = mix(pick, vec4(float(dh * u_kw + dw)), take);
#endif
#endif
    }
  }
#if MODE == 0
  result = mix(best, vec4(NAN), greaterThan(bits, uvec4(0x7f800000u)));
#else
  result = pick;
#endif
}
#else
float pool(int i) {
  if (i >= u_size) return 0.0;
  ivec4 win = pool_window(i, u_c);
  int c = win.w, y0 = win.y, x0 = win.z;
  float best = -INF;
  float pick = 0.0;
  bool have = false;
  for (int dh = 0; dh < WIN_H; dh++) {
    int y = y0 + dh;
    if (y < 0 || y >= u_h) continue;
    int row = (win.x * u_h + y) * u_w;
    for (int dw = 0; dw < WIN_W; dw++) {
      int x = x0 + dw;
      if (x < 0 || x >= u_w) continue;
      int j = (row + x) * u_c + c;
      float v = fetch(X, X_wlog, j);
      bool take = !have || (!is_nan(best) && (v > best || is_nan(v)));
      have = true;
      if (take) {
        best = v;
#if MODE == 1
        pick = fetch(G, G_wlog, j);
#elif MODE == 2
        pick = float(dh * u_kw + dw);
#endif
      }
    }
  }
#if MODE == 0
  return best;
#else
  return pick;
#endif
}

void main() {
  int base = out_base(out_wlog);
  result = vec4(pool(base), pool(base + 1), pool(base + 2), pool(base + 3));
}
#endif
