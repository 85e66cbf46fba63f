// C = A @ B, ROWS rows x 4 columns of C per fragment, one render target per row.
//
// A is [batch_a, M, Kp] and B is [batch_b, Kp, Np] (TRANS_B 0) or [batch_b, N, Kp]
// (TRANS_B 1), dense, with Kp and Np multiples of 4 (ops/linalg.py packs and zero-pads
// operands that are not). A fragment owns the rows g*ROWS .. g*ROWS + ROWS-1 and the
// columns 4*jb .. 4*jb+3; render target r receives row g*ROWS + r, so target r holds
// the rows r, r + ROWS, r + 2*ROWS, ... of C as a dense [batch, mg, Np] block, which
// matmul_assemble.glsl interleaves into C (nothing to do when ROWS is 1 and Np == N).
// Consecutive rows matter: rows mg apart (a plain concatenation to assemble) ran at half
// the speed at 1024^3, their A rows aliasing in the cache.
//
// Cost on llvmpipe is the texel fetches (gathers): per 4 steps of k a fragment fetches
// ROWS texels of A and 4 of B for 16*ROWS multiply-adds, so 8 rows gives the best ratio
// that 8 render targets of vec4 allow. Index math is adds, ands and shifts in the loop;
// the few divisions happen once per fragment.
#include "_common.glsl"
#include "_linalg.glsl"

#ifndef ROWS
#define ROWS 1
#endif
#ifndef TRANS_B
#define TRANS_B 0
#endif
// fused_matmul's epilogue (only with ROWS 1, else matmul_assemble applies it): BIAS adds
// Bias[col * u_bias_step] (step 0: one value for every column), then the activation ACT.
#ifndef BIAS
#define BIAS 0
#endif
#include "_activation.glsl"
// Texel k of the row starting at texel p of S (a texture of width 1 << wlog).
#define AT(S, p, k, mask, wlog) texelFetch(S, ivec2(((p) + (k)) & (mask), ((p) + (k)) >> (wlog)), 0)

uniform sampler2D A;
uniform int A_wlog;
uniform sampler2D B;
uniform int B_wlog;
uniform int out_wlog;
uniform int u_kb;         // steps of 4 along k (Kp / 4)
uniform int u_a_rstride;  // texels between rows of A (>= u_kb; padded against cache aliasing)
uniform int u_nb;         // texels per row of the output (Np / 4)
uniform int u_mg;         // rows per render target (M / ROWS rounded up)
uniform int u_m;          // rows of A (rows past it are clamped, their results dropped)
uniform int u_n;          // rows of B when TRANS_B (clamped likewise)
uniform int u_a_bstride;  // texels between batches of A (0 when A is broadcast)
uniform int u_b_bstride;  // texels between batches of B
uniform int u_b_rstride;  // texels between rows of B
#if BIAS
uniform sampler2D Bias;
uniform int Bias_wlog;
uniform int u_bias_step;
#endif
uniform int u_total;      // fragments with work: the targets may be padded to spread
                          // over more llvmpipe tiles, fragments past it write zeros

layout(location = 0) out vec4 out0;
#if ROWS > 1
layout(location = 1) out vec4 out1;
#endif
#if ROWS > 2
layout(location = 2) out vec4 out2;
#endif
#if ROWS > 3
layout(location = 3) out vec4 out3;
#endif
#if ROWS > 4
layout(location = 4) out vec4 out4;
#endif
#if ROWS > 5
layout(location = 5) out vec4 out5;
#endif
#if ROWS > 6
layout(location = 6) out vec4 out6;
#endif
#if ROWS > 7
layout(location = 7) out vec4 out7;
#endif

void main() {
  ivec2 c = ivec2(gl_FragCoord.xy);
  int t = (c.y << out_wlog) + c.x;
  ivec2 qj = divmod(t, u_nb);
  ivec2 bg = divmod(qj.x, u_mg);
  int jb = qj.y, g = bg.y, b = bg.x;
  int amask = (1 << A_wlog) - 1;
  int bmask = (1 << B_wlog) - 1;
  int abase = b * u_a_bstride;
  int last = u_m - 1;
  int a0 = abase + min(g * ROWS + 0, last) * u_a_rstride;
  vec4 acc0 = vec4(0.0);
#if ROWS > 1
  int a1 = abase + min(g * ROWS + 1, last) * u_a_rstride;
  vec4 acc1 = vec4(0.0);
#endif
#if ROWS > 2
  int a2 = abase + min(g * ROWS + 2, last) * u_a_rstride;
  vec4 acc2 = vec4(0.0);
#endif
#if ROWS > 3
  int a3 = abase + min(g * ROWS + 3, last) * u_a_rstride;
  vec4 acc3 = vec4(0.0);
#endif
#if ROWS > 4
  int a4 = abase + min(g * ROWS + 4, last) * u_a_rstride;
  vec4 acc4 = vec4(0.0);
#endif
#if ROWS > 5
  int a5 = abase + min(g * ROWS + 5, last) * u_a_rstride;
  vec4 acc5 = vec4(0.0);
#endif
#if ROWS > 6
  int a6 = abase + min(g * ROWS + 6, last) * u_a_rstride;
  vec4 acc6 = vec4(0.0);
#endif
#if ROWS > 7
  int a7 = abase + min(g * ROWS + 7, last) * u_a_rstride;
  vec4 acc7 = vec4(0.0);
#endif

#if TRANS_B == 0
  int rs = u_b_rstride;
  int bt = b * u_b_bstride + jb;
#else
  int rs = u_b_rstride;
  int bbase = b * u_b_bstride;
  int nlast = u_n - 1;
  int j = jb << 2;
  int bt0 = bbase + min(j, nlast) * rs;
  int bt1 = bbase + min(j + 1, nlast) * rs;
  int bt2 = bbase + min(j + 2, nlast) * rs;
  int bt3 = bbase + min(j + 3, nlast) * rs;
#endif

  int kb = t < u_total ? u_kb : 0;
  for (int k = 0; k < kb; k++) {
#if TRANS_B == 0
    int t1 = bt + rs, t2 = t1 + rs, t3 = t2 + rs;
    mat4 m = mat4(texelFetch(B, ivec2(bt & bmask, bt >> B_wlog), 0),
                  texelFetch(B, ivec2(t1 & bmask, t1 >> B_wlog), 0),
                  texelFetch(B, ivec2(t2 & bmask, t2 >> B_wlog), 0),
                  texelFetch(B, ivec2(t3 & bmask, t3 >> B_wlog), 0));
    bt = t3 + rs;
#define MAC(acc, a) acc += m * AT(A, a, k, amask, A_wlog);
#else
    mat4 m = mat4(AT(B, bt0, k, bmask, B_wlog), AT(B, bt1, k, bmask, B_wlog),
                  AT(B, bt2, k, bmask, B_wlog), AT(B, bt3, k, bmask, B_wlog));
#define MAC(acc, a) acc += AT(A, a, k, amask, A_wlog) * m;
#endif
    MAC(acc0, a0)
#if ROWS > 1
    MAC(acc1, a1)
#endif
#if ROWS > 2
    MAC(acc2, a2)
#endif
#if ROWS > 3
    MAC(acc3, a3)
#endif
#if ROWS > 4
    MAC(acc4, a4)
#endif
#if ROWS > 5
    MAC(acc5, a5)
#endif
#if ROWS > 6
    MAC(acc6, a6)
#endif
#if ROWS > 7
    MAC(acc7, a7)
#endif
  }

#if BIAS
  int col0 = jb << 2;
  acc0 += vec4(fetch(Bias, Bias_wlog, col0 * u_bias_step),
               fetch(Bias, Bias_wlog, (col0 + 1) * u_bias_step),
               fetch(Bias, Bias_wlog, (col0 + 2) * u_bias_step),
               fetch(Bias, Bias_wlog, (col0 + 3) * u_bias_step));
#endif
  out0 = activate4(acc0);
#if ROWS > 1
  out1 = acc1;
#endif
#if ROWS > 2
  out2 = acc2;
#endif
#if ROWS > 3
  out3 = acc3;
#endif
#if ROWS > 4
  out4 = acc4;
#endif
#if ROWS > 5
  out5 = acc5;
#endif
#if ROWS > 6
  out6 = acc6;
#endif
#if ROWS > 7
  out7 = acc7;
#endif
}
