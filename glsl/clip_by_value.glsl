#include "_common.glsl"
uniform float u_lo;
uniform float u_hi;
float op(float x) { return is_nan(x) ? x : clamp(x, u_lo, u_hi); }
#include "_elementwise.glsl"
