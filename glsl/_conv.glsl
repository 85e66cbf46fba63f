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
