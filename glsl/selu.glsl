#include "_common.glsl"
float op(float x) {
  // constants of Klambauer et al. (2017), as TF.js and Keras use
  const float alpha = 1.6732632423543772;
  const float scale = 1.0507009873554805;
  return (is_nan(x) || x > 0.0) ? scale * x : scale * alpha * expm1_(x);
}
#include "_elementwise.glsl"
