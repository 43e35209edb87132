// relu.cpp: ReLU forward (a NaN stays NaN: oneDNN's x86 JIT relu computes max(x, 0), which turns
// it into 0), and the backward mask dx = dy * (y > 0), reading the forward output so it can run in
// place over dy (include/convnet4j/relu.h). Each element is read and written at the same index, so
// y == x and dx == dy are safe.
#include "convnet4j/bf16.h"
#include "convnet4j/relu.h"

#include "kernels.h"

namespace c4j::cpu {

void relu_forward(const float* x, float* y, int64_t n) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) y[i] = c4j::relu(x[i]);
}

void relu_backward(const float* y, const float* dy, float* dx, int64_t n) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) dx[i] = c4j::relu_backward(y[i], dy[i]);
}

// BF16: converted to float and back, which is exact for both (a NaN stays NaN).
void relu_forward_bf16(const uint16_t* x, uint16_t* y, int64_t n) {
    const bf16* in = (const bf16*)x;
    bf16* out = (bf16*)y;
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) out[i] = from_float<bf16>(c4j::relu(to_float(in[i])));
}

void relu_backward_bf16(const uint16_t* y, const uint16_t* dy, uint16_t* dx, int64_t n) {
    const bf16* yy = (const bf16*)y;
    const bf16* g = (const bf16*)dy;
    bf16* out = (bf16*)dx;
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) out[i] = from_float<bf16>(c4j::relu_backward(to_float(yy[i]), to_float(g[i])));
}

}  // namespace c4j::cpu
