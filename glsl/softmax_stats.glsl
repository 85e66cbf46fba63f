// Per-row statistics of softmax along one axis. A row is u_n elements u_inner apart;
// row r starts at (r / u_inner) * u_n * u_inner + r % u_inner.
//   out[2r] = max of row r, out[2r + 1] = 1 / sum(exp(x - max)); a row holding
//           NaN, +Inf, or only -Inf gets (NaN, NaN), as numpy's exp(x - max) / sum does.
//   LOG 1: out[2r + 1] = log(sum) instead (for log_softmax).
// STRIDED 0: u_inner == 1 (rows contiguous, read texel by texel); 1: any u_inner.
#include "_common.glsl"
#include "_nn.glsl"
#ifndef LOG
#define LOG 0
#endif
#ifndef STRIDED
#define STRIDED 0
#endif

uniform sampler2D X;
uniform int X_wlog;
uniform int out_wlog;
uniform int u_rows;
uniform int u_n;
uniform int u_inner;
uniform float u_inv_inner;
out vec4 result;

#define PAD (-INF)

#if STRIDED == 0
// Texel t of row [start, end) with lanes outside it set to PAD.
vec4 edge_texel(int t, int start, int end) {
  vec4 v = fetch_texel(X, X_wlog, t);
  ivec4 idx = ivec4(t << 2) + ivec4(0, 1, 2, 3);
  bvec4 ok = bvec4(uvec4(greaterThanEqual(idx, ivec4(start))) * uvec4(lessThan(idx, ivec4(end))));
  return mix(vec4(PAD), v, ok);
}
#endif

vec2 row_stats(int r) {
  if (r >= u_rows) return vec2(0.0);
  vec4 m = vec4(-INF);
  uvec4 bits = uvec4(0u);
#if STRIDED == 0
  int start = r * u_n;
  int end = start + u_n;
  int t0 = start >> 2;
  int t1 = (end - 1) >> 2;
  vec4 first = edge_texel(t0, start, end);
  vec4 last = edge_texel(t1, start, end);
  m = max(first, last);
  bits = max(floatBitsToUint(first), floatBitsToUint(last)) & uvec4(0x7fffffffu);
  for (int t = t0 + 1; t < t1; t++) {
    vec4 v = fetch_texel(X, X_wlog, t);
    m = max(m, v);
    bits = max(bits, floatBitsToUint(v) & uvec4(0x7fffffffu));
  }
#else
  int o = idiv(r, u_inner, u_inv_inner);
  int start = o * u_n * u_inner + (r - o * u_inner);
  for (int k = 0; k < u_n; k++) {
    float v = fetch(X, X_wlog, start + k * u_inner);
    m.x = max(m.x, v);
    bits.x = max(bits.x, floatBitsToUint(v) & 0x7fffffffu);
  }
#endif
  float mx = max(max(m.x, m.y), max(m.z, m.w));
  uint b = max(max(bits.x, bits.y), max(bits.z, bits.w));
  if (b > 0x7f800000u || mx == INF || mx == -INF) return vec2(NAN);
  vec4 s = vec4(0.0);
#if STRIDED == 0
  s = exp(first - mx) + exp(last - mx);
  if (t0 == t1) s = exp(first - mx);
  for (int t = t0 + 1; t < t1; t++) s += exp(fetch_texel(X, X_wlog, t) - mx);
#else
  for (int k = 0; k < u_n; k++) s.x += exp(fetch(X, X_wlog, start + k * u_inner) - mx);
#endif
  float sum = (s.x + s.y) + (s.z + s.w);
#if LOG
  return vec2(mx, log(sum));
#else
  return vec2(mx, 1.0 / sum);
#endif
}

void main() {
  int base = out_base(out_wlog);
  int r = base >> 1;
  result = vec4(row_stats(r), row_stats(r + 1));
}
