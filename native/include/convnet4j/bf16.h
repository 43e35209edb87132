// bf16.h: bfloat16 storage (the top 16 bits of an IEEE float) and its two conversions, so that a
// kernel templated over its element type reads and writes FP32 or BF16 tensors with one body and
// computes in float either way (fp32 accumulation, as mixed precision asks).
//
// float -> bf16 rounds to nearest, ties to even, as oneDNN's reorders and cvtneps2bf16 do; a NaN
// stays a (quiet) NaN, an infinity an infinity.
#pragma once

#include <stdint.h>

#include "convnet4j/hd.h"

namespace c4j {

struct bf16 {
    uint16_t bits;
};

C4J_HD float to_float(float v) {
    return v;
}

C4J_HD float to_float(bf16 v) {
    return __builtin_bit_cast(float, uint32_t(v.bits) << 16);
}

template <class T>
C4J_HD T from_float(float f);

template <>
C4J_HD float from_float<float>(float f) {
    return f;
}

// Branch-free (a select, not an early return), so that loops storing BF16 vectorize.
template <>
C4J_HD bf16 from_float<bf16>(float f) {
    const uint32_t u = __builtin_bit_cast(uint32_t, f);
    const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    const uint32_t quiet = (u >> 16) | 0x0040u;
    return bf16{uint16_t((u & 0x7fffffffu) > 0x7f800000u ? quiet : rounded)};
}

}  // namespace c4j
