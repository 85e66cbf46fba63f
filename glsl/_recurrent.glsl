// Shared pieces of the fused recurrent step kernels (rnn_step, lstm_step, gru_step,
// gru_reset_gate): activations chosen by a compile-time code, and the uniforms that
// place one time step of the precomputed input projection XW = x @ kernel + bias.
//
// Activation codes (webtensor/layers/recurrent.py keeps the same table):
//   0 linear  1 tanh  2 sigmoid  3 hard_sigmoid  4 relu  5 relu6  6 elu  7 softsign
//   8 softplus  9 selu
#ifndef ACT
#define ACT 1
#endif
#ifndef RACT
#define RACT 2
#endif

float rnn_tanh(float x) {
  if (is_nan(x)) return x;
  if (abs(x) > 10.0) return sign(x);
  float e = expm1_(-2.0 * abs(x));
  return sign(x) * (-e / (2.0 + e));
}

float rnn_sigmoid(float x) {
  if (is_nan(x)) return x;
  if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
  float e = exp(x);
  return e / (1.0 + e);
}

float activate(float x, int kind) {
  if (kind == 1) return rnn_tanh(x);
  if (kind == 2) return rnn_sigmoid(x);
  if (kind == 3) return is_nan(x) ? x : clamp(0.2 * x + 0.5, 0.0, 1.0);
  if (kind == 4) return is_nan(x) ? x : max(x, 0.0);
  if (kind == 5) return is_nan(x) ? x : clamp(x, 0.0, 6.0);
  if (kind == 6) return (is_nan(x) || x > 0.0) ? x : expm1_(x);
  if (kind == 7) return x / (1.0 + abs(x));
  if (kind == 8) return is_nan(x) ? x : max(x, 0.0) + log1p_(exp(-abs(x)));
  if (kind == 9) {
    return is_nan(x) ? x : 1.0507009873554805 * (x > 0.0 ? x : 1.6732632423543772 * expm1_(x));
  }
  return x;
}

// ALIGNED 1 (units % 4 == 0): a fragment's 4 outputs share one batch row, the rows of h
// and of UT (the recurrent kernel transposed, [G*u, u]) start on texel boundaries, and
// the dots run over whole texels (5x fewer fetches than element by element).
#ifndef ALIGNED
#define ALIGNED 0
#endif

uniform int out_wlog;
uniform int u_units;      // hidden size u
uniform int u_size;       // batch * u: elements of one state
uniform int u_xw_bstride; // elements between batch rows of XW (T*G*u, or G*u for one step)
uniform int u_xw_off;     // element offset of this time step inside a batch row (t*G*u)

// The inputs every step kernel reads: XW (the input projection), HM (the previous state,
// times the recurrent dropout mask) and UT (the recurrent kernel transposed).
uniform sampler2D XW;
uniform int XW_wlog;
uniform sampler2D HM;
uniform int HM_wlog;
uniform sampler2D UT;
uniform int UT_wlog;

// Texel k of row r of UT (rows of u elements, u % 4 == 0).
#define UT_ROW(r, k) fetch_texel(UT, UT_wlog, (((r) * u_units) >> 2) + (k))
// Texel h of a state row against texel k of UT rows r .. r+3: four outputs' partial dots.
#define UT_BLOCK(h, r, k) vec4(dot(h, UT_ROW(r, k)), dot(h, UT_ROW((r) + 1, k)), \
                               dot(h, UT_ROW((r) + 2, k)), dot(h, UT_ROW((r) + 3, k)))
