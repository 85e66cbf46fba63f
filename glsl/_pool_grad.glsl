// main() of the pooling gradients: each fragment is 4 elements of the input-shaped
// gradient; it sums DY over the windows that hold its pixel. Geometry in _pool.glsl.
//   MAX 1: a window adds its DY only if its first max (offset in P) is this pixel.
//   MAX 0: every window adds DY / (number of its elements inside the input).
#include "_common.glsl"
#include "_pool.glsl"

uniform sampler2D DY;
uniform int DY_wlog;
uniform sampler2D P;
uniform int P_wlog;
out vec4 result;

ivec2 window_range(int y, int pad, int k, int s, int n_out) {
  int lo = max(0, int(ceil(float(y + pad - k + 1) / float(s))));
  int hi = min(n_out - 1, (y + pad) / s);
  return ivec2(lo, hi);
}

float window_count(int oy, int ox) {
  int y0 = oy * u_sh - u_pt;
  int x0 = ox * u_sw - u_pl;
  return float((min(y0 + u_kh, u_h) - max(y0, 0)) * (min(x0 + u_kw, u_w) - max(x0, 0)));
}

#if VEC == 1
void main() {
  int t = out_base(out_wlog) >> 2;
  int groups = u_c >> 2;
  int p = idiv(t, groups, u_inv_c);
  int cg = t - p * groups;
  ivec3 q = split_pixel(p, u_h, u_w);
  ivec2 ry = window_range(q.y, u_pt, u_kh, u_sh, u_oh);
  ivec2 rx = window_range(q.z, u_pl, u_kw, u_sw, u_ow);
  vec4 acc = vec4(0.0);
  for (int oy = ry.x; oy <= ry.y; oy++) {
    int row = (q.x * u_oh + oy) * u_ow;
    int dh = q.y - (oy * u_sh - u_pt);
    for (int ox = rx.x; ox <= rx.y; ox++) {
      int ti = (row + ox) * groups + cg;
      vec4 g = fetch_texel(DY, DY_wlog, ti);
#if MAX == 1
      float at = float(dh * u_kw + q.z - (ox * u_sw - u_pl));
      acc += mix(vec4(0.0), g, equal(fetch_texel(P, P_wlog, ti), vec4(at)));
#else
      acc += g / window_count(oy, ox);
#endif
    }
  }
  result = acc;
}
#else
float grad_at(int i) {
  if (i >= u_size) return 0.0;
  int p = idiv(i, u_c, u_inv_c);
  int c = i - p * u_c;
  ivec3 q = split_pixel(p, u_h, u_w);
  ivec2 ry = window_range(q.y, u_pt, u_kh, u_sh, u_oh);
  ivec2 rx = window_range(q.z, u_pl, u_kw, u_sw, u_ow);
  float acc = 0.0;
  for (int oy = ry.x; oy <= ry.y; oy++) {
    int row = (q.x * u_oh + oy) * u_ow;
    int dh = q.y - (oy * u_sh - u_pt);
    for (int ox = rx.x; ox <= rx.y; ox++) {
      int j = (row + ox) * u_c + c;
      float g = fetch(DY, DY_wlog, j);
#if MAX == 1
      float at = float(dh * u_kw + q.z - (ox * u_sw - u_pl));
      if (fetch(P, P_wlog, j) == at) acc += g;
#else
      acc += g / window_count(oy, ox);
#endif
    }
  }
  return acc;
}

void main() {
  int base = out_base(out_wlog);
  result = vec4(grad_at(base), grad_at(base + 1), grad_at(base + 2), grad_at(base + 3));
}
#endif
