// philox.h: Philox4x32-10, the counter-based generator of Salmon et al., "Parallel Random Numbers:
// As Easy as 1, 2, 3" (SC'11), written here from the published algorithm.
//
// Why counter-based: the random bits for element i are a pure function of (key, counter), so any
// thread on any device computes any element's bits without shared state, the backward pass
// recomputes a dropout mask instead of storing it, and the CPU and the GPU draw identical masks.
//
// Known answers (checked by CpuKernelsTest through CpuKernels.philox4x32):
//   ctr 0,0,0,0                                  key 0,0                    -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8
//   ctr ffffffff x4                              key ffffffff,ffffffff      -> 408f276d 41c83b0e a20bc7c6 6d5451fd
//   ctr 243f6a88,85a308d3,13198a2e,03707344      key a4093822,299f31d0      -> d16cfe09 94fdcceb 5001e420 24126ea1
#pragma once

#include <stdint.h>

#include "convnet4j/hd.h"

namespace c4j {

struct Philox4 {
    uint32_t v[4];
};

struct PhiloxKey {
    uint32_t v[2];
};

constexpr uint32_t kPhiloxM0 = 0xD2511F53u;  // multiplies counter word 0
constexpr uint32_t kPhiloxM1 = 0xCD9E8D57u;  // multiplies counter word 2
constexpr uint32_t kPhiloxW0 = 0x9E3779B9u;  // Weyl increment of key word 0 (golden ratio)
constexpr uint32_t kPhiloxW1 = 0xBB67AE85u;  // Weyl increment of key word 1 (sqrt(3) - 1)

// One round: two 32x32->64 multiplies; the high halves are mixed with the other counter words and
// the key, the low halves pass through. Written as a 64-bit product so g++ and nvcc both emit a
// single widening multiply.
C4J_HD Philox4 philox4x32_round(Philox4 c, PhiloxKey k) {
    uint64_t p0 = (uint64_t)kPhiloxM0 * c.v[0];
    uint64_t p1 = (uint64_t)kPhiloxM1 * c.v[2];
    Philox4 r;
    r.v[0] = (uint32_t)(p1 >> 32) ^ c.v[1] ^ k.v[0];
    r.v[1] = (uint32_t)p1;
    r.v[2] = (uint32_t)(p0 >> 32) ^ c.v[3] ^ k.v[1];
    r.v[3] = (uint32_t)p0;
    return r;
}

// Ten rounds, the key bumped by the Weyl constants between rounds: 128 random bits per call.
C4J_HD Philox4 philox4x32_10(Philox4 c, PhiloxKey k) {
#ifdef __CUDACC__
#pragma unroll
#endif
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            k.v[0] += kPhiloxW0;
            k.v[1] += kPhiloxW1;
        }
        c = philox4x32_round(c, k);
    }
    return c;
}

// Lane j of an output with j known only at run time. A select chain, not v[j]: on the GPU a
// dynamically indexed local array would be spilled to local memory.
C4J_HD uint32_t philox_lane(Philox4 r, uint32_t j) {
    return j == 0 ? r.v[0] : j == 1 ? r.v[1] : j == 2 ? r.v[2] : r.v[3];
}

}  // namespace c4j
