package org.convnet4j.backend.cuda;

import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.convnet4j.memory.Block;
import org.convnet4j.ops.Conv2d;
import org.convnet4j.ops.Pads;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Convolution on cuDNN (the legacy convolution API: the seam a move to the graph API replaces),
 * forward, backward-data and backward-filter, with one plan per op: descriptors plus an algorithm per
 * pass chosen once by cuDNN's heuristics (cudnnGet*Algorithm_v7: the first that succeeds within the
 * workspace limit and, in strict FP32 mode, uses FMA math) and a workspace from the shared one.
 *
 * <p>cuDNN pads symmetrically. TF "same" padding that is not symmetric is still done by cuDNN when
 * padding by (top, left) on both sides gives the same output size (the extra cells are zeros either
 * way); otherwise the input is zero-padded explicitly into a pooled buffer first ({@code
 * c4j_pad2d_f32}) and backward-data crops ({@code c4j_crop2d_f32}). Bias and the fused relu are one
 * pass of {@code c4j_bias_act_f32} over y; the bias gradient is {@code c4j_bias_grad_f32}.
 */
final class ConvOps implements AutoCloseable {
    /** Largest workspace an algorithm may ask for; {@code -Dconvnet4j.cuda.workspaceMiB}, default 1024. */
    private static final long WORKSPACE_LIMIT = Long.getLong("convnet4j.cuda.workspaceMiB", 1024) << 20;

    private final CudaContext ctx;
    private final Kernels kernels;
    private final Plans<Conv2d, Plan> plans = new Plans<>(Plan::new);

    ConvOps(CudaContext ctx, Kernels kernels) {
        this.ctx = ctx;
        this.kernels = kernels;
    }

    void forward(Conv2d op, Tensor x, Tensor w, Tensor bias, Tensor y, boolean relu) {
        op.checkForward(x, w, bias, y);
        Plan p = plan(op);
        try (Block padded = p.pad(x)) {
            long in = padded == null ? x.address() : padded.address();
            CudaStatus.cudnn(cudnn.cudnnConvolutionForward(ctx.cudnn(), ctx.one(), p.x, new DevicePointer(in), p.w,
                    DevicePointer.of(w), p.fwd, p.fwdAlgo, ctx.workspace(p.fwdBytes), p.fwdBytes, ctx.zero(), p.y,
                    DevicePointer.of(y)), "cudnnConvolutionForward", op);
        }
        if (op.bias() || relu) {
            Shape s = op.outputShape();
            kernels.elementwise("c4j_bias_act_f32", s.size()).ptr(y).ptr(bias).i64(s.size()).i32(op.filters())
                    .i64(s.dim(2) * s.dim(3)).i32(relu ? 1 : 0).go(op);
        }
    }

    void backwardData(Conv2d op, Tensor dy, Tensor w, Tensor dx) {
        op.checkBackwardData(dy, w, dx);
        Plan p = plan(op);
        try (Block padded = p.padded == null ? null : ctx.pool().allocate(4 * p.padded.size())) {
            long out = padded == null ? dx.address() : padded.address();
            CudaStatus.cudnn(cudnn.cudnnConvolutionBackwardData(ctx.cudnn(), ctx.one(), p.w, DevicePointer.of(w), p.y,
                    DevicePointer.of(dy), p.bwdData, p.dataAlgo, ctx.workspace(p.dataBytes), p.dataBytes, ctx.zero(), p.x,
                    new DevicePointer(out)), "cudnnConvolutionBackwardData", op);
            if (padded != null) {
                Shape in = op.input();
                kernels.elementwise("c4j_crop2d_f32", in.size()).ptr(out).ptr(dx).i32(p.nc()).i32(in.intDim(2))
                        .i32(in.intDim(3)).i32(p.pads.top()).i32(p.pads.left()).i32(p.padded.intDim(2))
                        .i32(p.padded.intDim(3)).go(op);
            }
        }
    }

    void backwardFilter(Conv2d op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        op.checkBackwardFilter(x, dy, dw, dbias);
        Plan p = plan(op);
        try (Block padded = p.pad(x)) {
            long in = padded == null ? x.address() : padded.address();
            CudaStatus.cudnn(cudnn.cudnnConvolutionBackwardFilter(ctx.cudnn(), ctx.one(), p.x, new DevicePointer(in), p.y,
                    DevicePointer.of(dy), p.bwdFilter, p.filterAlgo, ctx.workspace(p.filterBytes), p.filterBytes,
                    ctx.zero(), p.w, DevicePointer.of(dw)), "cudnnConvolutionBackwardFilter", op);
        }
        if (dbias != null) {
            Shape s = op.outputShape();
            kernels.launch("c4j_bias_grad_f32", op.filters(), Kernels.THREADS).ptr(dy).ptr(dbias).i32(s.intDim(0))
                    .i32(op.filters()).i64(s.dim(2) * s.dim(3)).go(op);
        }
    }

    private Plan plan(Conv2d op) {
        return plans.get(op);
    }

    @Override
    public void close() {
        plans.close();
    }

    /** Descriptors, algorithms and workspace sizes of one convolution, built on first use. */
    private final class Plan extends Plans.Plan {
        final Conv2d op;
        final Pads pads;
        /** The explicitly padded input's shape, or null when cuDNN's own padding is exact. */
        final Shape padded;
        final cudnnTensorStruct x;
        final cudnnTensorStruct y;
        final cudnnFilterStruct w;
        final cudnnConvolutionStruct fwd;
        final cudnnConvolutionStruct bwdData;
        final cudnnConvolutionStruct bwdFilter;
        final int fwdAlgo;
        final int dataAlgo;
        final int filterAlgo;
        final long fwdBytes;
        final long dataBytes;
        final long filterBytes;

        Plan(Conv2d op) {
            super(op);
            this.op = op;
            this.pads = op.pads();
            Shape in = op.input();
            Shape out = op.outputShape();
            boolean exact = outputLength(in.dim(2), op.kernel().h(), op.stride().h(), pads.top()) == out.dim(2)
                    && outputLength(in.dim(3), op.kernel().w(), op.stride().w(), pads.left()) == out.dim(3);
            this.padded = exact ? null : Shape.nchw(in.dim(0), in.dim(1), in.dim(2) + pads.top() + pads.bottom(),
                    in.dim(3) + pads.left() + pads.right());
            int padH = exact ? pads.top() : 0;
            int padW = exact ? pads.left() : 0;
            x = descriptors.tensor(exact ? in : padded);
            y = descriptors.tensor(out);
            w = descriptors.filter(op.weightShape());
            fwd = descriptors.convolution(padH, padW, op.stride().h(), op.stride().w(), ctx.tf32());
            bwdData = descriptors.convolution(padH, padW, op.stride().h(), op.stride().w(), ctx.tf32());
            bwdFilter = descriptors.convolution(padH, padW, op.stride().h(), op.stride().w(), ctx.tf32());
            long[] choice = chooseForward();
            fwdAlgo = (int) choice[0];
            fwdBytes = choice[1];
            choice = chooseBackwardData();
            dataAlgo = (int) choice[0];
            dataBytes = choice[1];
            choice = chooseBackwardFilter();
            filterAlgo = (int) choice[0];
            filterBytes = choice[1];
        }

        int nc() {
            return Math.toIntExact(op.input().dim(0) * op.input().dim(1));
        }

        /** The zero-padded copy of x when this plan needs one (the caller closes it), else null. */
        Block pad(Tensor in) {
            if (padded == null) {
                return null;
            }
            Block b = ctx.pool().allocate(4 * padded.size());
            Shape s = op.input();
            kernels.elementwise("c4j_pad2d_f32", padded.size()).ptr(in).ptr(b.address()).i32(nc()).i32(s.intDim(2))
                    .i32(s.intDim(3)).i32(pads.top()).i32(pads.left()).i32(padded.intDim(2)).i32(padded.intDim(3)).go(op);
            return b;
        }

        private long[] chooseForward() {
            int n = cudnn.CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
            try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(n); IntPointer got = new IntPointer(1)) {
                CudaStatus.cudnn(cudnn.cudnnGetConvolutionForwardAlgorithm_v7(ctx.cudnn(), x, w, fwd, y, n, got, perf),
                        "cudnnGetConvolutionForwardAlgorithm_v7", op);
                for (int i = 0; i < got.get(); i++) {
                    cudnnConvolutionFwdAlgoPerf_t p = perf.getPointer(i);
                    if (usable(p.status(), p.memory(), p.mathType())) {
                        setMath(fwd, p.mathType());
                        return new long[] {p.algo(), p.memory()};
                    }
                }
            }
            throw none("forward");
        }

        private long[] chooseBackwardData() {
            int n = cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT;
            try (cudnnConvolutionBwdDataAlgoPerf_t perf = new cudnnConvolutionBwdDataAlgoPerf_t(n); IntPointer got = new IntPointer(1)) {
                CudaStatus.cudnn(cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(ctx.cudnn(), w, y, bwdData, x, n, got, perf),
                        "cudnnGetConvolutionBackwardDataAlgorithm_v7", op);
                for (int i = 0; i < got.get(); i++) {
                    cudnnConvolutionBwdDataAlgoPerf_t p = perf.getPointer(i);
                    if (usable(p.status(), p.memory(), p.mathType())) {
                        setMath(bwdData, p.mathType());
                        return new long[] {p.algo(), p.memory()};
                    }
                }
            }
            throw none("backward-data");
        }

        private long[] chooseBackwardFilter() {
            int n = cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
            try (cudnnConvolutionBwdFilterAlgoPerf_t perf = new cudnnConvolutionBwdFilterAlgoPerf_t(n); IntPointer got = new IntPointer(1)) {
                CudaStatus.cudnn(cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(ctx.cudnn(), x, y, bwdFilter, w, n, got, perf),
                        "cudnnGetConvolutionBackwardFilterAlgorithm_v7", op);
                for (int i = 0; i < got.get(); i++) {
                    cudnnConvolutionBwdFilterAlgoPerf_t p = perf.getPointer(i);
                    if (usable(p.status(), p.memory(), p.mathType())) {
                        setMath(bwdFilter, p.mathType());
                        return new long[] {p.algo(), p.memory()};
                    }
                }
            }
            throw none("backward-filter");
        }

        private boolean usable(int status, long memory, int mathType) {
            return status == cudnn.CUDNN_STATUS_SUCCESS && memory <= WORKSPACE_LIMIT
                    && (ctx.tf32() || mathType == cudnn.CUDNN_FMA_MATH);
        }

        private void setMath(cudnnConvolutionStruct d, int mathType) {
            CudaStatus.cudnn(cudnn.cudnnSetConvolutionMathType(d, mathType), "cudnnSetConvolutionMathType", op);
        }

        private IllegalStateException none(String pass) {
            return new IllegalStateException("cuDNN offers no " + pass + " convolution algorithm for " + op
                    + " within a " + (WORKSPACE_LIMIT >> 20) + " MiB workspace" + (ctx.tf32() ? "" : " in strict FP32 (FMA) math"));
        }
    }

    /** cuDNN's output length for symmetric padding p: 1 + floor((in + 2p - k) / s). */
    private static long outputLength(long in, int k, int s, int p) {
        long span = in + 2L * p - k;
        return span < 0 ? 0 : 1 + span / s;
    }
}
