// Gather by strides: transpose, slice, strided_slice, reverse, broadcast_to and tile.
// The output (coalesced to RANK dims of sizes u_shape) element with multi-index idx reads
// input element u_offset + sum_d idx[d] * u_strides[d] (strides may be 0 or negative).
//
// PAD == 1 scatters instead (pad, and the gradient of strided_slice): per dim
// c = idx[d] - u_lo[d]; the element is input q = c / u_step[d] along that dim when c >= 0,
// c is a multiple of the step and q < u_in[d]; the input flat index is
// u_offset + sum_d q * u_strides[d]. Elsewhere the output is u_value.
//
// Defines that shape the code (llvmpipe runs both sides of a branch, so each case gets
// its own variant): CONTIG (last dim contiguous, a multiple of 4 long), SHORT (last dim
// shorter than 4), STEPS (PAD with a step other than 1).
#include "_common.glsl"
#include "_movement.glsl"
#ifndef RANK
#define RANK 1
#endif
#ifndef PAD
#define PAD 0
#endif
#ifndef CONTIG
#define CONTIG 0
#endif
#ifndef SHORT
#define SHORT 0
#endif
#ifndef STEPS
#define STEPS 0
#endif

uniform sampler2D A;
uniform int A_wlog;
uniform int out_wlog;
uniform int u_size;
uniform int u_offset;
uniform int u_shape[RANK];
uniform int u_strides[RANK];
#if PAD
uniform int u_lo[RANK];
uniform int u_step[RANK];
uniform int u_in[RANK];
uniform float u_value;
#endif

out vec4 result;

void main() {
  int base = out_base(out_wlog);
  int idx[RANK];
  int rem = base;
  for (int d = RANK - 1; d > 0; d--) {
    int q = rem / u_shape[d];
    idx[d] = rem - q * u_shape[d];
    rem = q;
  }
  idx[0] = rem;
#if PAD == 0
  int src = u_offset;
  for (int d = 0; d < RANK; d++) src += idx[d] * u_strides[d];
#if CONTIG
  // The last dim is read contiguously and holds a multiple of 4: every fragment reads
  // one run of four input elements.
  result = fetch_run4(A, A_wlog, src);
#elif SHORT
  // The last dim is shorter than 4: step the multi-index element by element.
  vec4 r = vec4(0.0);
  for (int k = 0; k < 4; k++) {
    r[k] = fetch(A, A_wlog, base + k < u_size ? src : u_offset);
    idx[RANK - 1] += 1;
    src += u_strides[RANK - 1];
    for (int d = RANK - 1; d > 0; d--) {
      if (idx[d] < u_shape[d]) break;
      idx[d] = 0;
      idx[d - 1] += 1;
      src += u_strides[d - 1] - u_shape[d] * u_strides[d];
    }
  }
  result = r;
#else
  // The four outputs span at most two rows of the last dim: find where the next row
  // starts once, then pick per element.
  int n = u_shape[RANK - 1];
  int st = u_strides[RANK - 1];
  int j = idx[RANK - 1];
  int nxt = src - j * st;
  for (int d = RANK - 2; d >= 0; d--) {
    nxt += u_strides[d];
    if (idx[d] + 1 < u_shape[d]) break;
    nxt -= u_shape[d] * u_strides[d];
  }
  vec4 r;
  for (int e = 0; e < 4; e++) {
    int at = j + e < n ? src + e * st : nxt + (j + e - n) * st;
    r[e] = fetch(A, A_wlog, base + e < u_size ? at : u_offset);
  }
  result = r;
#endif
#else
  vec4 r = vec4(0.0);
  for (int k = 0; k < 4; k++) {
    int at = u_offset;
    bool ok = true;
    for (int d = 0; d < RANK; d++) {
      int c = idx[d] - u_lo[d];
      ok = ok && c >= 0;
#if STEPS
      int q = max(c, 0) / u_step[d];
      ok = ok && q * u_step[d] == c;
#else
      int q = c;
#endif
      ok = ok && q < u_in[d];
      at += q * u_strides[d];
    }
    r[k] = (ok && base + k < u_size) ? fetch(A, A_wlog, at) : u_value;
    idx[RANK - 1] += 1;
    for (int d = RANK - 1; d > 0; d--) {
      if (idx[d] < u_shape[d]) break;
      idx[d] = 0;
      idx[d - 1] += 1;
    }
  }
  result = r;
#endif
}
