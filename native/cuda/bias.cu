// bias.cu: the per-channel bias of a convolution or dense layer, outside the library call.
//
// c4j_bias_act_f32 adds the bias and applies the relu in one pass over y, after cuDNN's
// convolution (hw = H*W) or cuBLAS's GEMM (hw = 1) wrote it: y is read and written once, where a
// bias add and a separate relu would each take a pass. c4j_bias_grad_f32 is its backward for the
// bias, sum of dy over N and H*W per channel (the relu mask is applied to dy beforehand by
// c4j_relu_backward_f32), one block per channel in a fixed order, accumulated in double.
#include "common.cuh"
#include "convnet4j/bias.h"

// Elementwise over total = N * channels * hw. bias may be null (relu only).
extern "C" __global__ void c4j_bias_act_f32(float* y, const float* bias, int64_t total, int channels, int64_t hw,
                                            int relu) {
    const int64_t stride = c4j::grid_stride();
    c4j::ChannelCursor at(c4j::global_index(), stride, channels, hw);
    for (int64_t i = c4j::global_index(); i < total; i += stride) {
        y[i] = c4j::bias_act(y[i], bias ? bias[at.channel] : 0.0f, relu != 0);
        at.advance();
    }
}

// One block per channel (grid = channels, 256 threads); dbias[c] is overwritten.
extern "C" __global__ void c4j_bias_grad_f32(const float* dy, float* dbias, int n, int channels, int64_t hw) {
    for (int c = blockIdx.x; c < channels; c += gridDim.x) {
        double s = 0.0;
        c4j::for_each_in_channel(
            n, channels, hw, c, [&](int64_t i) { return dy[i]; }, [&](int64_t, float g) { s += g; });
        __syncthreads();  // the previous channel's block_sum may still be reading its shared slots
        s = c4j::block_sum(s);
        if (threadIdx.x == 0) dbias[c] = (float)s;
    }
}
