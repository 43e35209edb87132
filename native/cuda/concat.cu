// concat.cu: c4j_copy_channels_<type>, one strided block copy that serves both directions of a
// channel concatenation. In NCHW, input k's sample i is one contiguous run of C_k*H*W elements
// that lands at channel offset o_k of the output's sample i, so concatenating input k is one launch
// with src_stride = width = C_k*H*W, dst_stride = C*H*W and dst_offset = o_k*H*W, and the backward
// split is the same launch with the roles swapped. In NHWC the runs are a pixel's C_k channels:
// n = N*H*W, src_stride = width = C_k, dst_stride = C, dst_offset = o_k. Consecutive threads copy
// consecutive elements of a run, so reads and writes are coalesced. cuMemcpy2DAsync could express
// the same copy; a kernel keeps concat on the same launch path (and profiler ranges) as every other
// op. Float, bfloat16 and half copy their bits unchanged.
#include "common.cuh"

namespace {
template <typename T>
__device__ void copy_channels(const T* __restrict__ src, int64_t src_stride, int64_t src_offset, T* __restrict__ dst,
                              int64_t dst_stride, int64_t dst_offset, int64_t width, int n) {
    const int64_t total = n * width;
    const int64_t stride = c4j::grid_stride();
    c4j::ChannelCursor at(c4j::global_index(), stride, n, width);  // at.channel is the sample i, at.pos is j
    for (int64_t k = c4j::global_index(); k < total; k += stride) {
        dst[at.channel * dst_stride + dst_offset + at.pos] = src[at.channel * src_stride + src_offset + at.pos];
        at.advance();
    }
}
}  // namespace

// Elementwise over n * width: dst[i*dst_stride + dst_offset + j] = src[i*src_stride + src_offset + j]
// for sample (or pixel) i < n and j < width.
extern "C" __global__ void c4j_copy_channels_f32(const float* __restrict__ src, int64_t src_stride,
                                                 int64_t src_offset, float* __restrict__ dst, int64_t dst_stride,
                                                 int64_t dst_offset, int64_t width, int n) {
    copy_channels(src, src_stride, src_offset, dst, dst_stride, dst_offset, width, n);
}

extern "C" __global__ void c4j_copy_channels_bf16(const __nv_bfloat16* __restrict__ src, int64_t src_stride,
                                                  int64_t src_offset, __nv_bfloat16* __restrict__ dst,
                                                  int64_t dst_stride, int64_t dst_offset, int64_t width, int n) {
    copy_channels(src, src_stride, src_offset, dst, dst_stride, dst_offset, width, n);
}

extern "C" __global__ void c4j_copy_channels_f16(const __half* __restrict__ src, int64_t src_stride,
                                                 int64_t src_offset, __half* __restrict__ dst, int64_t dst_stride,
                                                 int64_t dst_offset, int64_t width, int n) {
    copy_channels(src, src_stride, src_offset, dst, dst_stride, dst_offset, width, n);
}
