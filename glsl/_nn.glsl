// Helpers of the neural-net kernels (softmax, pooling, resize).
// Integer division by a uniform divisor without a scalarised int division:
// a float estimate refined twice (exact for 0 <= a < 2^31, b > 0).
int idiv(int a, int b, float inv_b) {
  int q = int(float(a) * inv_b);
  int r = a - q * b;
  q += int(floor(float(r) * inv_b));
  r = a - q * b;
  if (r < 0) q -= 1;
  else if (r >= b) q += 1;
  return q;
}

bvec4 is_nan4(vec4 v) {
  return greaterThan(floatBitsToUint(v) & uvec4(0x7fffffffu), uvec4(0x7f800000u));
}
