// moving_average.cu: c4j_moving_average_f32, the batch-norm running statistics update
// (include/convnet4j/moving_average.h). cuDNN can fold this into its training forward pass; this
// kernel exists so both backends share one definition of the Keras momentum convention.
#include "common.cuh"
#include "convnet4j/moving_average.h"

extern "C" __global__ void c4j_moving_average_f32(float* __restrict__ moving, const float* __restrict__ batch,
                                                  int64_t n, float momentum) {
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride()) {
        moving[i] = c4j::moving_average(moving[i], batch[i], momentum);
    }
}
