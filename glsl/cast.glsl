#include "_common.glsl"
#ifndef TO_BOOL
#define TO_BOOL 0
#endif
#ifndef TO_INT
#define TO_INT 0
#endif
// TO_INT: truncate toward zero; TO_BOOL: nonzero (NaN included) is true
float op(float x) {
#if TO_BOOL
  return x != 0.0 ? 1.0 : 0.0;
#elif TO_INT
  return is_nan(x) ? 0.0 : trunc(x);
#else
  return x;
#endif
}
#include "_elementwise.glsl"
