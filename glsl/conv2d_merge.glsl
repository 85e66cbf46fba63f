// Writes the dense NHWC conv2d output from the 8 render targets of conv2d_tiled: the
// channel group cog of pixel (row, ow) lives in target ow % 8 at texel
// cog * u_tiles + row * u_tpr + ow / 8.
#include "_common.glsl"
#include "_conv.glsl"

uniform sampler2D T0;
uniform sampler2D T1;
uniform sampler2D T2;
uniform sampler2D T3;
uniform sampler2D T4;
uniform sampler2D T5;
uniform sampler2D T6;
uniform sampler2D T7;
uniform int T0_wlog;
uniform int u_tiles;
uniform int u_tpr;
out vec4 result;

void main() {
  int t = out_base(out_wlog) >> 2;
  ivec2 pc = divmod(t, u_co4);
  ivec2 rw = divmod(pc.x, u_y.z);
  int cog = pc.y;
  int row = rw.x;
  int ow = rw.y;
  int j = ow & 7;
  int q = cog * u_tiles + row * u_tpr + (ow >> 3);
  ivec2 c = ivec2(q & ((1 << T0_wlog) - 1), q >> T0_wlog);
  if (j == 0) result = texelFetch(T0, c, 0);
  else if (j == 1) result = texelFetch(T1, c, 0);
  else if (j == 2) result = texelFetch(T2, c, 0);
  else if (j == 3) result = texelFetch(T3, c, 0);
  else if (j == 4) result = texelFetch(T4, c, 0);
  else if (j == 5) result = texelFetch(T5, c, 0);
  else if (j == 6) result = texelFetch(T6, c, 0);
  else result = texelFetch(T7, c, 0);
}
