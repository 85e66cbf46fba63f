// Helpers of the matmul kernels.

// (t / d, t % d) for t >= 0, d > 0: a float estimate and one correction step (integer
// division is scalarised on llvmpipe; this stays in vector registers).
ivec2 divmod(int t, int d) {
  int q = int(float(t) / float(d));
  int r = t - q * d;
  if (r < 0) { q -= 1; r += d; }
  if (r >= d) { q += 1; r -= d; }
  return ivec2(q, r);
}

// Elements e .. e+3 (row-major) of a dense tensor in `s` (a texture of width 1 << wlog),
// e any index: two texel fetches shifted by e % 4. Lets the matmul kernel read rows
// that do not start on a texel (K or N not a multiple of 4) without repacking them.
vec4 fetch4(sampler2D s, int wlog, int e) {
  int mask = (1 << wlog) - 1;
  int t = e >> 2;
  int t1 = t + 1;
  vec4 v0 = texelFetch(s, ivec2(t & mask, t >> wlog), 0);
  vec4 v1 = texelFetch(s, ivec2(t1 & mask, t1 >> wlog), 0);
  int o = e & 3;
  return o == 0 ? v0 : o == 1 ? vec4(v0.yzw, v1.x) : o == 2 ? vec4(v0.zw, v1.xy)
                                                            : vec4(v0.w, v1.xyz);
}
