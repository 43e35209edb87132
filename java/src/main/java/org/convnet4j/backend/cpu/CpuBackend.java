package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.List;

import org.bytedeco.javacpp.Pointer;
import org.convnet4j.backend.Backend;
import org.convnet4j.backend.FrozenConv;
import org.convnet4j.backend.FrozenDense;
import org.convnet4j.backend.Int8Range;
import org.convnet4j.graph.Precision;
import org.convnet4j.memory.HostMemoryPool;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.ops.Adam;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Checks;
import org.convnet4j.ops.Concat;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.ops.DropoutOp;
import org.convnet4j.ops.GlobalAvgPool;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.ops.SoftmaxCrossEntropy;
import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * The CPU backend: oneDNN primitives (convolution, pooling, batch norm, eltwise, matmul, binary,
 * concat, reorder, reduction), each built once per shape and cached, plus our native kernels for the
 * loss, dropout, optimizers and relu masks. oneDNN's OpenMP runtime uses every core.
 *
 * <p>Calls are synchronous. Safe to share between threads: every op (and every frozen convolution
 * it made) holds the backend while it runs, because the ops share cached primitives, their memory
 * objects and one oneDNN stream. Ops of different threads take turns; each runs with all the
 * backend's OpenMP threads. An {@code Executor} or {@code Trainer} on top is still one caller's.
 */
public final class CpuBackend implements Backend {
    private final HostMemoryPool pool = new HostMemoryPool();
    private final Dnnl dnnl = new Dnnl();
    private final PrimitiveCache cache = new PrimitiveCache();
    private final ConvOps conv = new ConvOps(dnnl, cache, pool);
    private final PoolOps pooling = new PoolOps(dnnl, cache, pool);
    private final ElementwiseOps elementwise = new ElementwiseOps(dnnl, cache);
    private final BatchNormOps batchNorm = new BatchNormOps(dnnl, cache, pool, elementwise);
    private final DenseOps dense = new DenseOps(dnnl, cache, pool);
    private final ConcatOps concat = new ConcatOps(dnnl, cache);
    private final ZeroPadOps zeroPad = new ZeroPadOps(dnnl, cache);
    private final SoftmaxCrossEntropyOps loss = new SoftmaxCrossEntropyOps();
    private final DropoutOps dropout = new DropoutOps();
    private final OptimizerOps optimizers = new OptimizerOps();
    private final PrimitiveCache.Table<Conversion, Primitive> converts =
            cache.table(c -> Reorders.convert(dnnl, "convert(" + c.shape() + ", " + c.from() + " -> " + c.to() + ")",
                    c.shape().dims(), c.from(), c.to()));
    private boolean closed;

    /** A backend on this machine's CPU; loads oneDNN and our kernels on first use. */
    public CpuBackend() {
        CpuKernels.ensureLoaded();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public MemoryPool pool() {
        return pool;
    }

    // ---- Tensors and host transfers

    @Override
    public synchronized void upload(float[] src, Tensor dst) {
        refuseFp16("upload", dst);
        if (dst != null && dst.isLive() && !Format.of(dst).equals(Format.PLAIN) && dst.dtype() != DType.INT32) {
            // FP32 NCHW host data into an activation kept in another format (BF16 rounds to nearest even).
            try (Tensor plain = allocate(dst.shape())) {
                upload(src, plain);
                convert(plain, dst);
            }
            return;
        }
        Checks.transfer("upload", src == null ? -1 : src.length, dst, DType.FP32);
        Address.floats(dst.address(), src.length).put(src);
    }

    @Override
    public synchronized void upload(int[] src, Tensor dst) {
        Checks.transfer("upload", src == null ? -1 : src.length, dst, DType.INT32);
        Address.ints(dst.address(), src.length).put(src);
    }

    @Override
    public synchronized void download(Tensor src, float[] dst) {
        refuseFp16("download", src);
        if (src != null && src.isLive() && !Format.of(src).equals(Format.PLAIN) && src.dtype() != DType.INT32) {
            // An activation kept in another format (BF16, NHWC) reads back as FP32 in NCHW order.
            try (Tensor plain = allocate(src.shape())) {
                convert(src, plain);
                download(plain, dst);
            }
            return;
        }
        Checks.transfer("download", dst == null ? -1 : dst.length, src, DType.FP32);
        Address.floats(src.address(), dst.length).get(dst);
    }

    @Override
    public synchronized void fill(Tensor t, float value) {
        refuseFp16("fill", t);
        if (t == null) {
            throw new IllegalArgumentException("fill: tensor is null");
        }
        Checks.anyLayout("fill", "t", t, t.shape(), t.dtype());
        Formats.fill(t, value);
    }

    @Override
    public synchronized void copy(Tensor src, Tensor dst) {
        refuseFp16("copy", src, dst);
        if (src == null) {
            throw new IllegalArgumentException("copy: src is null");
        }
        Checks.anyLayout("copy", "src", src, src.shape(), src.dtype());
        Checks.anyLayout("copy", "dst", dst, src.shape(), src.dtype());
        Formats.same("copy", src, dst);
        Pointer.memcpy(new Address(dst.address()), new Address(src.address()), src.bytes());
    }

    @Override
    public synchronized void convert(Tensor src, Tensor dst) {
        refuseFp16("convert", src, dst);
        if (src == null) {
            throw new IllegalArgumentException("convert: src is null");
        }
        Checks.activation("convert", "src", src, src.shape());
        Checks.activation("convert", "dst", dst, src.shape());
        Format from = Format.of(src);
        Format to = Format.of(dst);
        if (from.equals(to)) {
            Pointer.memcpy(new Address(dst.address()), new Address(src.address()), src.bytes());
            return;
        }
        dnnl.reorders.increment();
        if (src.shape().rank() == 4 && from.equals(Format.PLAIN) && to.layout() == Layout.NHWC
                && to.dtype() != DType.FP16) {
            long[] d = src.shape().dims();
            CpuKernels.nchwToNhwc(src.address(), dst.address(), d[0], d[1], d[2] * d[3], to.dtype() == DType.BF16);
            return;
        }
        if (src.shape().rank() == 4 && to.equals(Format.PLAIN) && from.layout() == Layout.NHWC
                && from.dtype() != DType.FP16) {
            long[] d = src.shape().dims();
            CpuKernels.nhwcToNchw(src.address(), dst.address(), d[0], d[1], d[2] * d[3], from.dtype() == DType.BF16);
            return;
        }
        converts.get(new Conversion(src.shape(), from, to)).execute(src.address(), dst.address());
    }

    /** Reorders between formats, by shape and the two formats. */
    private record Conversion(Shape shape, Format from, Format to) {
    }

    @Override
    public synchronized void synchronize() {
        dnnl.await("synchronize");
    }

    // ---- Convolution

    @Override
    public synchronized void conv2dForward(Conv2dOp op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        refuseFp16("conv2dForward", x, w, bias, y);
        conv.forward(op, x, w, bias, y, false);
    }

    @Override
    public synchronized void conv2dBackwardData(Conv2dOp op, Tensor dy, Tensor w, Tensor dx) {
        refuseFp16("conv2dBackwardData", dy, w, dx);
        conv.backwardData(op, dy, w, dx);
    }

    @Override
    public synchronized void conv2dBackwardFilter(Conv2dOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        refuseFp16("conv2dBackwardFilter", x, dy, dw, dbias);
        conv.backwardFilter(op, x, dy, dw, dbias);
    }

    @Override
    public synchronized void conv2dBiasReluForward(Conv2dOp op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        refuseFp16("conv2dBiasReluForward", x, w, bias, y);
        conv.forward(op, x, w, bias, y, true);
    }

    @Override
    public synchronized FrozenConv freezeConv(Conv2dOp op, Tensor w, Tensor bias, boolean residual, boolean relu) {
        return new FrozenConvOps(this, dnnl, pool, op, w, bias, residual, relu, Precision.FP32);
    }

    @Override
    public synchronized FrozenConv freezeConv(Conv2dOp op, Tensor w, Tensor bias, boolean residual, boolean relu,
                                              Precision precision) {
        checkPrecision(precision);
        return new FrozenConvOps(this, dnnl, pool, op, w, bias, residual, relu, precision);
    }

    /**
     * Frozen in int8 as {@link FrozenConvInt8} describes (oneDNN's VNNI or AMX int8 kernels where the
     * CPU has them, its AVX-512/AVX2 int8 kernels otherwise).
     */
    @Override
    public synchronized FrozenConv freezeConvInt8(Conv2dOp op, Tensor w, Tensor bias, boolean residual, boolean relu,
                                                  Int8Range input) {
        return new FrozenConvInt8(this, dnnl, pool, op, w, bias, residual, relu, input);
    }

    /**
     * Frozen as {@link FrozenDenseOps} describes: the weights packed once for oneDNN's matmul, in FP32
     * or (where this CPU has native bf16) BF16.
     */
    @Override
    public synchronized FrozenDense freezeDense(DenseOp op, Tensor w, Tensor bias, boolean relu, DType weights) {
        if (weights == DType.BF16) {
            checkPrecision(Precision.BF16);
        }
        return new FrozenDenseOps(this, dnnl, pool, op, w, bias, relu, weights);
    }

    /** Frozen in int8 as {@link FrozenDenseInt8} describes. */
    @Override
    public synchronized FrozenDense freezeDenseInt8(DenseOp op, Tensor w, Tensor bias, boolean relu, Int8Range input) {
        return new FrozenDenseInt8(this, dnnl, pool, op, w, bias, relu, input);
    }

    // ---- Pooling

    @Override
    public synchronized void pool2dForward(Pool2d op, Tensor x, Tensor y) {
        refuseFp16("pool2dForward", x, y);
        pooling.forward(op, x, y);
    }

    @Override
    public synchronized void pool2dBackward(Pool2d op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        refuseFp16("pool2dBackward", x, y, dy, dx);
        pooling.backward(op, x, y, dy, dx);
    }

    @Override
    public synchronized void globalAvgPoolForward(GlobalAvgPool op, Tensor x, Tensor y) {
        refuseFp16("globalAvgPoolForward", x, y);
        pooling.globalForward(op, x, y);
    }

    @Override
    public synchronized void globalAvgPoolBackward(GlobalAvgPool op, Tensor dy, Tensor dx) {
        refuseFp16("globalAvgPoolBackward", dy, dx);
        pooling.globalBackward(op, dy, dx);
    }

    // ---- Batch normalization

    @Override
    public synchronized void batchNormForwardTraining(BatchNorm op, Tensor x, BatchNormParams p, Tensor y, Tensor saved) {
        refuseFp16("batchNormForwardTraining", x, y, saved);
        batchNorm.forwardTraining(op, BatchNormOps.Fusion.NONE, x, null, p, y, saved);
    }

    @Override
    public synchronized void batchNormForwardInference(BatchNorm op, Tensor x, BatchNormParams p, Tensor y) {
        refuseFp16("batchNormForwardInference", x, y);
        batchNorm.forwardInference(op, BatchNormOps.Fusion.NONE, x, null, p, y);
    }

    @Override
    public synchronized void batchNormBackward(BatchNorm op, Tensor x, Tensor dy, BatchNormParams p, Tensor saved,
                                  Tensor dx, Tensor dgamma, Tensor dbeta) {
        refuseFp16("batchNormBackward", x, dy, saved, dx, dgamma, dbeta);
        batchNorm.backward(op, x, dy, p, saved, dx, dgamma, dbeta);
    }

    @Override
    public synchronized void batchNormReluForwardTraining(BatchNorm op, Tensor x, BatchNormParams p, Tensor y, Tensor saved) {
        refuseFp16("batchNormReluForwardTraining", x, y, saved);
        batchNorm.forwardTraining(op, BatchNormOps.Fusion.RELU, x, null, p, y, saved);
    }

    @Override
    public synchronized void batchNormReluForwardInference(BatchNorm op, Tensor x, BatchNormParams p, Tensor y) {
        refuseFp16("batchNormReluForwardInference", x, y);
        batchNorm.forwardInference(op, BatchNormOps.Fusion.RELU, x, null, p, y);
    }

    @Override
    public synchronized void batchNormReluBackward(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                                      Tensor dx, Tensor dgamma, Tensor dbeta) {
        refuseFp16("batchNormReluBackward", x, y, dy, saved, dx, dgamma, dbeta);
        batchNorm.backwardRelu(op, x, y, dy, p, saved, dx, dgamma, dbeta);
    }

    @Override
    public synchronized void batchNormAddReluForwardTraining(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p,
                                                Tensor y, Tensor saved) {
        refuseFp16("batchNormAddReluForwardTraining", x, residual, y, saved);
        batchNorm.forwardTraining(op, BatchNormOps.Fusion.ADD_RELU, x, residual, p, y, saved);
    }

    @Override
    public synchronized void batchNormAddReluForwardInference(BatchNorm op, Tensor x, Tensor residual, BatchNormParams p, Tensor y) {
        refuseFp16("batchNormAddReluForwardInference", x, residual, y);
        batchNorm.forwardInference(op, BatchNormOps.Fusion.ADD_RELU, x, residual, p, y);
    }

    @Override
    public synchronized void batchNormAddReluBackward(BatchNorm op, Tensor x, Tensor y, Tensor dy, BatchNormParams p, Tensor saved,
                                         Tensor dx, Tensor dresidual, Tensor dgamma, Tensor dbeta) {
        refuseFp16("batchNormAddReluBackward", x, y, dy, saved, dx, dresidual, dgamma, dbeta);
        batchNorm.backwardAddRelu(op, x, y, dy, p, saved, dx, dresidual, dgamma, dbeta);
    }

    // ---- Activations, loss, dense, elementwise

    @Override
    public synchronized void reluForward(Tensor x, Tensor y) {
        refuseFp16("reluForward", x, y);
        elementwise.reluForward(x, y);
    }

    @Override
    public synchronized void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        refuseFp16("reluBackward", y, dy, dx);
        elementwise.reluBackward(y, dy, dx);
    }

    @Override
    public synchronized float softmaxCrossEntropy(SoftmaxCrossEntropy op, Tensor logits, Tensor labels, float weight,
                                     Tensor probs, Tensor dlogits) {
        return loss.run(op, logits, labels, weight, probs, dlogits);
    }

    @Override
    public synchronized void denseForward(DenseOp op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        dense.forward(op, x, w, bias, y);
    }

    @Override
    public synchronized void denseBackwardData(DenseOp op, Tensor dy, Tensor w, Tensor dx) {
        dense.backwardData(op, dy, w, dx);
    }

    @Override
    public synchronized void denseBackwardWeights(DenseOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        dense.backwardWeights(op, x, dy, dw, dbias);
    }

    @Override
    public synchronized void add(Tensor a, Tensor b, Tensor y) {
        refuseFp16("add", a, b, y);
        elementwise.add(a, b, y);
    }

    @Override
    public synchronized void accumulate(Tensor src, Tensor dst) {
        refuseFp16("accumulate", src, dst);
        elementwise.accumulate(src, dst);
    }

    // ---- Concat, padding, dropout, optimizers

    @Override
    public synchronized void concatForward(Concat op, List<Tensor> xs, Tensor y) {
        refuseFp16("concatForward", xs, y);
        concat.forward(op, xs, y);
    }

    @Override
    public synchronized void concatBackward(Concat op, Tensor dy, List<Tensor> dxs) {
        refuseFp16("concatBackward", dy, dxs);
        concat.backward(op, dy, dxs);
    }

    @Override
    public synchronized void zeroPad2dForward(ZeroPad2d op, Tensor x, Tensor y) {
        refuseFp16("zeroPad2dForward", x, y);
        zeroPad.forward(op, x, y);
    }

    @Override
    public synchronized void zeroPad2dBackward(ZeroPad2d op, Tensor dy, Tensor dx) {
        refuseFp16("zeroPad2dBackward", dy, dx);
        zeroPad.backward(op, dy, dx);
    }

    @Override
    public synchronized void dropoutForward(DropoutOp op, long step, Tensor x, Tensor y) {
        refuseFp16("dropoutForward", x, y);
        dropout.forward(op, step, x, y);
    }

    @Override
    public synchronized void dropoutBackward(DropoutOp op, long step, Tensor dy, Tensor dx) {
        refuseFp16("dropoutBackward", dy, dx);
        dropout.backward(op, step, dy, dx);
    }

    @Override
    public synchronized void adamUpdate(Adam op, long step, Tensor param, Tensor grad, Tensor m, Tensor v) {
        optimizers.adam(op, step, param, grad, m, v);
    }

    @Override
    public synchronized void sgdMomentumUpdate(SgdMomentum op, Tensor param, Tensor grad, Tensor velocity) {
        optimizers.sgdMomentum(op, param, grad, velocity);
    }

    /**
     * Channels-last for every precision: oneDNN's brgemm convolutions, pooling and binary kernels read
     * and write NHWC natively (FP32 and BF16), and so do our batch-norm loops, so activations cross the
     * graph without a reorder (docs/BENCHMARKS.md, persistent layouts, has the measurement).
     */
    @Override
    public Layout activationLayout(Precision precision) {
        return Layout.NHWC;
    }

    /**
     * This backend has no FP16 (IEEE half) kernels, and its loops tell BF16 from FP32 only: an FP16
     * tensor is refused before any native call would read it as another type.
     */
    private static void refuseFp16(String op, Object... args) {
        for (Object a : args) {
            if (a instanceof Tensor t && t.dtype() == DType.FP16) {
                throw new IllegalArgumentException(op + ": the cpu backend computes no FP16 (IEEE half) tensors; use BF16"
                        + " or FP32 (fp16 runs on CUDA). Received " + t);
            }
            if (a instanceof List<?> list) {
                refuseFp16(op, list.toArray());
            }
        }
    }

    /** bf16 needs a CPU with native bfloat16 arithmetic (AVX512_BF16, or AMX), as oneDNN sees it; fp16 is refused. */
    @Override
    public void checkPrecision(Precision precision) {
        if (precision == Precision.FP16) {
            throw new UnsupportedOperationException("precision fp16: the cpu backend has no half-precision kernels"
                    + " (oneDNN here computes no native f16 convolutions, and this backend's own kernels take fp32 and"
                    + " bf16 only). Use --precision bf16 or fp32 on the CPU, or fp16 on CUDA");
        }
        if (precision == Precision.BF16 && !nativeBf16()) {
            throw new UnsupportedOperationException("precision bf16: this CPU has no native bfloat16 arithmetic "
                    + "(oneDNN's ISA here is " + isaName() + "; bf16 needs AVX512_BF16 or AMX). Use --precision fp32");
        }
    }

    /**
     * Whether oneDNN runs BF16 convolutions natively here (AVX512_BF16 or AMX, not emulated).
     *
     * @return true where this CPU has BF16 instructions
     */
    public static boolean nativeBf16() {
        int isa = dnnl_get_effective_cpu_isa();
        return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
    }

    /**
     * Whether oneDNN's int8 convolutions here multiply bytes exactly (AVX512_VNNI, AVX_VNNI or AMX);
     * without VNNI its AVX-512/AVX2 int8 kernels halve the weights' scale to avoid 16-bit saturation,
     * so int8 results carry one bit less of weight precision.
     *
     * @return true where this CPU has VNNI (or AMX)
     */
    public static boolean nativeInt8() {
        int isa = dnnl_get_effective_cpu_isa();
        return (isa & dnnl_cpu_isa_avx512_core_vnni) == dnnl_cpu_isa_avx512_core_vnni
                || (isa & dnnl_cpu_isa_avx2_vnni) == dnnl_cpu_isa_avx2_vnni;
    }

    /**
     * oneDNN's name for the instruction set it dispatches to here (what ONEDNN_VERBOSE prints, roughly).
     *
     * @return e.g. "avx512_core", or the ISA bits in hex below AVX-512
     */
    public static String isaName() {
        int isa = dnnl_get_effective_cpu_isa();
        if ((isa & dnnl_cpu_isa_avx512_core_amx) == dnnl_cpu_isa_avx512_core_amx) {
            return "avx512_core_amx";
        }
        if ((isa & dnnl_cpu_isa_avx10_1_512) == dnnl_cpu_isa_avx10_1_512) {
            return "avx10_1_512 (avx512_core_fp16)";
        }
        if ((isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16) {
            return "avx512_core_bf16";
        }
        if ((isa & dnnl_cpu_isa_avx512_core) == dnnl_cpu_isa_avx512_core) {
            return "avx512_core";
        }
        return "isa 0x" + Integer.toHexString(isa) + " (below AVX-512)";
    }

    /**
     * Format-changing reorders of activations this backend has run since it was made (see
     * {@code docs/ARCHITECTURE.md}, persistent layouts), and of weights: for tests and profiles that
     * hold the per-step count down.
     *
     * @param weights true to count reorders of weights, false for activations
     * @return the reorders of that kind since this backend was made
     */
    public long reorderCount(boolean weights) {
        return (weights ? dnnl.weightReorders : dnnl.reorders).sum();
    }

    /**
     * Type-only conversions this backend has run since it was made: FP32 features and their gradients
     * rounded to BF16 for a dense layer's matmul under the bf16 policy (four per dense layer and
     * training step: x and dy forward, backward-data and backward-weights; weights count as weight
     * reorders). Kept apart from {@link #reorderCount} because no layout changes.
     *
     * @return the conversions since this backend was made
     */
    public long conversionCount() {
        return dnnl.conversions.sum();
    }

    @Override
    public synchronized double sumOfSquares(List<Tensor> tensors) {
        return optimizers.sumOfSquares(tensors);
    }

    @Override
    public synchronized void scale(List<Tensor> tensors, float factor) {
        optimizers.scale(tensors, factor);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            batchNorm.close();
            cache.close();
            dnnl.close();
            pool.close();
        }
    }
}
