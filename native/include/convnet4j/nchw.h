// nchw.h: ChannelCursor, which follows a flat element index of an N x C x (H*W) tensor as it
// advances by a fixed stride and keeps its channel and spatial position up to date without
// dividing again. A 64-bit division costs tens of instructions on the GPU, more than the load it
// would index, and the per-channel kernels (bias, batch norm) would otherwise divide per element.
//
// The same walk serves the per-channel reductions: the elements of one channel, numbered
// j = b * hw + k over the batch b and position k, are a [n][hw] index space, and a cursor with
// `channels` = n yields b as its channel (j < n * hw never wraps it).
#pragma once

#include <stdint.h>

#include "convnet4j/hd.h"

namespace c4j {

struct ChannelCursor {
    int64_t pos;      // i % hw
    int64_t channel;  // (i / hw) % channels
    int64_t pos_step;      // stride % hw
    int64_t channel_step;  // (stride / hw) % channels
    int64_t hw;
    int64_t channels;

    // Index i of a [*][channels][hw] tensor, to be advanced by `stride` (>= 0) at a time.
    C4J_HD ChannelCursor(int64_t i, int64_t stride, int64_t channels_, int64_t hw_)
        : pos(i % hw_),
          channel((i / hw_) % channels_),
          pos_step(stride % hw_),
          channel_step((stride / hw_) % channels_),
          hw(hw_),
          channels(channels_) {}

    // pos and channel of i + stride. Each sum stays below twice its bound (pos_step < hw and
    // channel_step + carry <= channels), so one subtraction restores it.
    C4J_HD void advance() {
        pos += pos_step;
        channel += channel_step;
        if (pos >= hw) {
            pos -= hw;
            ++channel;
        }
        if (channel >= channels) channel -= channels;
    }
};

}  // namespace c4j
