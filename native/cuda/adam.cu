// adam.cu: c4j_adam_f32, the whole Adam step of one parameter tensor fused into one pass: AdamW's
// decoupled decay, both moment updates and the parameter update (include/convnet4j/adam.h), so m
// and v are never materialized as temporaries and each element costs 16 bytes read and 12 written,
// Adam's minimum with FP32 state. alpha carries the bias correction of the step and decay the
// step's lr * weight_decay (0 for plain Adam), both computed once on the host.
#include "common.cuh"
#include "convnet4j/adam.h"

extern "C" __global__ void c4j_adam_f32(float* __restrict__ param, const float* __restrict__ grad,
                                        float* __restrict__ m, float* __restrict__ v, int64_t n, float alpha,
                                        float beta1, float beta2, float epsilon, float decay) {
    const c4j::AdamStep step = {alpha, beta1, beta2, epsilon, decay};
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride()) {
        float p = param[i], mi = m[i], vi = v[i];
        c4j::adam_update(p, grad[i], mi, vi, step);
        param[i] = p;
        m[i] = mi;
        v[i] = vi;
    }
}

// c4j_adam_multi_f32: the same update for every parameter tensor of a model in one launch instead
// of one per tensor (a ResNet-50 has over a hundred, most of them too small to fill the GPU). The
// tensors' device addresses and the count + 1 prefix sums of their sizes (offsets, offsets[0] = 0)
// live in device memory; the launch is elementwise over offsets[count], the concatenated index
// space. Each thread finds the tensor of its first element by binary search (adam_tensor_of) and
// then walks forward: its later elements only ever lie in the same or later tensors, so the
// search runs once per thread, the walk crosses each tensor boundary at most once, and the
// pointers are reloaded only when the tensor changes. Same formula as c4j_adam_f32; alpha and decay
// are shared because every tensor takes the same step.
extern "C" __global__ void c4j_adam_multi_f32(float* const* params, const float* const* grads, float* const* ms,
                                              float* const* vs, const int64_t* offsets, int count, float alpha,
                                              float beta1, float beta2, float epsilon, float decay) {
    const c4j::AdamStep step = {alpha, beta1, beta2, epsilon, decay};
    const int64_t total = offsets[count];
    const int64_t stride = c4j::grid_stride();
    int64_t i = c4j::global_index();
    if (i >= total) return;
    int t = c4j::adam_tensor_of(offsets, count, i);
    int64_t begin = offsets[t], end = offsets[t + 1];
    float* param = params[t];
    const float* grad = grads[t];
    float* m = ms[t];
    float* v = vs[t];
    for (; i < total; i += stride) {
        if (i >= end) {
            do {
                ++t;
                begin = end;
                end = offsets[t + 1];
            } while (i >= end);
            param = params[t];
            grad = grads[t];
            m = ms[t];
            v = vs[t];
        }
        const int64_t k = i - begin;
        float p = param[k], mk = m[k], vk = v[k];
        c4j::adam_update(p, grad[k], mk, vk, step);
        param[k] = p;
        m[k] = mk;
        v[k] = vk;
    }
}
