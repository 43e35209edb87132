// sgd.cu: c4j_sgd_momentum_f32, SGD with momentum fused into one pass over param, grad and
// velocity (include/convnet4j/sgd.h): 12 bytes read and 8 written per element.
#include "common.cuh"
#include "convnet4j/sgd.h"

extern "C" __global__ void c4j_sgd_momentum_f32(float* __restrict__ param, const float* __restrict__ grad,
                                                float* __restrict__ velocity, int64_t n, float lr, float momentum) {
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride()) {
        float p = param[i], vel = velocity[i];
        c4j::sgd_momentum_update(p, grad[i], vel, lr, momentum);
        param[i] = p;
        velocity[i] = vel;
    }
}
