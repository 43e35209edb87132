// sgd.cpp: SGD with momentum over a whole parameter tensor in one pass (include/convnet4j/sgd.h).
#include "convnet4j/sgd.h"

#include "kernels.h"

namespace c4j::cpu {

void sgd_momentum(float* param, const float* grad, float* velocity, int64_t n, float lr, float momentum) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) {
        float p = param[i], vel = velocity[i];
        sgd_momentum_update(p, grad[i], vel, lr, momentum);
        param[i] = p;
        velocity[i] = vel;
    }
}

}  // namespace c4j::cpu
