// Helpers of the shape kernels (strided, concat, gather, gather_grad, one_hot).

// Four consecutive elements starting at flat index i, in one or two texel fetches.
// The caller guarantees that element i + 3 exists.
// Written with selects, not branches (llvmpipe would run every branch anyway).
vec4 fetch_run4(sampler2D s, int wlog, int i) {
  int t = i >> 2;
  int r = i & 3;
  vec4 a = fetch_texel(s, wlog, t);
  vec4 b = fetch_texel(s, wlog, r == 0 ? t : t + 1);
  vec4 v = r == 1 ? vec4(a.yzw, b.x) : a;
  v = r == 2 ? vec4(a.zw, b.xy) : v;
  return r == 3 ? vec4(a.w, b.xyz) : v;
}

// An index stored as a float: negatives count from the end once (numpy), then the result
// is clamped into [0, n) so that a bad device-side index never reads outside the tensor.
int clamp_index(float v, int n) {
  int i = int(v);
  if (i < 0) i += n;
  return clamp(i, 0, n - 1);
}
