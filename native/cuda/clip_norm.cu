// clip_norm.cu: the two passes of clipping gradients by their global norm over every gradient tensor
// of a model, one launch each (a ResNet-50 has 161 gradient tensors, most too small to fill a GPU).
// The tensors' device addresses and the count + 1 prefix sums of their sizes (offsets, offsets[0] =
// 0) live in device memory, as for c4j_adam_multi_f32.
//
// c4j_sum_squares_multi_f32: one block per tensor (grid = count); the block's threads stride over
// its tensor summing x^2 in double, then block_sum: sums[t] is the tensor's sum, in a fixed order
// for a given block size, so the host's in-order total is the same bits on every run (no atomics).
#include "common.cuh"
#include "convnet4j/adam.h"

extern "C" __global__ void c4j_sum_squares_multi_f32(const float* const* xs, const int64_t* offsets, int count,
                                                     double* sums) {
    for (int t = blockIdx.x; t < count; t += gridDim.x) {
        const float* x = xs[t];
        const int64_t n = offsets[t + 1] - offsets[t];
        double s = 0.0;
        for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
            const double v = x[i];
            s += v * v;
        }
        __syncthreads();  // the previous tensor's block_sum may still be reading its shared slots
        s = c4j::block_sum(s);
        if (threadIdx.x == 0) sums[t] = s;
    }
}

// c4j_scale_multi_f32: x *= factor over every tensor, elementwise over offsets[count]; each thread
// finds the tensor of its first element (adam_tensor_of) and walks forward, as c4j_adam_multi_f32.
extern "C" __global__ void c4j_scale_multi_f32(float* const* xs, const int64_t* offsets, int count, float factor) {
    const int64_t total = offsets[count];
    const int64_t stride = c4j::grid_stride();
    int64_t i = c4j::global_index();
    if (i >= total) return;
    int t = c4j::adam_tensor_of(offsets, count, i);
    int64_t begin = offsets[t], end = offsets[t + 1];
    float* x = xs[t];
    for (; i < total; i += stride) {
        if (i >= end) {
            do {
                ++t;
                begin = end;
                end = offsets[t + 1];
            } while (i >= end);
            x = xs[t];
        }
        x[i - begin] *= factor;
    }
}
