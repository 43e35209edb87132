// common.cuh: the indexing and reduction helpers the kernel files share (device code only).
// Grid-stride loops let one launch configuration, sized to the GPU rather than to the tensor,
// cover any n; 64-bit indices because an H200 holds tensors of more than 2^31 elements.
// The reductions run in a fixed order for a given launch shape, so results repeat bit for bit.
#pragma once

#include <stdint.h>

namespace c4j {

__device__ inline int64_t global_index() {
    return (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
}

__device__ inline int64_t grid_stride() {
    return (int64_t)gridDim.x * blockDim.x;
}

template <typename T>
__device__ inline T warp_sum(T v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__device__ inline float warp_max(float v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024); the result is valid in thread 0.
template <typename T>
__device__ inline T block_sum(T v) {
    __shared__ T warp_sums[32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    if (lane == 0) warp_sums[warp] = v;
    __syncthreads();
    v = threadIdx.x < warps ? warp_sums[threadIdx.x] : T(0);
    return warp == 0 ? warp_sum(v) : v;
}

}  // namespace c4j
