// fill.cu: c4j_fill_f32, dst[i] = value, for optimizer slots and gradient buffers. cuMemsetD32
// could write the bit pattern too; a kernel keeps fill on the same launch path (and profiler
// ranges) as every other op.
#include "common.cuh"

extern "C" __global__ void c4j_fill_f32(float* dst, int64_t n, float value) {
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride()) dst[i] = value;
}
