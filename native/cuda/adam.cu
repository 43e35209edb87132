// adam.cu: c4j_adam_f32, the whole Adam step of one parameter tensor fused into one pass: both
// moment updates and the parameter update (include/convnet4j/adam.h), so m and v are never
// materialized as temporaries and each element costs 16 bytes read and 12 written, Adam's minimum
// with FP32 state. alpha carries the bias correction of the step, computed once on the host.
#include "common.cuh"
#include "convnet4j/adam.h"

extern "C" __global__ void c4j_adam_f32(float* __restrict__ param, const float* __restrict__ grad,
                                        float* __restrict__ m, float* __restrict__ v, int64_t n, float alpha,
                                        float beta1, float beta2, float epsilon) {
    const c4j::AdamStep step = {alpha, beta1, beta2, epsilon};
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride()) {
        float p = param[i], mi = m[i], vi = v[i];
        c4j::adam_update(p, grad[i], mi, vi, step);
        param[i] = p;
        m[i] = mi;
        v[i] = vi;
    }
}
