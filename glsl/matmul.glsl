// C = A @ B, ROWS rows x 4 columns of C per fragment, one render target per row.
//
// A is [batch_a, M, Kp] (TRANS_A 0) or [batch_a, K, M] (TRANS_A 1: K and M multiples of 4,
// ROWS 4 or 8; a texel then holds 4 rows at one k, so ROWS/4 texels per k give the
// fragment's rows, 4 k at a time: as many fetches as untransposed, no repacking pass)
// and B is [batch_b, Kp, Np] (TRANS_B 0) or [batch_b, N, Kp]
// (TRANS_B 1), dense, with Kp and Np multiples of 4 (ops/linalg.py packs and zero-pads
// operands that are not, except small ones: ELEM_A / ELEM_B read A as [batch_a, M, K] /
// B as [batch_b, K, N] or [batch_b, N, K] with any K and N, 4 elements at a time from any
// offset (two fetches, glsl/_linalg.glsl fetch4); their strides are then in elements, and
// with KTAIL (K % 4 != 0) the k past K of the last step read as zeros). A fragment owns
// the rows g*ROWS .. g*ROWS + ROWS-1 and the columns 4*jb .. 4*jb+3; render target r
// receives row g*ROWS + r, so target r holds the rows r, r + ROWS, r + 2*ROWS, ... of C
// as a dense [batch, mg, Np] block, which matmul_assemble.glsl interleaves into C
// (nothing to do when ROWS is 1 and Np == N).
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
#ifndef TRANS_A
#define TRANS_A 0
#endif
#ifndef ELEM_A
#define ELEM_A 0
#endif
#ifndef ELEM_B
#define ELEM_B 0
#endif
#ifndef KTAIL
#define KTAIL 0
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
uniform int u_a_rstride;  // between rows of A: texels (>= u_kb), A^T's (M / 4) with
                          // TRANS_A, elements (K) with ELEM_A
uniform int u_nb;         // texels per row of the output (Np / 4)
uniform int u_mg;         // rows per render target (M / ROWS rounded up)
uniform int u_m;          // rows of A (rows past it are clamped, their results dropped)
uniform int u_n;          // rows of B when TRANS_B (clamped likewise)
uniform int u_a_bstride;  // texels between batches of A (0 when A is broadcast)
uniform int u_b_bstride;  // texels between batches of B
uniform int u_b_rstride;  // texels between rows of B (elements with ELEM_B; the batch
                          // strides too)
uniform int u_k;          // K (KTAIL: k >= K reads as zero)
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
#if TRANS_A
  // Texels of rows g*ROWS .. +3 and +4 .. +7 at k = 0 (the second clamped into the row).
  int ars = u_a_rstride;
  int aq0 = abase + ((g * ROWS) >> 2);
#if ROWS > 4
  int aq1 = abase + min(((g * ROWS) >> 2) + 1, ars - 1);
#endif
#else
  int a0 = abase + min(g * ROWS + 0, last) * u_a_rstride;
  int a1 = abase + min(g * ROWS + 1, last) * u_a_rstride;
  int a2 = abase + min(g * ROWS + 2, last) * u_a_rstride;
  int a3 = abase + min(g * ROWS + 3, last) * u_a_rstride;
  int a4 = abase + min(g * ROWS + 4, last) * u_a_rstride;
  int a5 = abase + min(g * ROWS + 5, last) * u_a_rstride;
  int a6 = abase + min(g * ROWS + 6, last) * u_a_rstride;
  int a7 = abase + min(g * ROWS + 7, last) * u_a_rstride;
#endif
  vec4 acc0 = vec4(0.0), acc1 = vec4(0.0), acc2 = vec4(0.0), acc3 = vec4(0.0);
  vec4 acc4 = vec4(0.0), acc5 = vec4(0.0), acc6 = vec4(0.0), acc7 = vec4(0.0);
#if TRANS_B == 0
  int rs = u_b_rstride;
#if ELEM_B
  int bt = b * u_b_bstride + (jb << 2);
#else
  int bt = b * u_b_bstride + jb;
#endif
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
#if KTAIL
    bvec4 kin = lessThan(ivec4(k << 2) + ivec4(0, 1, 2, 3), ivec4(u_k));
#define KMASK(v) mix(vec4(0.0), v, kin)
#else
#define KMASK(v) (v)
#endif
#if TRANS_B == 0
    int t1 = bt + rs, t2 = t1 + rs, t3 = t2 + rs;
#if ELEM_B
    mat4 m = mat4(fetch4(B, B_wlog, bt), fetch4(B, B_wlog, t1), fetch4(B, B_wlog, t2),
                  fetch4(B, B_wlog, t3));
#if KTAIL
    for (int r = 1; r < 4; r++) {
      if (!kin[r]) m[r] = vec4(0.0);
    }
#endif
#else
    mat4 m = mat4(texelFetch(B, ivec2(bt & bmask, bt >> B_wlog), 0),
                  texelFetch(B, ivec2(t1 & bmask, t1 >> B_wlog), 0),
                  texelFetch(B, ivec2(t2 & bmask, t2 >> B_wlog), 0),
                  texelFetch(B, ivec2(t3 & bmask, t3 >> B_wlog), 0));
#endif
    bt = t3 + rs;
#define MAC(acc, a) acc += m * (a);
#else
#if ELEM_B
    int kb4 = k << 2;
    mat4 m = mat4(KMASK(fetch4(B, B_wlog, bt0 + kb4)), KMASK(fetch4(B, B_wlog, bt1 + kb4)),
                  KMASK(fetch4(B, B_wlog, bt2 + kb4)), KMASK(fetch4(B, B_wlog, bt3 + kb4)));
#else
    mat4 m = mat4(AT(B, bt0, k, bmask, B_wlog), AT(B, bt1, k, bmask, B_wlog),
                  AT(B, bt2, k, bmask, B_wlog), AT(B, bt3, k, bmask, B_wlog));
#endif
#define MAC(acc, a) acc += (a) * m;
#endif
#if TRANS_A
    // lo_i / hi_i: rows g*ROWS .. +3 / +4 .. +7 at k row 4k + i.
    int q1 = aq0 + ars, q2 = q1 + ars, q3 = q2 + ars;
    vec4 lo0 = texelFetch(A, ivec2(aq0 & amask, aq0 >> A_wlog), 0);
    vec4 lo1 = texelFetch(A, ivec2(q1 & amask, q1 >> A_wlog), 0);
    vec4 lo2 = texelFetch(A, ivec2(q2 & amask, q2 >> A_wlog), 0);
    vec4 lo3 = texelFetch(A, ivec2(q3 & amask, q3 >> A_wlog), 0);
#if ROWS > 4
    int d1 = aq1 - aq0;
    vec4 hi0 = texelFetch(A, ivec2((aq0 + d1) & amask, (aq0 + d1) >> A_wlog), 0);
    vec4 hi1 = texelFetch(A, ivec2((q1 + d1) & amask, (q1 + d1) >> A_wlog), 0);
    vec4 hi2 = texelFetch(A, ivec2((q2 + d1) & amask, (q2 + d1) >> A_wlog), 0);
    vec4 hi3 = texelFetch(A, ivec2((q3 + d1) & amask, (q3 + d1) >> A_wlog), 0);
    aq1 = q3 + d1 + ars;
#endif
    aq0 = q3 + ars;
#define AROW(r) vec4(lo0[r], lo1[r], lo2[r], lo3[r])
#define AROWH(r) vec4(hi0[r], hi1[r], hi2[r], hi3[r])
    MAC(acc0, AROW(0))
    MAC(acc1, AROW(1))
    MAC(acc2, AROW(2))
    MAC(acc3, AROW(3))
#if ROWS > 4
    MAC(acc4, AROWH(0))
    MAC(acc5, AROWH(1))
    MAC(acc6, AROWH(2))
    MAC(acc7, AROWH(3))
#endif
#else
#if ELEM_A
#define AV(a) KMASK(fetch4(A, A_wlog, (a) + (k << 2)))
#else
#define AV(a) AT(A, a, k, amask, A_wlog)
#endif
    MAC(acc0, AV(a0))
#if ROWS > 1
    MAC(acc1, AV(a1))
#endif
#if ROWS > 2
    MAC(acc2, AV(a2))
#endif
#if ROWS > 3
    MAC(acc3, AV(a3))
#endif
#if ROWS > 4
    MAC(acc4, AV(a4))
#endif
#if ROWS > 5
    MAC(acc5, AV(a5))
#endif
#if ROWS > 6
    MAC(acc6, AV(a6))
#endif
#if ROWS > 7
    MAC(acc7, AV(a7))
#endif
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
