// layout.h: the index arithmetic of mixed precision's memory orders, shared by the CUDA kernels
// (mixed.cu) and the host tests. An activation is [n][channels][hw] in NCHW and [n][hw][channels]
// in NHWC; a float KCRS weight is the NCHW of n = K, channels = C, hw = R*S, and the KRSC filter of
// an NHWC convolution is its NHWC.
#pragma once

#include <stdint.h>

#include "convnet4j/hd.h"

namespace c4j {

// Conversion modes of c4j_convert_<from>_<to>.
constexpr int kSameOrder = 0;
constexpr int kNchwToNhwc = 1;
constexpr int kNhwcToNchw = 2;

// The source index of destination element i of a conversion in mode (a gather).
C4J_HD int64_t convert_source(int64_t i, int64_t channels, int64_t hw, int mode) {
    if (mode == kNchwToNhwc) {  // i = (b hw + p) C + c
        const int64_t c = i % channels, t = i / channels, p = t % hw, b = t / hw;
        return (b * channels + c) * hw + p;
    }
    if (mode == kNhwcToNchw) {  // i = (b C + c) hw + p
        const int64_t p = i % hw, t = i / hw, c = t % channels, b = t / channels;
        return (b * hw + p) * channels + c;
    }
    return i;
}

// Zero padding in NHWC: the index in x (an n x h x w x channels tensor) that element i of the padded
// n x oh x ow x channels tensor copies, or -1 where i is in the border of zeros.
C4J_HD int64_t pad_nhwc_source(int64_t i, int h, int w, int64_t channels, int top, int left, int oh, int ow) {
    const int64_t c = i % channels, t = i / channels;
    const int col = (int)(t % ow) - left;
    const int64_t t2 = t / ow;
    const int row = (int)(t2 % oh) - top;
    const int64_t b = t2 / oh;
    if (row < 0 || row >= h || col < 0 || col >= w) return -1;
    return ((b * h + row) * w + col) * channels + c;
}

// Cropping in NHWC (pad's backward): the index in the padded dy that element i of the n x h x w x
// channels dx reads.
C4J_HD int64_t crop_nhwc_source(int64_t i, int h, int w, int64_t channels, int top, int left, int oh, int ow) {
    const int64_t c = i % channels, t = i / channels;
    const int col = (int)(t % w);
    const int64_t t2 = t / w;
    const int row = (int)(t2 % h);
    const int64_t b = t2 / h;
    return ((b * oh + row + top) * ow + col + left) * channels + c;
}

}  // namespace c4j
