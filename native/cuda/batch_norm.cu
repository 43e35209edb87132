// batch_norm.cu: batch normalization over axis 1 of NCHW in Keras' convention
// (include/convnet4j/batch_norm.h), for the cases and the glue cuDNN does not cover.
//
// Training forward is two launches: c4j_bn_stats_f32 (one block per channel: batch mean and
// biased variance into `saved`, and the moving update) and c4j_bn_apply_f32 (elementwise). The
// apply pass fuses the residual add and the relu of ResNet's block tail, so neither bn(x) nor
// bn(x) + residual is ever materialized. Backward is c4j_bn_backward_reduce_f32 (one block per
// channel: dbeta, dgamma, and the residual's gradient) then c4j_bn_backward_data_f32
// (elementwise dx); both re-derive the relu mask from the fused output y instead of storing one.
//
// Where cuDNN's own batch norm runs instead, c4j_bn_from_cudnn_f32 turns its saved inverse
// standard deviation into our biased variance and applies the Keras moving update (cuDNN's
// running variance uses the unbiased estimate), and c4j_bn_inv_std_f32 goes the other way for
// cudnnBatchNormalizationBackward.
//
// `saved` is 2 x C: row 0 the batch mean, row 1 the biased batch variance. Per-channel sums are in
// double and in a fixed order for a given launch shape, so they repeat bit for bit.
#include "common.cuh"
#include "convnet4j/batch_norm.h"
#include "convnet4j/moving_average.h"
#include "convnet4j/relu.h"

// One block per channel (grid = channels, 256 threads). moving_mean and moving_var may be null
// (no update).
extern "C" __global__ void c4j_bn_stats_f32(const float* x, int n, int channels, int64_t hw, float momentum,
                                            float* saved, float* moving_mean, float* moving_var) {
    const int64_t count = (int64_t)n * hw;
    for (int c = blockIdx.x; c < channels; c += gridDim.x) {
        // Sums relative to the channel's first value (see bn_moments); every thread reads it.
        const double shift = count > 0 ? x[(int64_t)c * hw] : 0.0f;
        double sum_d = 0.0, sum_d2 = 0.0;
        c4j::for_each_in_channel(
            n, channels, hw, c, [&](int64_t i) { return x[i]; },
            [&](int64_t, float v) {
                const double d = (double)v - shift;
                sum_d += d;
                sum_d2 += d * d;
            });
        c4j::block_sum2(sum_d, sum_d2);
        if (threadIdx.x == 0) {
            const c4j::BnMoments m = c4j::bn_moments(shift, sum_d, sum_d2, (double)count);
            saved[c] = m.mean;
            saved[channels + c] = m.var;
            if (moving_mean) moving_mean[c] = c4j::moving_average(moving_mean[c], m.mean, momentum);
            if (moving_var) moving_var[c] = c4j::moving_average(moving_var[c], m.var, momentum);
        }
    }
}

// Elementwise over total. residual may be null (no add), gamma null means 1 (scale=false); mean and
// var are saved's rows (training) or the moving statistics (inference). y may equal x.
extern "C" __global__ void c4j_bn_apply_f32(const float* x, const float* residual, const float* gamma,
                                            const float* beta, const float* mean, const float* var, float eps,
                                            int channels, int64_t hw, int64_t total, int relu, float* y) {
    const int64_t stride = c4j::grid_stride();
    c4j::ChannelCursor at(c4j::global_index(), stride, channels, hw);
    for (int64_t i = c4j::global_index(); i < total; i += stride) {
        const int64_t c = at.channel;
        y[i] = c4j::bn_forward(x[i], mean[c], c4j::bn_inv_std(var[c], eps), gamma ? gamma[c] : 1.0f, beta[c],
                               residual ? residual[i] : 0.0f, relu != 0);
        at.advance();
    }
}

namespace {

struct GradAndInput {
    float g;  // dy, masked by the fused relu
    float x;
};

// c4j_bn_backward_reduce_f32 for one combination of its optional tensors, fixed at compile time so
// that the channel loop has no branches between its loads (see for_each_in_channel).
template <bool kMasked, bool kResidual>
__device__ void bn_backward_reduce(const float* x, const float* y, const float* dy, const float* saved, float eps,
                                   int n, int channels, int64_t hw, float* dgamma, float* dbeta, float* dresidual) {
    for (int c = blockIdx.x; c < channels; c += gridDim.x) {
        const double mean = saved[c];
        double sum_g = 0.0, sum_gx = 0.0;  // sum g and sum g * (x - mean); dgamma is the latter * inv_std
        c4j::for_each_in_channel(
            n, channels, hw, c,
            [&](int64_t i) {
                const float g = kMasked ? c4j::relu_backward(y[i], dy[i]) : dy[i];
                return GradAndInput{g, x[i]};
            },
            [&](int64_t i, GradAndInput e) {
                sum_g += e.g;
                sum_gx += (double)e.g * ((double)e.x - mean);
                if (kResidual) dresidual[i] = e.g;
            });
        c4j::block_sum2(sum_g, sum_gx);
        if (threadIdx.x == 0) {
            dbeta[c] = (float)sum_g;
            dgamma[c] = (float)(sum_gx * c4j::bn_inv_std(saved[channels + c], eps));
        }
    }
}

}  // namespace

// One block per channel (grid = channels, 256 threads). g = dy, masked by y > 0 when y (the fused
// relu's output) is not null. dbeta[c] = sum g, dgamma[c] = sum g * xhat, both overwritten and
// both required (scratch when the layer has no gamma); dresidual[i] = g when not null
// (relu(bn(x) + residual)'s gradient for the residual); dresidual may equal dy.
extern "C" __global__ void c4j_bn_backward_reduce_f32(const float* x, const float* y, const float* dy,
                                                      const float* saved, float eps, int n, int channels,
                                                      int64_t hw, float* dgamma, float* dbeta, float* dresidual) {
    if (y && dresidual) {
        bn_backward_reduce<true, true>(x, y, dy, saved, eps, n, channels, hw, dgamma, dbeta, dresidual);
    } else if (y) {
        bn_backward_reduce<true, false>(x, y, dy, saved, eps, n, channels, hw, dgamma, dbeta, dresidual);
    } else if (dresidual) {
        bn_backward_reduce<false, true>(x, y, dy, saved, eps, n, channels, hw, dgamma, dbeta, dresidual);
    } else {
        bn_backward_reduce<false, false>(x, y, dy, saved, eps, n, channels, hw, dgamma, dbeta, dresidual);
    }
}

// Elementwise over total, after c4j_bn_backward_reduce_f32 wrote dgamma and dbeta. gamma null
// means 1. dx may equal dy.
extern "C" __global__ void c4j_bn_backward_data_f32(const float* x, const float* y, const float* dy,
                                                    const float* saved, const float* gamma, const float* dgamma,
                                                    const float* dbeta, float eps, int n, int channels, int64_t hw,
                                                    int64_t total, float* dx) {
    const float inv_m = 1.0f / (float)((int64_t)n * hw);
    const int64_t stride = c4j::grid_stride();
    c4j::ChannelCursor at(c4j::global_index(), stride, channels, hw);
    for (int64_t i = c4j::global_index(); i < total; i += stride) {
        const int64_t c = at.channel;
        const float mean = saved[c];
        const float inv_std = c4j::bn_inv_std(saved[channels + c], eps);
        const float g = y ? c4j::relu_backward(y[i], dy[i]) : dy[i];
        const float xhat = (x[i] - mean) * inv_std;
        const float scale = (gamma ? gamma[c] : 1.0f) * inv_std;
        dx[i] = c4j::bn_backward_dx(g, xhat, scale, dbeta[c] * inv_m, dgamma[c] * inv_m);
        at.advance();
    }
}

// Elementwise over channels, after cudnnBatchNormalizationForwardTraining wrote saved row 0 (the
// mean) and inv_std (its resultSaveInvVariance) and was given no running statistics to update.
// Writes saved row 1, the biased variance, and the Keras moving update from saved; moving_mean
// and moving_var may be null.
extern "C" __global__ void c4j_bn_from_cudnn_f32(const float* inv_std, float eps, float momentum, int channels,
                                                 float* saved, float* moving_mean, float* moving_var) {
    for (int64_t c = c4j::global_index(); c < channels; c += c4j::grid_stride()) {
        const float var = c4j::bn_var_from_inv_std(inv_std[c], eps);
        saved[channels + c] = var;
        if (moving_mean) moving_mean[c] = c4j::moving_average(moving_mean[c], saved[c], momentum);
        if (moving_var) moving_var[c] = c4j::moving_average(moving_var[c], var, momentum);
    }
}

// Elementwise over channels: inv_std = 1 / sqrt(var + eps), cudnnBatchNormalizationBackward's
// savedInvVariance, from saved row 1.
extern "C" __global__ void c4j_bn_inv_std_f32(const float* var, float eps, int channels, float* inv_std) {
    for (int64_t c = c4j::global_index(); c < channels; c += c4j::grid_stride()) {
        inv_std[c] = c4j::bn_inv_std(var[c], eps);
    }
}
