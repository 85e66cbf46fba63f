#include "_common.glsl"
uniform float u_alpha;
float op(float x) { return (is_nan(x) || x > 0.0) ? x : u_alpha * x; }
#include "_elementwise.glsl"
