// softmax_xent.cu: softmax fused with cross-entropy and its gradient, plus label validation and
// the batch-mean of the loss (per-row math in include/convnet4j/softmax_xent.h).
//
// One warp per row: each lane strides over the K logits, the row max and the sum of exponentials
// are warp-shuffle reductions, and one more pass writes probs and dlogits = scale * (p - t). The
// logits are read three times, but from L1/L2 (a 1000-class row is 4 KB), and neither exp(x - max)
// nor log_softmax is ever stored. Rows write their loss to row_loss[n]; c4j_xent_mean_f32 then
// sums it in one block in a fixed order, because atomicAdd would make the loss differ run to run.
//
// Launch: the two row kernels with 128 threads (4 rows per block) and grid ceil(n / 4);
// c4j_xent_mean_f32 with one block of 256 threads; c4j_first_bad_label_i32 over n threads after
// setting *first_bad = n (it stays n when every label is in [0, classes)).
#include "common.cuh"
#include "convnet4j/softmax_xent.h"

namespace {

struct RowStats {
    float max;
    float sum;  // of exp(x - max)
};

// Lanes of one warp cooperate on one row; every lane returns the same statistics.
__device__ RowStats warp_row_stats(const float* x, int classes, int lane) {
    float m = -INFINITY;
    for (int k = lane; k < classes; k += 32) m = fmaxf(m, x[k]);
    m = c4j::warp_max(m);
    float s = 0.0f;
    for (int k = lane; k < classes; k += 32) s += expf(x[k] - m);
    return {m, c4j::warp_sum(s)};
}

// Warp w of the grid takes rows w, w + warps, ...; blockDim.x must be a multiple of 32 so that no
// warp straddles two blocks.
__device__ int warp_row() {
    return (int)(c4j::global_index() >> 5);
}

__device__ int warp_rows_per_grid() {
    return (int)(c4j::grid_stride() >> 5);
}

}  // namespace

extern "C" __global__ void c4j_softmax_xent_sparse_f32(const float* logits, const int32_t* labels, int n, int classes,
                                                       float scale, float* probs, float* dlogits, float* row_loss) {
    const int lane = threadIdx.x & 31;
    for (int r = warp_row(); r < n; r += warp_rows_per_grid()) {
        const int64_t off = (int64_t)r * classes;
        const float* x = logits + off;
        const int label = labels[r];
        const RowStats st = warp_row_stats(x, classes, lane);
        // Read x[label] before any lane writes: probs or dlogits may alias the logits.
        const float loss = c4j::label_valid(label, classes) ? c4j::log_sum_exp(st.max, st.sum) - x[label] : NAN;
        __syncwarp();
        const float inv = 1.0f / st.sum;
        for (int k = lane; k < classes; k += 32) {
            const float p = c4j::softmax_prob(x[k], st.max, inv);
            if (probs) probs[off + k] = p;
            if (dlogits) dlogits[off + k] = c4j::xent_grad(p, c4j::sparse_target(k, label), scale);
        }
        if (lane == 0) row_loss[r] = loss;
    }
}

extern "C" __global__ void c4j_softmax_xent_onehot_f32(const float* logits, const float* targets, int n, int classes,
                                                       float scale, float* probs, float* dlogits, float* row_loss) {
    const int lane = threadIdx.x & 31;
    for (int r = warp_row(); r < n; r += warp_rows_per_grid()) {
        const int64_t off = (int64_t)r * classes;
        const float* x = logits + off;
        const float* t = targets + off;
        const RowStats st = warp_row_stats(x, classes, lane);
        const float lse = c4j::log_sum_exp(st.max, st.sum);
        const float inv = 1.0f / st.sum;
        float loss = 0.0f;
        for (int k = lane; k < classes; k += 32) {
            const float xk = x[k], tk = t[k];
            const float p = c4j::softmax_prob(xk, st.max, inv);
            loss += c4j::xent_term(xk, tk, lse);
            if (probs) probs[off + k] = p;
            if (dlogits) dlogits[off + k] = c4j::xent_grad(p, tk, scale);
        }
        loss = c4j::warp_sum(loss);
        if (lane == 0) row_loss[r] = loss;
    }
}

// loss[0] = weight * mean(row_loss), accumulated in double like the CPU library.
extern "C" __global__ void c4j_xent_mean_f32(const float* row_loss, int n, float weight, float* loss) {
    double s = 0.0;
    for (int r = threadIdx.x; r < n; r += blockDim.x) s += row_loss[r];
    s = c4j::block_sum(s);
    if (threadIdx.x == 0) loss[0] = n > 0 ? (float)(weight * s / n) : 0.0f;
}

extern "C" __global__ void c4j_first_bad_label_i32(const int32_t* labels, int n, int classes, int* first_bad) {
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride()) {
        if (!c4j::label_valid(labels[i], classes)) atomicMin(first_bad, (int)i);
    }
}
