// elementwise.cu: the tensor sum of a residual join (c4j_add_f32) and gradient accumulation where a
// node's output fans out to several consumers (c4j_accumulate_f32). Plain grid-stride passes:
// no library call is cheaper for a memory-bound sum, and a kernel keeps them on the common launch
// path. No __restrict__: y may be a or b, and that is how the backend uses them in place.
#include "common.cuh"

// Elementwise over n; y may equal a or b.
extern "C" __global__ void c4j_add_f32(const float* a, const float* b, float* y, int64_t n) {
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride()) y[i] = a[i] + b[i];
}

// Elementwise over n: dst += src.
extern "C" __global__ void c4j_accumulate_f32(const float* src, float* dst, int64_t n) {
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride()) dst[i] += src[i];
}
