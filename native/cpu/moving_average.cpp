// moving_average.cpp: the batch-norm running mean/variance update (include/convnet4j/moving_average.h).
// oneDNN's batch-norm primitive returns the batch statistics but does not keep running ones.
#include "convnet4j/moving_average.h"

#include "kernels.h"

namespace c4j::cpu {

void moving_average(float* moving, const float* batch, int64_t n, float momentum) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) moving[i] = c4j::moving_average(moving[i], batch[i], momentum);
}

}  // namespace c4j::cpu
