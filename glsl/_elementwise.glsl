// main() of every elementwise kernel. The kernel file defines op() for ARITY inputs
// (A, B, C) before including this. Each input X has a MODE_X:
//   0  same shape as the output: read the same texel
//   1  a host number in uniform u_X
//   2  broadcast: map the output index through strides (u_out_strides, u_X_strides)
//   3  a one-element tensor: read element 0
#ifndef MODE_A
#define MODE_A -1
#endif
#ifndef MODE_B
#define MODE_B -1
#endif
#ifndef MODE_C
#define MODE_C -1
#endif

uniform int out_wlog;
#if MODE_A == 2 || MODE_B == 2 || MODE_C == 2
uniform int u_out_strides[RANK];
int map_index(int i, int strides[RANK]) {
  int r = 0;
  for (int d = 0; d < RANK - 1; d++) {
    int q = i / u_out_strides[d];
    i -= q * u_out_strides[d];
    r += q * strides[d];
  }
  return r + i * strides[RANK - 1];
}
#endif

#if ARITY >= 1
uniform sampler2D A;
uniform int A_wlog;
uniform float u_A;
#if MODE_A == 2
uniform int u_A_strides[RANK];
#endif
vec4 load_A(int base) {
#if MODE_A == 0
  return texelFetch(A, ivec2(gl_FragCoord.xy), 0);
#elif MODE_A == 1
  return vec4(u_A);
#elif MODE_A == 3
  return vec4(texelFetch(A, ivec2(0), 0).x);
#else
  return vec4(fetch(A, A_wlog, map_index(base, u_A_strides)),
              fetch(A, A_wlog, map_index(base + 1, u_A_strides)),
              fetch(A, A_wlog, map_index(base + 2, u_A_strides)),
              fetch(A, A_wlog, map_index(base + 3, u_A_strides)));
#endif
}
#endif

#if ARITY >= 2
uniform sampler2D B;
uniform int B_wlog;
uniform float u_B;
#if MODE_B == 2
uniform int u_B_strides[RANK];
#endif
vec4 load_B(int base) {
#if MODE_B == 0
  return texelFetch(B, ivec2(gl_FragCoord.xy), 0);
#elif MODE_B == 1
  return vec4(u_B);
#elif MODE_B == 3
  return vec4(texelFetch(B, ivec2(0), 0).x);
#else
  return vec4(fetch(B, B_wlog, map_index(base, u_B_strides)),
              fetch(B, B_wlog, map_index(base + 1, u_B_strides)),
              fetch(B, B_wlog, map_index(base + 2, u_B_strides)),
              fetch(B, B_wlog, map_index(base + 3, u_B_strides)));
#endif
}
#endif

#if ARITY >= 3
uniform sampler2D C;
uniform int C_wlog;
uniform float u_C;
#if MODE_C == 2
uniform int u_C_strides[RANK];
#endif
vec4 load_C(int base) {
#if MODE_C == 0
  return texelFetch(C, ivec2(gl_FragCoord.xy), 0);
#elif MODE_C == 1
  return vec4(u_C);
#elif MODE_C == 3
  return vec4(texelFetch(C, ivec2(0), 0).x);
#else
  return vec4(fetch(C, C_wlog, map_index(base, u_C_strides)),
              fetch(C, C_wlog, map_index(base + 1, u_C_strides)),
              fetch(C, C_wlog, map_index(base + 2, u_C_strides)),
              fetch(C, C_wlog, map_index(base + 3, u_C_strides)));
#endif
}
#endif

out vec4 result;

void main() {
  int base = out_base(out_wlog);
#if ARITY == 0
  result = vec4(op(base), op(base + 1), op(base + 2), op(base + 3));
#elif ARITY == 1
  vec4 a = load_A(base);
  result = vec4(op(a.x), op(a.y), op(a.z), op(a.w));
#elif ARITY == 2
  vec4 a = load_A(base);
  vec4 b = load_B(base);
  result = vec4(op(a.x, b.x), op(a.y, b.y), op(a.z, b.z), op(a.w, b.w));
#else
  vec4 a = load_A(base);
  vec4 b = load_B(base);
  vec4 c = load_C(base);
  result = vec4(op(a.x, b.x, c.x), op(a.y, b.y, c.y), op(a.z, b.z, c.z), op(a.w, b.w, c.w));
#endif
}
