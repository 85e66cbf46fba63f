// Geometry shared by the convolution kernels. Every kernel is described by the
// forward convolution it belongs to: input x [B, H, W, C] (NHWC), filter
// [KH, KW, ...], output y [B, OH, OW, CO]; y(oh, ow) reads x at
// (oh * stride - pad + kh * dil, ow * stride - pad + kw * dil).
// u_c4 / u_co4 are C / 4 and CO / 4 (used only where those divide evenly).
uniform int out_wlog;
uniform ivec4 u_x;      // B, H, W, C
uniform ivec4 u_y;      // B, OH, OW, CO
uniform ivec2 u_k;      // KH, KW
uniform ivec2 u_stride; // rows, columns
uniform ivec2 u_dil;    // rows, columns
uniform ivec2 u_pad;    // top, left
uniform int u_c4;
uniform int u_co4;
uniform int u_total;    // number of elements this kernel writes

// (t / d, t % d) for t >= 0, d > 0 without integer division (llvmpipe scalarises it):
// a float estimate, a second one on the small remainder, one final correction.
ivec2 divmod(int t, int d) {
  float fd = float(d);
  int q = int(float(t) / fd);
  int r = t - q * d;
  int q2 = int(floor(float(r) / fd));
  q += q2;
  r -= q2 * d;
  if (r < 0) { q -= 1; r += d; }
  if (r >= d) { q += 1; r -= d; }
  return ivec2(q, r);
}

// (b, row, column) of pixel index p of an image batch with `rows` x `cols` pixels.
ivec3 split_pixel(int p, int rows, int cols) {
  ivec2 rc = divmod(p, cols);
  ivec2 br = divmod(rc.x, rows);
  return ivec3(br.x, br.y, rc.y);
}

// Output pixel of flat index i (per_pixel texels or elements per pixel) as the window it
// reads: (b, top input row, left input column, channel or channel group).
ivec4 out_window(int i, int per_pixel) {
  ivec2 pc = divmod(i, per_pixel);
  ivec3 p = split_pixel(pc.x, u_y.y, u_y.z);
  return ivec4(p.x, p.y * u_stride.x - u_pad.x, p.z * u_stride.y - u_pad.y, pc.y);
}

// Input pixel of flat index i (per_pixel texels or elements per pixel):
// (b, row, column, channel or channel group).
ivec4 in_pixel(int i, int per_pixel) {
  ivec2 pc = divmod(i, per_pixel);
  return ivec4(split_pixel(pc.x, u_x.y, u_x.z), pc.y);
}

// Inside a loop over taps: declares `o`, the output position (< n) whose tap k reads
// input position i (o * stride - pad + k * dil == i), and `continue`s when there is
// none. A macro, not a function: the early `continue` before the division keeps the
// backprop-input kernels ~8 % faster on llvmpipe than a function returning -1.
#define TAP_SOURCE_OR_CONTINUE(o, i, k, pad, dil, stride, n) \
  int o;                                                        \
  {                                                             \
    int d_ = (i) + (pad) - (k) * (dil);                         \
    if (d_ < 0) continue;                                       \
    ivec2 q_ = divmod(d_, stride);                              \
    o = q_.x;                                                   \
    if (q_.y != 0 || o >= (n)) continue;                        \
  }

// (kh, kw) of filter tap index tap = kh * KW + kw.
ivec2 split_tap(int tap) {
  int kh = divmod(tap, u_k.y).x;
  return ivec2(kh, tap - kh * u_k.y);
}

// Output rows (b * OH + oh) [r0, r1) of slice s of `slice` rows (filter gradients).
ivec2 slice_rows(int s, int slice) {
  int r0 = s * slice;
  return ivec2(r0, min(r0 + slice, u_y.x * u_y.y));
}

// Depthwise: the input channels co / m of output channels co0 .. co0 + 3.
ivec4 depthwise_inputs(int co0, int m) {
  return ivec4(divmod(co0, m).x, divmod(co0 + 1, m).x, divmod(co0 + 2, m).x,
               divmod(co0 + 3, m).x);
}
