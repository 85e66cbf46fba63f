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
