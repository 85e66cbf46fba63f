// Gradient of max_pool: DY routed to the first max of each window (offsets in P).
#define MAX 1
#include "_pool_grad.glsl"
