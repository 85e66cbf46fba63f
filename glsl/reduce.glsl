// One pass of a tree reduction. The input is viewed as [outer, n, inner] and reduced over
// n in windows of u_w elements: output element q = (o * u_m + k) * inner + i combines
// input elements (o * n + j) * inner + i for j in [k * u_w, min(k * u_w + u_w, n)).
// Later passes run this same kernel on the [outer, u_m, inner] partials until u_m == 1.
//
// OP:   0 sum, 1 prod, 2 max, 3 min, 4 all, 5 any (NaN propagates through max/min).
// ARG:  0 plain; 1 arg-reduction of max/min (first index on ties, first NaN wins),
//       writes values to location 0 and indices along n to location 1; 2 the same on
//       partials whose indices are in sampler I.
// MODE: 0 any layout, one element per fetch;
//       1 inner == 1: the window is contiguous, read a texel (4 elements) per fetch;
//       2 inner % 4 == 0: the 4 outputs of a fragment are 4 neighbours, a texel per step.
#include "_common.glsl"
#ifndef OP
#define OP 0
#endif
#ifndef ARG
#define ARG 0
#endif
#ifndef MODE
#define MODE 0
#endif

uniform sampler2D X;
uniform int X_wlog;
#if ARG == 2
uniform sampler2D I;
uniform int I_wlog;
#endif
uniform int out_wlog;
uniform int u_n;      // length of the reduced axis in this pass's input
uniform int u_inner;  // product of the dims after it
uniform int u_w;      // window
uniform int u_m;      // ceil(n / w): windows per row
uniform int u_total;  // number of output elements
uniform float u_scale;  // applied to the result (mean divides by the count on its last pass)

layout(location = 0) out vec4 result;
#if ARG > 0
layout(location = 1) out vec4 result_index;
#endif

// The fragments of a padded partials texture past u_total: write zeros, no work.
bool padding(int q) {
  if (q < u_total) return false;
  result = vec4(0.0);
#if ARG > 0
  result_index = vec4(0.0);
#endif
  return true;
}

#if OP == 0
#define IDENT 0.0
#elif OP == 1
#define IDENT 1.0
#elif OP == 2
#define IDENT (-INF)
#elif OP == 3
#define IDENT INF
#elif OP == 4
#define IDENT 1.0
#else
#define IDENT 0.0
#endif

vec4 nan4(vec4 v) {
  return vec4(greaterThan(floatBitsToUint(v) & 0x7fffffffu, uvec4(0x7f800000u)));
}

// Values as the op sees them: all/any reduce truthiness (NaN is true, as in numpy).
vec4 pre4(vec4 v) {
#if OP >= 4
  return vec4(notEqual(floatBitsToUint(v) & 0x7fffffffu, uvec4(0u)));
#else
  return v;
#endif
}

vec4 comb4(vec4 a, vec4 v) {
#if OP == 0
  return a + v;
#elif OP == 1
  return a * v;
#elif OP == 2 || OP == 5
  return max(a, v);
#else
  return min(a, v);
#endif
}

float comb1(float a, float v) { return comb4(vec4(a), vec4(v)).x; }

float fold4(vec4 a) {
#if OP == 0
  return (a.x + a.y) + (a.z + a.w);
#elif OP == 1
  return (a.x * a.y) * (a.z * a.w);
#else
  return comb1(comb1(a.x, a.y), comb1(a.z, a.w));
#endif
}

// First index of the output element q (row start) and its element count.
void window(int q, out int start, out int count) {
  if (q >= u_total) {
    start = 0;
    count = 0;
    return;
  }
  int r = q / u_inner;
  int i = q - r * u_inner;
  int o = r / u_m;
  int k = r - o * u_m;
  int j0 = k * u_w;
  start = (o * u_n + j0) * u_inner + i;
  count = min(u_w, u_n - j0);
}

#if ARG == 0
// ---------------------------------------------------------------- plain reductions
#if OP == 2 || OP == 3
#define TRACK_NAN 1
#else
#define TRACK_NAN 0
#endif

#if MODE == 1
// Tried (llvmpipe, wall clock, median of 30, loaded 2 cores): 4 texels per step into 4
// accumulators: sum of [1024, 1024] 0.84-0.87 ms vs 0.88-0.94 ms here, but sum over axis -1
// 0.92-0.98 ms vs 0.88-0.96 ms, so not kept. Splitting the texel range into several loops
// (alignment prologue, groups, epilogue) makes LLVM 15's scalar evolution take minutes to
// compile the four inlined windows: keep one carried counter and a remainder. A texelFetch
// costs ~2.3 ns per lane whatever the window length per fragment.
float reduce_one(int q) {
  int start, count;
  window(q, start, count);
  if (count == 0) return 0.0;
  int end = start + count;
  float acc = IDENT;
  float bad = 0.0;
  int head = min(end, (start + 3) & ~3);
  for (int e = start; e < head; e++) {
    float v = pre4(vec4(fetch(X, X_wlog, e))).x;
    acc = comb1(acc, v);
#if TRACK_NAN
    bad = max(bad, nan4(vec4(v)).x);
#endif
  }
  int t0 = head >> 2;
  int t1 = end >> 2;
  vec4 acc4 = vec4(IDENT);
  vec4 bad4 = vec4(0.0);
  int mask = (1 << X_wlog) - 1;
  vec4 acc4b = vec4(IDENT);
  int t = t0;
  for (; t + 1 < t1; t += 2) {
    vec4 v = pre4(texelFetch(X, ivec2(t & mask, t >> X_wlog), 0));
    vec4 u = pre4(texelFetch(X, ivec2((t + 1) & mask, (t + 1) >> X_wlog), 0));
    acc4 = comb4(acc4, v);
    acc4b = comb4(acc4b, u);
#if TRACK_NAN
    bad4 = max(bad4, max(nan4(v), nan4(u)));
#endif
  }
  if (t < t1) {
    vec4 v = pre4(texelFetch(X, ivec2(t & mask, t >> X_wlog), 0));
    acc4 = comb4(acc4, v);
#if TRACK_NAN
    bad4 = max(bad4, nan4(v));
#endif
  }
  acc4 = comb4(acc4, acc4b);
  for (int e = max(head, t1 << 2); e < end; e++) {
    float v = pre4(vec4(fetch(X, X_wlog, e))).x;
    acc = comb1(acc, v);
#if TRACK_NAN
    bad = max(bad, nan4(vec4(v)).x);
#endif
  }
  acc = comb1(acc, fold4(acc4));
#if TRACK_NAN
  bad = max(bad, max(max(bad4.x, bad4.y), max(bad4.z, bad4.w)));
  if (bad > 0.0) return NAN;
#endif
  return acc * u_scale;
}

void main() {
  int q = out_base(out_wlog);
  if (padding(q)) return;
  result = vec4(reduce_one(q), reduce_one(q + 1), reduce_one(q + 2), reduce_one(q + 3));
}

#elif MODE == 3
// Windows of whole texels (n % 4 == 0 and u_w % 4 == 0, inner == 1): the 4 outputs of a
// fragment advance together, one texel of each per step, into 4 accumulators; the last
// window of a row may be shorter (its lanes stop with a select).
void main() {
  int q = out_base(out_wlog);
  if (padding(q)) return;
  ivec4 t, c;
  for (int k = 0; k < 4; k++) {
    int start, count;
    window(q + k, start, count);
    t[k] = start >> 2;
    c[k] = count >> 2;
  }
  int steps = max(max(c.x, c.y), max(c.z, c.w));
  int mask = (1 << X_wlog) - 1;
  vec4 a0 = vec4(IDENT), a1 = vec4(IDENT), a2 = vec4(IDENT), a3 = vec4(IDENT);
  vec4 bad = vec4(0.0);
  for (int j = 0; j < steps; j++) {
    ivec4 e = t + j;
    vec4 v0 = pre4(texelFetch(X, ivec2(e.x & mask, e.x >> X_wlog), 0));
    vec4 v1 = pre4(texelFetch(X, ivec2(e.y & mask, e.y >> X_wlog), 0));
    vec4 v2 = pre4(texelFetch(X, ivec2(e.z & mask, e.z >> X_wlog), 0));
    vec4 v3 = pre4(texelFetch(X, ivec2(e.w & mask, e.w >> X_wlog), 0));
    bvec4 live = lessThan(ivec4(j), c);
    a0 = live.x ? comb4(a0, v0) : a0;
    a1 = live.y ? comb4(a1, v1) : a1;
    a2 = live.z ? comb4(a2, v2) : a2;
    a3 = live.w ? comb4(a3, v3) : a3;
#if TRACK_NAN
    bad = max(bad, vec4(live) * vec4(max(max(nan4(v0).x, nan4(v0).y), max(nan4(v0).z, nan4(v0).w)),
                                   max(max(nan4(v1).x, nan4(v1).y), max(nan4(v1).z, nan4(v1).w)),
                                   max(max(nan4(v2).x, nan4(v2).y), max(nan4(v2).z, nan4(v2).w)),
                                   max(max(nan4(v3).x, nan4(v3).y), max(nan4(v3).z, nan4(v3).w))));
#endif
  }
  vec4 r = vec4(fold4(a0), fold4(a1), fold4(a2), fold4(a3));
#if TRACK_NAN
  r = mix(r, vec4(NAN), greaterThan(bad, vec4(0.0)));
#endif
  result = r * u_scale;
}

#elif MODE == 2
void main() {
  int q = out_base(out_wlog);
  if (padding(q)) return;
  int start, count;
  window(q, start, count);
  int t = start >> 2;
  int stride = u_inner >> 2;
  int mask = (1 << X_wlog) - 1;
  vec4 acc = vec4(IDENT);
  vec4 bad = vec4(0.0);
  for (int j = 0; j < count; j++) {
    vec4 v = pre4(texelFetch(X, ivec2(t & mask, t >> X_wlog), 0));
    acc = comb4(acc, v);
#if TRACK_NAN
    bad = max(bad, nan4(v));
#endif
    t += stride;
  }
#if TRACK_NAN
  acc = mix(acc, vec4(NAN), greaterThan(bad, vec4(0.0)));
#endif
  result = acc * u_scale;
}

#else
float reduce_one(int q) {
  int start, count;
  window(q, start, count);
  float acc = IDENT;
  float bad = 0.0;
  int e = start;
  for (int j = 0; j < count; j++) {
    float v = pre4(vec4(fetch(X, X_wlog, e))).x;
    acc = comb1(acc, v);
#if TRACK_NAN
    bad = max(bad, nan4(vec4(v)).x);
#endif
    e += u_inner;
  }
#if TRACK_NAN
  if (bad > 0.0) return NAN;
#endif
  return acc * u_scale;
}

void main() {
  int q = out_base(out_wlog);
  if (padding(q)) return;
  result = vec4(reduce_one(q), reduce_one(q + 1), reduce_one(q + 2), reduce_one(q + 3));
}
#endif

#else
// ---------------------------------------------------------------- argmax / argmin
// Whether (v, i) beats the best so far (bv, bi): NaN first, then the larger (smaller)
// value, then the smaller index.
bool better(float v, float i, float bv, float bi) {
  bool vn = is_nan(v);
  if (is_nan(bv)) return vn && i < bi;
  if (vn) return true;
#if OP == 2
  if (v > bv) return true;
#else
  if (v < bv) return true;
#endif
  return v == bv && i < bi;
}

// Lanes where v (seen after the best) beats it: a NaN or a strictly better value.
bvec4 takes4(vec4 v, vec4 bv) {
  vec4 bn = nan4(bv);
#if OP == 2
  vec4 gt = vec4(greaterThan(v, bv));
#else
  vec4 gt = vec4(lessThan(v, bv));
#endif
  return greaterThan((1.0 - bn) * max(nan4(v), gt), vec4(0.5));
}

float index_at(int e, float j) {
#if ARG == 2
  return fetch(I, I_wlog, e);
#else
  return j;
#endif
}

#if MODE == 2
void main() {
  int q = out_base(out_wlog);
  if (padding(q)) return;
  int start, count;
  window(q, start, count);
  int t = start >> 2;
  int stride = u_inner >> 2;
  int mask = (1 << X_wlog) - 1;
  int j0 = q < u_total ? ((q / u_inner) % u_m) * u_w : 0;
  vec4 bv = vec4(-INF);
  vec4 bi = vec4(0.0);
  for (int j = 0; j < count; j++) {
    ivec2 c = ivec2(t & mask, t >> X_wlog);
    vec4 v = texelFetch(X, c, 0);
#if ARG == 2
    vec4 vi = texelFetch(I, c, 0);
#else
    vec4 vi = vec4(float(j0 + j));
#endif
    bvec4 take = j == 0 ? bvec4(true) : takes4(v, bv);
    bv = mix(bv, v, take);
    bi = mix(bi, vi, take);
    t += stride;
  }
  result = bv;
  result_index = bi;
}

#else
void reduce_one(int q, out float best, out float best_i) {
  int start, count;
  window(q, start, count);
  best = 0.0;
  best_i = 0.0;
  if (count == 0) return;
  float j0 = float(((q / u_inner) % u_m) * u_w);
  best = fetch(X, X_wlog, start);
  best_i = index_at(start, j0);
#if MODE == 1
  int end = start + count;
  int head = min(end, (start + 4) & ~3);
  for (int e = start + 1; e < head; e++) {
    float v = fetch(X, X_wlog, e);
    float vi = index_at(e, j0 + float(e - start));
    if (better(v, vi, best, best_i)) {
      best = v;
      best_i = vi;
    }
  }
  int t0 = head >> 2;
  int t1 = end >> 2;
  if (t0 < t1) {
    int mask = (1 << X_wlog) - 1;
    vec4 bv = vec4(0.0);
    vec4 bi = vec4(0.0);
    vec4 lane = vec4(0.0, 1.0, 2.0, 3.0);
    for (int t = t0; t < t1; t++) {
      ivec2 c = ivec2(t & mask, t >> X_wlog);
      vec4 v = texelFetch(X, c, 0);
#if ARG == 2
      vec4 vi = texelFetch(I, c, 0);
#else
      vec4 vi = j0 + float((t << 2) - start) + lane;
#endif
      bvec4 take = t == t0 ? bvec4(true) : takes4(v, bv);
      bv = mix(bv, v, take);
      bi = mix(bi, vi, take);
    }
    for (int c = 0; c < 4; c++) {
      if (better(bv[c], bi[c], best, best_i)) {
        best = bv[c];
        best_i = bi[c];
      }
    }
  }
  for (int e = max(head, t1 << 2); e < end; e++) {
    float v = fetch(X, X_wlog, e);
    float vi = index_at(e, j0 + float(e - start));
    if (better(v, vi, best, best_i)) {
      best = v;
      best_i = vi;
    }
  }
#else
  int e = start;
  for (int j = 1; j < count; j++) {
    e += u_inner;
    float v = fetch(X, X_wlog, e);
    float vi = index_at(e, j0 + float(j));
    if (better(v, vi, best, best_i)) {
      best = v;
      best_i = vi;
    }
  }
#endif
}

void main() {
  int q = out_base(out_wlog);
  if (padding(q)) return;
  vec4 v, vi;
  reduce_one(q, v.x, vi.x);
  reduce_one(q + 1, v.y, vi.y);
  reduce_one(q + 2, v.z, vi.z);
  reduce_one(q + 3, v.w, vi.w);
  result = v;
  result_index = vi;
}
#endif
#endif
