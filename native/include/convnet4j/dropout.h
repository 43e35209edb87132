// dropout.h: which elements inverted dropout keeps, as a pure function of (seed, step, index).
//
// Element i of training step `step` takes lane (i & 3) of
//   Philox4x32-10(counter = (i>>2, i>>34, step, step>>32), key = (seed, seed>>32)),
// drops its low 8 bits to get a uniform u = (bits >> 8) * 2^-24 in [0, 1), and is kept iff
// u >= rate; a kept element is scaled by 1 / (1 - rate) so the expected activation is unchanged.
// One generator call serves four consecutive elements, so loops walk groups of four. The layout
// is a contract: the CPU library, the CUDA kernel and CpuKernelsTest all rely on it, and the
// backward pass recomputes the forward mask from it instead of storing a mask tensor.
#pragma once

#include <stdint.h>

#include "convnet4j/hd.h"
#include "convnet4j/philox.h"

namespace c4j {

// The four lanes of random bits for elements 4*group .. 4*group+3.
C4J_HD Philox4 dropout_bits(uint64_t seed, uint64_t step, uint64_t group) {
    Philox4 counter = {{(uint32_t)group, (uint32_t)(group >> 32), (uint32_t)step, (uint32_t)(step >> 32)}};
    PhiloxKey key = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    return philox4x32_10(counter, key);
}

// 24 bits, exactly representable in a float: u is exact and never rounds up to 1.
C4J_HD bool dropout_keep(uint32_t bits, float rate) {
    float u = (float)(bits >> 8) * 5.9604644775390625e-8f;  // 2^-24
    return u >= rate;
}

// Computed in float on both sides so that a kept value is bit-identical across backends.
C4J_HD float dropout_scale(float rate) {
    return 1.0f / (1.0f - rate);
}

C4J_HD float dropout_apply(float x, bool keep, float scale) {
    return keep ? x * scale : 0.0f;
}

}  // namespace c4j
