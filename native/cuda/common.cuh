// common.cuh: the indexing and reduction helpers the kernel files share (device code only).
// Grid-stride loops let one launch configuration, sized to the GPU rather than to the tensor,
// cover any n; 64-bit indices because an H200 holds tensors of more than 2^31 elements.
// The reductions run in a fixed order for a given launch shape, so results repeat bit for bit.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

#include "convnet4j/nchw.h"

namespace c4j {

// Element types of activations: float, and bfloat16 / IEEE half for mixed precision. Kernels load
// every element to float, compute in float, and round once when they store (to nearest even; NaN
// stays NaN, and values beyond half's range become infinities, as a float to half cast does).
__device__ inline float load(float v) { return v; }
__device__ inline float load(__nv_bfloat16 v) { return __bfloat162float(v); }
__device__ inline float load(__half v) { return __half2float(v); }

template <typename T>
__device__ inline T store(float v);
template <>
__device__ inline float store<float>(float v) { return v; }
template <>
__device__ inline __nv_bfloat16 store<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }
template <>
__device__ inline __half store<__half>(float v) { return __float2half_rn(v); }

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

// Two sums over the block, valid in thread 0. The barriers keep one block_sum from overwriting the
// shared slots that the previous one (this pair's first, or the last pair of a loop over channels)
// may still be reading.
template <typename T>
__device__ inline void block_sum2(T& a, T& b) {
    __syncthreads();
    a = block_sum(a);
    __syncthreads();
    b = block_sum(b);
}

// Visits every element of channel c of an [n][channels][hw] tensor that falls to this thread,
// by its flat index i: v = load(i), then consume(i, v). The block's threads stride over the
// channel's n * hw elements, each thread in increasing order, so a per-channel reduction (one
// block per channel) repeats bit for bit. The main loop loads four elements before it consumes
// any, so that four loads are in flight together even when consume stores: a block per channel
// is often one block per SM, with too few threads to hide memory latency one load at a time.
template <typename Load, typename Consume>
__device__ inline void for_each_in_channel(int n, int channels, int64_t hw, int c, Load load, Consume consume) {
    const int64_t count = (int64_t)n * hw;
    const int64_t step = blockDim.x;
    ChannelCursor at(threadIdx.x, step, n, hw);  // over [n][hw]: at.channel is the batch index
    auto next = [&]() {
        const int64_t i = (at.channel * channels + c) * hw + at.pos;
        at.advance();
        return i;
    };
    int64_t j = threadIdx.x;
    for (; j + 3 * step < count; j += 4 * step) {
        const int64_t i0 = next(), i1 = next(), i2 = next(), i3 = next();
        const auto v0 = load(i0), v1 = load(i1), v2 = load(i2), v3 = load(i3);
        consume(i0, v0);
        consume(i1, v1);
        consume(i2, v2);
        consume(i3, v3);
    }
    for (; j < count; j += step) {
        const int64_t i = next();
        consume(i, load(i));
    }
}

}  // namespace c4j
