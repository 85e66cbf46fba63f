// Normalise pass of softmax / log_softmax from the per-row stats of softmax_stats.
//   MODE 0: exp(x - max) * (1 / sum);  MODE 1: (x - max) - log(sum).
// ALIGNED 1: rows contiguous and u_n % 4 == 0, so the 4 elements of a fragment share a row.
#include "_common.glsl"
#include "_nn.glsl"
#ifndef MODE
#define MODE 0
#endif
#ifndef ALIGNED
#define ALIGNED 0
#endif

uniform sampler2D X;
uniform int X_wlog;
uniform sampler2D S;
uniform int S_wlog;
uniform int out_wlog;
uniform int u_n;
uniform float u_inv_n;
uniform int u_inner;
uniform float u_inv_inner;
out vec4 result;

vec2 stats(int r) {
  vec4 t = fetch_texel(S, S_wlog, r >> 1);
  return (r & 1) == 0 ? t.xy : t.zw;
}

vec4 normalise(vec4 x, vec4 m, vec4 s) {
#if MODE == 0
  vec4 e = exp(x - m);
  // exp(-Inf) is exactly 0 (some drivers clamp the argument of exp)
  e = mix(e, vec4(0.0), equal(x, vec4(-INF)));
  return e * s;
#else
  return (x - m) - s;
#endif
}

void main() {
  int base = out_base(out_wlog);
#if ALIGNED == 1
  vec2 st = stats(idiv(base, u_n, u_inv_n));
  vec4 x = texelFetch(X, ivec2(gl_FragCoord.xy), 0);
  result = normalise(x, vec4(st.x), vec4(st.y));
#else
  vec4 x = texelFetch(X, ivec2(gl_FragCoord.xy), 0);
  vec4 m, s;
  for (int k = 0; k < 4; k++) {
    int i = base + k;
    int block = u_n * u_inner;
    int o = idiv(i, block, u_inv_n / float(u_inner));
    int j = i - o * block;
    int r = o * u_inner + (j - idiv(j, u_inner, u_inv_inner) * u_inner);
    vec2 st = stats(r);
    m[k] = st.x;
    s[k] = st.y;
  }
  result = normalise(x, m, s);
#endif
}
