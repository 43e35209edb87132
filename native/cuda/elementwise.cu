// elementwise.cu: the tensor sum of a residual join (c4j_add_<type>) and gradient accumulation where a
// node's output fans out to several consumers (c4j_accumulate_<type>), for float, bfloat16 and half
// (each element computed in float, rounded once). Plain grid-stride passes: no library call is
// cheaper for a memory-bound sum, and a kernel keeps them on the common launch path. No
// __restrict__: y may be a or b, and that is how the backend uses them in place.
#include "common.cuh"

namespace {
template <typename T>
__device__ void add(const T* a, const T* b, T* y, int64_t n) {
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride())
        y[i] = c4j::store<T>(c4j::load(a[i]) + c4j::load(b[i]));
}

template <typename T>
__device__ void accumulate(const T* src, T* dst, int64_t n) {
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride())
        dst[i] = c4j::store<T>(c4j::load(dst[i]) + c4j::load(src[i]));
}
}  // namespace

// Elementwise over n; y may equal a or b.
extern "C" __global__ void c4j_add_f32(const float* a, const float* b, float* y, int64_t n) { add(a, b, y, n); }

extern "C" __global__ void c4j_add_bf16(const __nv_bfloat16* a, const __nv_bfloat16* b, __nv_bfloat16* y, int64_t n) {
    add(a, b, y, n);
}

extern "C" __global__ void c4j_add_f16(const __half* a, const __half* b, __half* y, int64_t n) { add(a, b, y, n); }

// Elementwise over n: dst += src.
extern "C" __global__ void c4j_accumulate_f32(const float* src, float* dst, int64_t n) { accumulate(src, dst, n); }

extern "C" __global__ void c4j_accumulate_bf16(const __nv_bfloat16* src, __nv_bfloat16* dst, int64_t n) {
    accumulate(src, dst, n);
}

extern "C" __global__ void c4j_accumulate_f16(const __half* src, __half* dst, int64_t n) { accumulate(src, dst, n); }
