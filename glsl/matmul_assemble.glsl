// Interleave the ROWS render targets of matmul.glsl into C [batch, M, N]: row i of C is
// row i / ROWS of target i % ROWS, whose blocks are dense [batch, mg, Np]. ALIGNED (N a
// multiple of 4): one texel fetch per fragment, else one element per channel.
#include "_common.glsl"
#include "_linalg.glsl"

#ifndef ROWS
#define ROWS 8
#endif
#ifndef ALIGNED
#define ALIGNED 1
#endif
// fused_matmul's epilogue: BIAS adds Bias[col * u_bias_step], then the activation ACT.
#ifndef BIAS
#define BIAS 0
#endif
#include "_activation.glsl"

uniform sampler2D T0;
uniform int T0_wlog;
#if ROWS > 1
uniform sampler2D T1;
#endif
#if ROWS > 2
uniform sampler2D T2;
uniform sampler2D T3;
#endif
#if ROWS > 4
uniform sampler2D T4;
uniform sampler2D T5;
uniform sampler2D T6;
uniform sampler2D T7;
#endif
uniform int out_wlog;
uniform int u_n;    // columns of C (texels per row when ALIGNED)
uniform int u_m;
uniform int u_mg;
uniform int u_np;   // padded columns of a target row (texels per row when ALIGNED)
#if BIAS
uniform sampler2D Bias;
uniform int Bias_wlog;
uniform int u_bias_step;
#endif

out vec4 result;

// Texel t of target r.
vec4 target_texel(int r, int t) {
  ivec2 p = ivec2(t & ((1 << T0_wlog) - 1), t >> T0_wlog);
  vec4 v = texelFetch(T0, p, 0);
#if ROWS > 1
  if (r == 1) v = texelFetch(T1, p, 0);
#endif
#if ROWS > 2
  if (r == 2) v = texelFetch(T2, p, 0);
  if (r == 3) v = texelFetch(T3, p, 0);
#endif
#if ROWS > 4
  if (r == 4) v = texelFetch(T4, p, 0);
  if (r == 5) v = texelFetch(T5, p, 0);
  if (r == 6) v = texelFetch(T6, p, 0);
  if (r == 7) v = texelFetch(T7, p, 0);
#endif
  return v;
}

void main() {
  ivec2 c = ivec2(gl_FragCoord.xy);
  int t = (c.y << out_wlog) + c.x;
#if ALIGNED
  ivec2 qj = divmod(t, u_n);
  ivec2 bi = divmod(qj.x, u_m);
  int i = bi.y;
  vec4 v = target_texel(i % ROWS, (bi.x * u_mg + i / ROWS) * u_np + qj.y);
#if BIAS
  int col0 = qj.y << 2;
  v += vec4(fetch(Bias, Bias_wlog, col0 * u_bias_step),
            fetch(Bias, Bias_wlog, (col0 + 1) * u_bias_step),
            fetch(Bias, Bias_wlog, (col0 + 2) * u_bias_step),
            fetch(Bias, Bias_wlog, (col0 + 3) * u_bias_step));
#endif
  result = activate4(v);
#else
  vec4 v;
  for (int k = 0; k < 4; k++) {
    ivec2 qj = divmod((t << 2) + k, u_n);
    ivec2 bi = divmod(qj.x, u_m);
    int i = bi.y;
    int e = (bi.x * u_mg + i / ROWS) * u_np + qj.y;
    v[k] = target_texel(i % ROWS, e >> 2)[e & 3];
#if BIAS
    v[k] += fetch(Bias, Bias_wlog, qj.y * u_bias_step);
#endif
  }
  result = activate4(v);
#endif
}
