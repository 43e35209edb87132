// fill.cu: c4j_fill_<type>, dst[i] = value (rounded to the type once), for optimizer slots, gradient
// buffers and activations of any precision. cuMemsetD32 could write the bit pattern too; a kernel
// keeps fill on the same launch path (and profiler ranges) as every other op.
#include "common.cuh"

namespace {
template <typename T>
__device__ void fill(T* dst, int64_t n, float value) {
    const T v = c4j::store<T>(value);
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride()) dst[i] = v;
}
}  // namespace

extern "C" __global__ void c4j_fill_f32(float* dst, int64_t n, float value) { fill(dst, n, value); }

extern "C" __global__ void c4j_fill_bf16(__nv_bfloat16* dst, int64_t n, float value) { fill(dst, n, value); }

extern "C" __global__ void c4j_fill_f16(__half* dst, int64_t n, float value) { fill(dst, n, value); }
