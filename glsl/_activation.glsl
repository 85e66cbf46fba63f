// Activations fused into other kernels (fused_matmul's epilogue) and their derivatives as
// functions of the OUTPUT y (so a gradient needs only y). ACT: 0 linear, 1 relu, 2 relu6,
// 3 elu, 4 sigmoid; NaN passes through as in the standalone kernels (relu.glsl ...).
#ifndef ACT
#define ACT 0
#endif

float activate(float x) {
#if ACT == 1
  return (is_nan(x) || x > 0.0) ? x : 0.0;
#elif ACT == 2
  return is_nan(x) ? x : clamp(x, 0.0, 6.0);
#elif ACT == 3
  return (is_nan(x) || x > 0.0) ? x : expm1_(x);
#elif ACT == 4
  if (is_nan(x)) return x;
  if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
  float e = exp(x);
  return e / (1.0 + e);
#else
  return x;
#endif
}

vec4 activate4(vec4 v) {
#if ACT == 0
  return v;
#else
  return vec4(activate(v.x), activate(v.y), activate(v.z), activate(v.w));
#endif
}

// d activate / dx at the x whose output is y.
float activation_deriv(float y) {
#if ACT == 1
  return y > 0.0 ? 1.0 : 0.0;
#elif ACT == 2
  return (y > 0.0 && y < 6.0) ? 1.0 : 0.0;
#elif ACT == 3
  return y > 0.0 ? 1.0 : y + 1.0;
#elif ACT == 4
  return y * (1.0 - y);
#else
  return 1.0;
#endif
}
