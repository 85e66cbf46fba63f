// one_hot: the output is [rows, u_depth]; out[r, c] = u_on where I[r] == c, else u_off
// (indices outside [0, u_depth) give a row of u_off, as TF.js).
#include "_common.glsl"

uniform sampler2D I;
uniform int I_wlog;
uniform int out_wlog;
uniform int u_size;
uniform int u_depth;
uniform float u_on;
uniform float u_off;

out vec4 result;

void main() {
  int base = out_base(out_wlog);
  int row = base / u_depth;
  int col = base - row * u_depth;
  float v = fetch(I, I_wlog, row);
  vec4 r = vec4(0.0);
  for (int e = 0; e < 4; e++) {
    if (base + e < u_size) r[e] = (v == float(col)) ? u_on : u_off;
    col += 1;
    if (col == u_depth) {
      col = 0;
      row += 1;
      if (base + e + 1 < u_size) v = fetch(I, I_wlog, row);
    }
  }
  result = r;
}
