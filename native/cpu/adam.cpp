// adam.cpp: the Adam update over a whole parameter tensor in one pass; param, m and v are each read
// and written once (include/convnet4j/adam.h holds the per-element math and why alpha is prefolded).
#include "convnet4j/adam.h"

#include "kernels.h"

namespace c4j::cpu {

void adam(float* param, const float* grad, float* m, float* v, int64_t n, AdamStep step) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) {
        float p = param[i], mi = m[i], vi = v[i];
        adam_update(p, grad[i], mi, vi, step);
        param[i] = p;
        m[i] = mi;
        v[i] = vi;
    }
}

}  // namespace c4j::cpu
