// Gradient of avg_pool: DY spread evenly over the input elements of each window.
#define MAX 0
#include "_pool_grad.glsl"
