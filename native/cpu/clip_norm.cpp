// clip_norm.cpp: the two passes of clipping gradients by their global norm (Keras' global_clipnorm,
// torch.nn.utils.clip_grad_norm_): the sum of squares, and the rescale.
//
// The sum must be the same bits on every run, or a clipped run could not resume bit for bit: an
// OpenMP reduction adds the threads' partial sums in whatever order they arrive. So [0, n) is cut
// into kBlocks fixed blocks whatever the thread count, each block summed in order in double (eight
// interleaved accumulators, so the adds pipeline and vectorize), and the block sums added in order.
#include "kernels.h"

namespace c4j::cpu {

namespace {

constexpr int kBlocks = 64;
constexpr int kLanes = 8;

double block_sum_of_squares(const float* x, int64_t begin, int64_t end) {
    double lane[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = begin;
    for (; i + kLanes <= end; i += kLanes) {
        for (int k = 0; k < kLanes; ++k) {
            const double v = x[i + k];
            lane[k] += v * v;
        }
    }
    for (; i < end; ++i) {
        const double v = x[i];
        lane[0] += v * v;
    }
    double s = 0;
    for (int k = 0; k < kLanes; ++k) s += lane[k];
    return s;
}

}  // namespace

double sum_of_squares(const float* x, int64_t n) {
    double partial[kBlocks];
    const int64_t per = (n + kBlocks - 1) / kBlocks;
#pragma omp parallel for schedule(static) if (parallel : n >= kParallelMin)
    for (int b = 0; b < kBlocks; ++b) {
        const int64_t begin = b * per < n ? b * per : n;
        const int64_t end = begin + per < n ? begin + per : n;
        partial[b] = block_sum_of_squares(x, begin, end);
    }
    double total = 0;
    for (int b = 0; b < kBlocks; ++b) total += partial[b];
    return total;
}

void scale(float* x, int64_t n, float factor) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) x[i] *= factor;
}

}  // namespace c4j::cpu
