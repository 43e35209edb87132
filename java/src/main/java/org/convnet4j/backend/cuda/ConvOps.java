package org.convnet4j.backend.cuda;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.convnet4j.memory.Block;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.Pads;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Convolution on cuDNN (the legacy convolution API: the seam a move to the graph API replaces),
 * forward, backward-data and backward-filter, with one plan per op: descriptors plus, per pass, the
 * algorithms cuDNN's heuristics rank usable (cudnnGet*Algorithm_v7: status success, within the
 * workspace limit and, in strict FP32 mode, FMA math), the first of which runs unless it fails at its
 * first execution (then the next: {@link Plan.Algorithms}), and a workspace from the shared one.
 *
 * <p>cuDNN pads symmetrically. TF "same" padding that is not symmetric is still done by cuDNN when
 * padding by (top, left) on both sides gives the same output size (the extra cells are zeros either
 * way); otherwise the input is zero-padded explicitly into a pooled buffer first ({@code
 * c4j_pad2d_f32}) and backward-data crops ({@code c4j_crop2d_f32}). Bias and the fused relu are one
 * pass of {@code c4j_bias_act_f32} over y; the bias gradient is {@code c4j_bias_grad_f32}.
 *
 * <p>Mixed precision (BF16 or FP16 activations, NHWC): a plan per (op, type) with NHWC tensor and
 * KRSC filter descriptors in that type, convolutions computing in FP32 with tensor-op math. The FP32
 * KCRS master weights are converted to a KRSC filter of the activations' type before each pass that
 * reads them ({@code c4j_convert_f32_<type>}); backward-filter writes dW in that type (cuDNN's filter
 * descriptor sets it) and {@code c4j_convert_<type>_f32} turns it into the FP32 KCRS gradient; bias,
 * padding and cropping are the {@code _nhwc_<type>} kernels.
 */
final class ConvOps implements AutoCloseable {
    /** Largest workspace an algorithm may ask for; {@code -Dconvnet4j.cuda.workspaceMiB}, default 1024. */
    private static final long WORKSPACE_LIMIT = Long.getLong("convnet4j.cuda.workspaceMiB", 1024) << 20;

    private final CudaContext ctx;
    private final Kernels kernels;
    private final Plans<Key, Plan> plans = new Plans<>(Plan::new);

    /** A plan per op and activation type: FP32 NCHW, or BF16/FP16 NHWC with KRSC filters. */
    private record Key(Conv2dOp op, DType type) {
    }

    ConvOps(CudaContext ctx, Kernels kernels) {
        this.ctx = ctx;
        this.kernels = kernels;
    }

    void forward(Conv2dOp op, Tensor x, Tensor w, Tensor bias, Tensor y, boolean relu) {
        op.checkForward(x, w, bias, y);
        Plan p = plan(op, x.dtype());
        try (Block padded = p.pad(x); Block filter = p.filter(w)) {
            long in = padded == null ? x.address() : padded.address();
            long wt = filter == null ? w.address() : filter.address();
            p.forward.run((algo, bytes) -> cudnn.cudnnConvolutionForward(ctx.cudnn(), ctx.one(), p.x,
                    new DevicePointer(in), p.w, new DevicePointer(wt), p.fwd, algo, ctx.workspace(bytes), bytes, ctx.zero(),
                    p.y, DevicePointer.of(y)));
        }
        if (op.bias() || relu) {
            Shape s = op.outputShape();
            if (p.half()) {
                kernels.elementwise(Formats.kernel("c4j_bias_act_nhwc", p.type), s.size()).ptr(y).ptr(bias)
                        .i64(s.size()).i32(op.filters()).i32(relu ? 1 : 0).go(op);
            } else {
                kernels.elementwise("c4j_bias_act_f32", s.size()).ptr(y).ptr(bias).i64(s.size()).i32(op.filters())
                        .i64(s.dim(2) * s.dim(3)).i32(relu ? 1 : 0).go(op);
            }
        }
    }

    void backwardData(Conv2dOp op, Tensor dy, Tensor w, Tensor dx) {
        op.checkBackwardData(dy, w, dx);
        Plan p = plan(op, dy.dtype());
        try (Block padded = p.padded == null ? null : ctx.pool().allocate((long) p.type.bytes() * p.padded.size());
             Block filter = p.filter(w)) {
            long out = padded == null ? dx.address() : padded.address();
            long wt = filter == null ? w.address() : filter.address();
            p.backwardData.run((algo, bytes) -> cudnn.cudnnConvolutionBackwardData(ctx.cudnn(), ctx.one(), p.w,
                    new DevicePointer(wt), p.y, DevicePointer.of(dy), p.bwdData, algo, ctx.workspace(bytes), bytes,
                    ctx.zero(), p.x, new DevicePointer(out)));
            if (padded != null) {
                Shape in = op.input();
                if (p.half()) {
                    kernels.elementwise(Formats.kernel("c4j_crop2d_nhwc", p.type), in.size()).ptr(out).ptr(dx)
                            .i32(in.intDim(0)).i32(in.intDim(2)).i32(in.intDim(3)).i32(in.intDim(1)).i32(p.pads.top())
                            .i32(p.pads.left()).i32(p.padded.intDim(2)).i32(p.padded.intDim(3)).go(op);
                } else {
                    kernels.elementwise("c4j_crop2d_f32", in.size()).ptr(out).ptr(dx).i32(p.nc()).i32(in.intDim(2))
                            .i32(in.intDim(3)).i32(p.pads.top()).i32(p.pads.left()).i32(p.padded.intDim(2))
                            .i32(p.padded.intDim(3)).go(op);
                }
            }
        }
    }

    void backwardFilter(Conv2dOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        op.checkBackwardFilter(x, dy, dw, dbias);
        Plan p = plan(op, x.dtype());
        Shape ws = op.weightShape();
        // cuDNN writes dW in the filter descriptor's type: KRSC in BF16/FP16, then converted to FP32 KCRS
        try (Block padded = p.pad(x); Block dwHalf = p.half() ? ctx.pool().allocate((long) p.type.bytes() * ws.size()) : null) {
            long in = padded == null ? x.address() : padded.address();
            long out = dwHalf == null ? dw.address() : dwHalf.address();
            p.backwardFilter.run((algo, bytes) -> cudnn.cudnnConvolutionBackwardFilter(ctx.cudnn(), ctx.one(), p.x,
                    new DevicePointer(in), p.y, DevicePointer.of(dy), p.bwdFilter, algo, ctx.workspace(bytes), bytes,
                    ctx.zero(), p.w, new DevicePointer(out)));
            if (dwHalf != null) {
                kernels.elementwise(Formats.convertKernel(p.type, DType.FP32), ws.size()).ptr(out).ptr(dw)
                        .i64(ws.dim(0)).i32(ws.intDim(1)).i64(ws.dim(2) * ws.dim(3)).i32(2).go(op);
            }
        }
        if (dbias != null) {
            Shape s = op.outputShape();
            if (p.half()) {
                kernels.launch(Formats.kernel("c4j_bias_grad_nhwc", p.type), op.filters(), Kernels.THREADS).ptr(dy)
                        .ptr(dbias).i64(s.dim(0) * s.dim(2) * s.dim(3)).i32(op.filters()).go(op);
            } else {
                kernels.launch("c4j_bias_grad_f32", op.filters(), Kernels.THREADS).ptr(dy).ptr(dbias).i32(s.intDim(0))
                        .i32(op.filters()).i64(s.dim(2) * s.dim(3)).go(op);
            }
        }
    }

    private Plan plan(Conv2dOp op, DType type) {
        return plans.get(new Key(op, type));
    }

    @Override
    public void close() {
        plans.close();
    }

    /** Descriptors, algorithms and workspace sizes of one convolution, built on first use. */
    private final class Plan extends Plans.Plan {
        final Conv2dOp op;
        /** The activations' type: FP32 (NCHW), or BF16/FP16 (NHWC, KRSC filters in the same type). */
        final DType type;
        final Pads pads;
        /** The explicitly padded input's shape, or null when cuDNN's own padding is exact. */
        final Shape padded;
        final cudnnTensorStruct x;
        final cudnnTensorStruct y;
        final cudnnFilterStruct w;
        final cudnnConvolutionStruct fwd;
        final cudnnConvolutionStruct bwdData;
        final cudnnConvolutionStruct bwdFilter;
        final Algorithms forward;
        final Algorithms backwardData;
        final Algorithms backwardFilter;

        Plan(Key key) {
            super(key.op());
            this.op = key.op();
            this.type = key.type();
            Layout layout = Formats.layoutOf(type);
            this.pads = op.pads();
            Shape in = op.input();
            Shape out = op.outputShape();
            boolean exact = outputLength(in.dim(2), op.kernel().h(), op.stride().h(), pads.top()) == out.dim(2)
                    && outputLength(in.dim(3), op.kernel().w(), op.stride().w(), pads.left()) == out.dim(3);
            this.padded = exact ? null : Shape.nchw(in.dim(0), in.dim(1), in.dim(2) + pads.top() + pads.bottom(),
                    in.dim(3) + pads.left() + pads.right());
            int padH = exact ? pads.top() : 0;
            int padW = exact ? pads.left() : 0;
            x = descriptors.tensor(exact ? in : padded, type, layout);
            y = descriptors.tensor(out, type, layout);
            w = descriptors.filter(op.weightShape(), type, layout);
            boolean tensorOps = ctx.tf32() || half();
            fwd = descriptors.convolution(padH, padW, op.stride().h(), op.stride().w(), tensorOps);
            bwdData = descriptors.convolution(padH, padW, op.stride().h(), op.stride().w(), tensorOps);
            bwdFilter = descriptors.convolution(padH, padW, op.stride().h(), op.stride().w(), tensorOps);
            forward = chooseForward();
            backwardData = chooseBackwardData();
            backwardFilter = chooseBackwardFilter();
        }

        /** Whether the activations are BF16/FP16 NHWC. */
        boolean half() {
            return Formats.half(type);
        }

        /**
         * The FP32 KCRS master weights as a KRSC filter in the activations' type (the caller closes it),
         * converted on every call since the optimizer changes them between calls; null for FP32, where
         * cuDNN reads the weights as they are.
         */
        Block filter(Tensor weights) {
            if (!half()) {
                return null;
            }
            Shape ws = op.weightShape();
            Block b = ctx.pool().allocate((long) type.bytes() * ws.size());
            kernels.elementwise(Formats.convertKernel(DType.FP32, type), ws.size()).ptr(weights).ptr(b.address())
                    .i64(ws.dim(0)).i32(ws.intDim(1)).i64(ws.dim(2) * ws.dim(3)).i32(1).go(op);
            return b;
        }

        int nc() {
            return Math.toIntExact(op.input().dim(0) * op.input().dim(1));
        }

        /** The zero-padded copy of x when this plan needs one (the caller closes it), else null. */
        Block pad(Tensor in) {
            if (padded == null) {
                return null;
            }
            Block b = ctx.pool().allocate((long) type.bytes() * padded.size());
            Shape s = op.input();
            if (half()) {
                kernels.elementwise(Formats.kernel("c4j_pad2d_nhwc", type), padded.size()).ptr(in).ptr(b.address())
                        .i32(s.intDim(0)).i32(s.intDim(2)).i32(s.intDim(3)).i32(s.intDim(1)).i32(pads.top())
                        .i32(pads.left()).i32(padded.intDim(2)).i32(padded.intDim(3)).go(op);
                return b;
            }
            kernels.elementwise("c4j_pad2d_f32", padded.size()).ptr(in).ptr(b.address()).i32(nc()).i32(s.intDim(2))
                    .i32(s.intDim(3)).i32(pads.top()).i32(pads.left()).i32(padded.intDim(2)).i32(padded.intDim(3)).go(op);
            return b;
        }

        private Algorithms chooseForward() {
            int n = cudnn.CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
            Algorithms a = new Algorithms("cudnnConvolutionForward", "forward", fwd);
            try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(n); IntPointer got = new IntPointer(1)) {
                CudaStatus.cudnn(cudnn.cudnnGetConvolutionForwardAlgorithm_v7(ctx.cudnn(), x, w, fwd, y, n, got, perf),
                        "cudnnGetConvolutionForwardAlgorithm_v7", op);
                for (int i = 0; i < got.get(); i++) {
                    cudnnConvolutionFwdAlgoPerf_t p = perf.getPointer(i);
                    a.offer(p.algo(), p.status(), p.memory(), p.mathType());
                }
            }
            return a.start();
        }

        private Algorithms chooseBackwardData() {
            int n = cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT;
            Algorithms a = new Algorithms("cudnnConvolutionBackwardData", "backward-data", bwdData);
            try (cudnnConvolutionBwdDataAlgoPerf_t perf = new cudnnConvolutionBwdDataAlgoPerf_t(n); IntPointer got = new IntPointer(1)) {
                CudaStatus.cudnn(cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(ctx.cudnn(), w, y, bwdData, x, n, got, perf),
                        "cudnnGetConvolutionBackwardDataAlgorithm_v7", op);
                for (int i = 0; i < got.get(); i++) {
                    cudnnConvolutionBwdDataAlgoPerf_t p = perf.getPointer(i);
                    a.offer(p.algo(), p.status(), p.memory(), p.mathType());
                }
            }
            return a.start();
        }

        private Algorithms chooseBackwardFilter() {
            int n = cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
            Algorithms a = new Algorithms("cudnnConvolutionBackwardFilter", "backward-filter", bwdFilter);
            try (cudnnConvolutionBwdFilterAlgoPerf_t perf = new cudnnConvolutionBwdFilterAlgoPerf_t(n); IntPointer got = new IntPointer(1)) {
                CudaStatus.cudnn(cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(ctx.cudnn(), x, y, bwdFilter, w, n, got, perf),
                        "cudnnGetConvolutionBackwardFilterAlgorithm_v7", op);
                for (int i = 0; i < got.get(); i++) {
                    cudnnConvolutionBwdFilterAlgoPerf_t p = perf.getPointer(i);
                    a.offer(p.algo(), p.status(), p.memory(), p.mathType());
                }
            }
            return a.start();
        }

        /**
         * One pass's usable algorithms in the heuristics' order (status success, workspace within the
         * limit, FMA math in strict FP32) and the one in use. The heuristics only predict: when the
         * chosen algorithm fails at its first execution with a status another algorithm may not have
         * (not supported, bad parameter, execution failed), the next usable one is tried, and so on.
         * Once one has run, it stays, and any later failure is an error.
         */
        final class Algorithms {
            private final String call;
            private final String pass;
            private final cudnnConvolutionStruct desc;
            private final List<long[]> usable = new ArrayList<>(); // {algo, workspace bytes, math type}
            private int current;
            private boolean proven;

            Algorithms(String call, String pass, cudnnConvolutionStruct desc) {
                this.call = call;
                this.pass = pass;
                this.desc = desc;
            }

            void offer(int algo, int status, long memory, int mathType) {
                if (status == cudnn.CUDNN_STATUS_SUCCESS && memory <= WORKSPACE_LIMIT
                        && (ctx.tf32() || half() || mathType == cudnn.CUDNN_FMA_MATH)) {
                    usable.add(new long[] {algo, memory, mathType});
                }
            }

            Algorithms start() {
                if (usable.isEmpty()) {
                    throw new IllegalStateException("cuDNN offers no " + pass + " convolution algorithm for " + op
                            + " within a " + (WORKSPACE_LIMIT >> 20) + " MiB workspace"
                            + (ctx.tf32() || half() ? "" : " in strict FP32 (FMA) math") + " for " + type + " activations");
                }
                setMath(desc, (int) usable.get(0)[2]);
                return this;
            }

            void run(Execution execution) {
                while (true) {
                    long[] a = usable.get(current);
                    int status = execution.run((int) a[0], a[1]);
                    if (status == cudnn.CUDNN_STATUS_SUCCESS) {
                        proven = true;
                        return;
                    }
                    if (proven || !retryable(status) || current + 1 == usable.size()) {
                        CudaStatus.cudnn(status, call + " (algorithm " + a[0] + ", " + (current + 1) + " of "
                                + usable.size() + " usable tried)", op);
                    }
                    current++;
                    setMath(desc, (int) usable.get(current)[2]);
                }
            }
        }

        private void setMath(cudnnConvolutionStruct d, int mathType) {
            CudaStatus.cudnn(cudnn.cudnnSetConvolutionMathType(d, mathType), "cudnnSetConvolutionMathType", op);
        }
    }

    /** One execution of a convolution pass with the given algorithm and workspace size; its cuDNN status. */
    @FunctionalInterface
    interface Execution {
        int run(int algorithm, long workspaceBytes);
    }

    /**
     * Statuses with which a different algorithm may still succeed: cuDNN 9's not-supported, bad-parameter
     * and execution-failed categories (category times 1000, plus a sub-code such as 3003 for
     * CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH).
     */
    static boolean retryable(int status) {
        int category = status / 1000 * 1000;
        return category == cudnn.CUDNN_STATUS_NOT_SUPPORTED || category == cudnn.CUDNN_STATUS_BAD_PARAM
                || category == cudnn.CUDNN_STATUS_EXECUTION_FAILED;
    }

    /** cuDNN's output length for symmetric padding p: 1 + floor((in + 2p - k) / s). */
    private static long outputLength(long in, int k, int s, int p) {
        long span = in + 2L * p - k;
        return span < 0 ? 0 : 1 + span / s;
    }
}
