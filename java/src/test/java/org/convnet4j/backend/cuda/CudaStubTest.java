package org.convnet4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.global.cudnn;
import org.convnet4j.backend.CudaException;
import org.convnet4j.backend.CudnnException;
import org.convnet4j.backend.Smoke;
import org.convnet4j.memory.MemoryLimit;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.memory.PoolOutOfMemoryException;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.Size2;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Java glue of the CUDA backend against the CUDA stub (see {@link StubDriver}), on machines with
 * no GPU: kernel arguments arrive as the kernels declare them, contexts are current where driver
 * calls run, the module outlives every launch and the stream is drained before it is unloaded,
 * cuDNN is asked for what we mean (NaN propagation, no running update, an algorithm that works),
 * library statuses become typed exceptions naming op and shapes, and close frees everything.
 * The stub computes fill, add, accumulate, bias+relu and SGEMM; everything else is checked and recorded only.
 */
@Tag("cuda-stub")
class CudaStubTest {
    private CudaBackend backend;
    /** What opening the backend called (context, handles, the module, the relu descriptor). */
    private List<String> openCalls;

    @BeforeAll
    static void loadStub() {
        String why = StubDriver.load();
        assumeTrue(why == null, () -> "SKIPPED [cuda-stub] " + why);
    }

    @BeforeEach
    void open() {
        StubDriver.reset();
        backend = new CudaBackend(0, false);
        openCalls = StubDriver.calls();
    }

    @AfterEach
    void close() {
        closeOwned();
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void launchesPassEveryArgumentKindAsTheKernelDeclaresIt() {
        try (Tensor a = backend.allocate(Shape.of(10)); Tensor b = backend.allocate(Shape.of(10));
             Tensor y = backend.allocate(Shape.of(10))) {
            backend.fill(a, 2.5f);
            backend.fill(b, -0.75f);
            backend.add(a, b, y);
            backend.accumulate(a, y);
            float[] out = new float[10];
            backend.download(y, out);
            float[] expected = new float[10];
            Arrays.fill(expected, 2.5f + -0.75f + 2.5f);
            assertArrayEquals(expected, out, "fill, add, accumulate computed by the stub from the arguments it received");

            List<String> calls = StubDriver.calls();
            List<StubDriver.Launch> launches = StubDriver.launches(calls);
            assertEquals(4, launches.size(), StubDriver.text(calls));
            assertEquals(List.of("P:" + hex(a), "L:10", "F:2.5"), launches.get(0).arguments(), StubDriver.text(calls));
            assertEquals(List.of("P:" + hex(b), "L:10", "F:-0.75"), launches.get(1).arguments());
            assertEquals(List.of("P:" + hex(a), "P:" + hex(b), "P:" + hex(y), "L:10"), launches.get(2).arguments());
            assertEquals(List.of("P:" + hex(a), "P:" + hex(y), "L:10"), launches.get(3).arguments());
            for (StubDriver.Launch l : launches) {
                assertEquals(0, l.status(), l.toString());
                assertTrue(l.stream().startsWith("s"), "launched on the backend's stream, not the default one: " + l);
            }
        }
    }

    @Test
    void intArgumentsAndGridShapesOfABiasReluConvolution() {
        Conv2dOp op = new Conv2dOp(Shape.nchw(2, 3, 6, 6), 4, Size2.of(3), Size2.of(1), Padding.SAME, true);
        try (Tensor x = backend.allocate(op.input()); Tensor w = backend.allocate(op.weightShape());
             Tensor bias = backend.allocate(Shape.of(4)); Tensor y = backend.allocate(op.outputShape())) {
            backend.conv2dBiasReluForward(op, x, w, bias, y);
            List<String> calls = StubDriver.calls();
            List<StubDriver.Launch> launches = StubDriver.launches(calls);
            StubDriver.Launch l = single(launches, "c4j_bias_act_f32", calls);
            long n = op.outputShape().size();
            assertEquals(List.of("P:" + hex(y), "P:" + hex(bias), "L:" + n, "I:4", "L:36", "I:1"), l.arguments());
            assertEquals("256,1,1", l.block());
            assertTrue(calls.stream().anyMatch(c -> c.startsWith("cudnnConvolutionForward algo=")), StubDriver.text(calls));
        }
    }

    @Test
    void everyLaunchOfTrainingAStubModelMatchesItsDeclaration() {
        Set<String> seen = StubModel.trainEvaluatePredict(backend);
        fusedBatchNorm(); // the graph trains with plain batch norm; the fused forms serve cuDNN's gaps
        List<String> calls = StubDriver.calls();
        List<String> refused = calls.stream().filter(c -> c.contains("refused")).toList();
        assertEquals(List.of(), refused, "calls the stub refused");
        Map<String, String> declared = CudaSources.declaredKernels();
        Set<String> launched = new TreeSet<>();
        for (StubDriver.Launch l : StubDriver.launches(calls)) {
            launched.add(l.kernel());
            assertEquals(0, l.status(), l.toString());
            assertEquals(declared.get(l.kernel()).length(), l.arguments().size(), l.toString());
            assertFalse(l.args().contains("!"), "a pointer argument outside device memory: " + l);
        }
        Set<String> expected = new TreeSet<>(List.of("c4j_fill_f32", "c4j_bias_act_f32", "c4j_bias_grad_f32",
                "c4j_bn_stats_f32", "c4j_bn_apply_f32", "c4j_bn_backward_reduce_f32", "c4j_bn_backward_data_f32",
                "c4j_bn_from_cudnn_f32", "c4j_bn_inv_std_f32", "c4j_copy_channels_f32", "c4j_pad2d_f32",
                "c4j_crop2d_f32", "c4j_global_avg_pool_f32", "c4j_global_avg_pool_backward_f32", "c4j_dropout_f32",
                "c4j_softmax_xent_sparse_f32", "c4j_xent_mean_f32", "c4j_adam_multi_f32", "c4j_accumulate_f32"));
        expected.removeAll(launched);
        assertEquals(Set.of(), expected, "kernels the model should have launched; it launched " + launched
                + " (layers: " + seen + ")");
    }

    @Test
    void aThreadThatDidNotCreateTheBackendCanLaunchAndLookUpKernels() throws InterruptedException {
        try (Tensor t = backend.allocate(Shape.of(5))) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    backend.fill(t, 1f); // the first launch of c4j_fill_f32 anywhere: lookup and launch here
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "not-the-creator");
            other.start();
            other.join();
            List<String> calls = StubDriver.calls();
            assertEquals(null, failure.get(), StubDriver.text(calls));
            float[] out = new float[5];
            backend.download(t, out);
            assertArrayEquals(new float[] {1, 1, 1, 1, 1}, out);
        }
    }

    @Test
    void closeDrainsTheStreamBeforeUnloadingTheModuleAndFreesEverything() {
        try (Tensor t = backend.allocate(Shape.of(1000))) {
            backend.fill(t, 3f);
            backend.conv2dForward(Conv2dOp.of(Shape.nchw(1, 2, 5, 5), 3, 3), allocated(Shape.nchw(1, 2, 5, 5)),
                    allocated(Shape.nchw(3, 2, 3, 3)), allocated(Shape.of(3)), allocated(Shape.nchw(1, 3, 3, 3)));
        }
        closeOwned();
        StubDriver.calls();
        backend.close();
        backend = null;
        List<String> calls = StubDriver.calls();
        int sync = indexOf(calls, "cudaStreamSynchronize");
        int unload = indexOf(calls, "cuModuleUnload");
        assertTrue(sync >= 0 && unload > sync, "the stream is drained before the module goes:\n" + StubDriver.text(calls));
        assertTrue(calls.get(unload).endsWith("pending=0 image=intact"), calls.get(unload));
        assertEquals("stream=0 event=0 module=0 function=0 cudnn=0 cublas=0 tensor=0 filter=0 convolution=0 "
                + "pooling=0 activation=0 deviceBytes=0 pinned=0", StubDriver.live(),
                "everything the backend created is gone:\n" + StubDriver.text(calls));
    }

    /**
     * Clipping's two passes over a list of tensors, computed by the stub from the pointer table the
     * backend uploads: each tensor's sum of squares comes back in double, the factor reaches every
     * element of every tensor; and AdamW's decay (lr * weight decay) is the multi-tensor Adam's last
     * argument.
     */
    @Test
    void clippingPassesAndTheAdamWDecayReachTheKernels() {
        Tensor a = allocated(Shape.of(3));
        Tensor b = allocated(Shape.of(2, 2));
        Tensor c = allocated(Shape.of(1));
        backend.upload(new float[] {1, 2, 3}, a);
        backend.upload(new float[] {-1, 0.5f, 0, 4}, b);
        backend.upload(new float[] {0.25f}, c);
        assertEquals(1 + 4 + 9 + 1 + 0.25 + 0 + 16 + 0.0625, backend.sumOfSquares(List.of(a, b, c)), 0);
        backend.scale(List.of(a, b, c), 0.5f);
        float[] outA = new float[3];
        float[] outB = new float[4];
        float[] outC = new float[1];
        backend.download(a, outA);
        backend.download(b, outB);
        backend.download(c, outC);
        assertArrayEquals(new float[] {0.5f, 1, 1.5f}, outA);
        assertArrayEquals(new float[] {-0.5f, 0.25f, 0, 2}, outB);
        assertArrayEquals(new float[] {0.125f}, outC);
        List<String> calls = StubDriver.calls();
        List<StubDriver.Launch> launches = StubDriver.launches(calls);
        assertEquals(List.of("I:3"), single(launches, "c4j_sum_squares_multi_f32", calls).arguments().subList(2, 3));
        assertEquals("3,1,1", single(launches, "c4j_sum_squares_multi_f32", calls).grid(), "one block per tensor");
        assertEquals(List.of("I:3", "F:0.5"), single(launches, "c4j_scale_multi_f32", calls).arguments().subList(2, 4));

        org.convnet4j.ops.Adam adamW = org.convnet4j.ops.Adam.keras().withWeightDecay(0.25f);
        backend.adamUpdateAll(adamW, 1, List.of(a, b), List.of(allocated(a.shape()), allocated(b.shape())),
                List.of(allocated(a.shape()), allocated(b.shape())), List.of(allocated(a.shape()), allocated(b.shape())));
        calls = StubDriver.calls();
        List<String> args = single(StubDriver.launches(calls), "c4j_adam_multi_f32", calls).arguments();
        assertEquals(11, args.size(), args.toString());
        assertEquals(adamW.decay(), Float.parseFloat(args.get(10).substring(2)), args.toString());
        assertEquals(2.5e-4f, adamW.decay(), 1e-12f);
    }

    @Test
    void plainBatchNormAsksCudnnForNoRunningUpdate() {
        BatchNorm op = BatchNorm.of(Shape.nchw(1, 3, 1, 1)); // N*H*W = 1: cuDNN's unbiased running variance would be NaN
        try (Tensor x = allocated(op.input()); Tensor y = allocated(op.input()); Tensor saved = allocated(op.savedShape());
             Tensor g = allocated(Shape.of(3)); Tensor b = allocated(Shape.of(3)); Tensor m = allocated(Shape.of(3));
             Tensor v = allocated(Shape.of(3))) {
            backend.batchNormForwardTraining(op, x, new BatchNormParams(g, b, m, v), y, saved);
            List<String> calls = StubDriver.calls();
            assertTrue(calls.stream().anyMatch(c -> c.startsWith("cudnnBatchNormalizationForwardTraining")
                    && c.contains("factor=0 running=null saved=set")), StubDriver.text(calls));
        }
    }

    @Test
    void cudnnReluAndPoolingPropagateNaN() {
        Pool2d pool = Pool2d.max(Shape.nchw(1, 1, 4, 4), 2);
        try (Tensor x = allocated(pool.input()); Tensor y = allocated(pool.outputShape()); Tensor r = allocated(pool.input())) {
            backend.pool2dForward(pool, x, y);
            backend.reluForward(x, r);
        }
        List<String> calls = new ArrayList<>(openCalls); // the relu descriptor is made when the backend opens
        calls.addAll(StubDriver.calls());
        List<String> nan = calls.stream().filter(c -> c.contains(" nan=")).toList();
        assertEquals(2, nan.size(), "one pooling and one activation descriptor:\n" + StubDriver.text(calls));
        for (String c : nan) {
            assertTrue(c.contains(" nan=" + cudnn.CUDNN_PROPAGATE_NAN + " "), c);
        }
    }

    @Test
    void aConvolutionAlgorithmThatFailsAtFirstUseGivesWayToTheNext() {
        int fma = cudnn.CUDNN_FMA_MATH;
        StubDriver.convAlgorithms(0, new int[] {7, 2, 1}, new int[] {0, 0, 0}, new long[] {0, 256, 0}, new int[] {fma, fma, fma});
        StubDriver.failWhen("cudnnConvolutionForward", 7, cudnn.CUDNN_STATUS_NOT_SUPPORTED, -1);
        StubDriver.failWhen("cudnnConvolutionForward", 2, cudnn.CUDNN_STATUS_EXECUTION_FAILED, -1);
        Conv2dOp op = Conv2dOp.of(Shape.nchw(2, 3, 8, 8), 4, 3);
        try (Tensor x = allocated(op.input()); Tensor w = allocated(op.weightShape()); Tensor b = allocated(Shape.of(4));
             Tensor y = allocated(op.outputShape())) {
            backend.conv2dForward(op, x, w, b, y);
            backend.conv2dForward(op, x, w, b, y);
            List<String> runs = StubDriver.calls().stream().filter(c -> c.startsWith("cudnnConvolutionForward algo=")).toList();
            assertEquals(4, runs.size(), String.join("\n", runs));
            assertTrue(runs.get(0).contains("algo=7 ") && runs.get(0).endsWith("status=3000"), runs.get(0));
            assertTrue(runs.get(1).contains("algo=2 workspace=256 ") && runs.get(1).endsWith("status=5000"), runs.get(1));
            assertTrue(runs.get(2).contains("algo=1 ") && runs.get(2).endsWith("status=0"), runs.get(2));
            assertTrue(runs.get(3).contains("algo=1 ") && runs.get(3).endsWith("status=0"), "the working one stays: " + runs.get(3));
        }
    }

    @Test
    void whenEveryAlgorithmFailsTheErrorNamesTheCallTheStatusAndTheShapes() {
        StubDriver.failWhen("cudnnConvolutionForward", -1, cudnn.CUDNN_STATUS_NOT_SUPPORTED, -1);
        Conv2dOp op = Conv2dOp.of(Shape.nchw(2, 3, 8, 8), 4, 3);
        try (Tensor x = allocated(op.input()); Tensor w = allocated(op.weightShape()); Tensor b = allocated(Shape.of(4));
             Tensor y = allocated(op.outputShape())) {
            CudnnException e = assertThrows(CudnnException.class, () -> backend.conv2dForward(op, x, w, b, y));
            assertTrue(e.getMessage().contains("cudnnConvolutionForward") && e.getMessage().contains("CUDNN_STATUS_NOT_SUPPORTED")
                    && e.getMessage().contains("2x3x8x8") && e.getMessage().contains("2 of 2"), e.getMessage());
            assertTrue(e.getMessage().contains("stub: cudnnConvolutionForward failed with algo 0"),
                    "cuDNN's own last message is part of the error: " + e.getMessage());
        }
    }

    @Test
    void aFailedLaunchAndALibraryFailureBecomeTypedExceptions() {
        try (Tensor t = allocated(Shape.of(8))) {
            StubDriver.failWhen("cuLaunchKernel", -1, 719, 1);
            CudaException launch = assertThrows(CudaException.class, () -> backend.fill(t, 1f));
            assertTrue(launch.getMessage().contains("CUDA_ERROR_LAUNCH_FAILED") && launch.getMessage().contains("c4j_fill_f32"),
                    launch.getMessage());
            backend.fill(t, 1f); // the rule was for one call
        }
        Pool2d pool = Pool2d.max(Shape.nchw(1, 2, 4, 4), 2);
        try (Tensor x = allocated(pool.input()); Tensor y = allocated(pool.outputShape())) {
            StubDriver.failWhen("cudnnPoolingForward", -1, cudnn.CUDNN_STATUS_EXECUTION_FAILED, 1);
            CudnnException e = assertThrows(CudnnException.class, () -> backend.pool2dForward(pool, x, y));
            assertTrue(e.getMessage().contains("cudnnPoolingForward") && e.getMessage().contains("CUDNN_STATUS_EXECUTION_FAILED")
                    && e.getMessage().contains("1x2x4x4"), e.getMessage());
        }
    }

    @Test
    void deviceOutOfMemoryIsAPoolErrorThatLeavesTheBackendUsable() {
        StubDriver.memoryBudget(deviceBytes() + (1 << 20));
        PoolOutOfMemoryException e = assertThrows(PoolOutOfMemoryException.class,
                () -> backend.allocate(Shape.of(1 << 20)).close());
        assertTrue(e.getMessage().contains("cudaMalloc: out of memory"), e.getMessage());
        try (Tensor small = allocated(Shape.of(16))) {
            backend.fill(small, 4f);
            float[] out = new float[16];
            backend.download(small, out);
            assertEquals(4f, out[15]);
        }
    }

    @Test
    void theMemoryLimitIsTheDevicesFreeMemory() {
        StubDriver.memoryBudget(deviceBytes() + (64 << 20));
        MemoryLimit before = backend.memoryLimit();
        assertEquals(64L << 20, before.bytes(), before.toString());
        assertTrue(before.source().contains("64.0 MiB of free memory on the GPU"), before.source());
        try (Tensor t = allocated(Shape.of(1 << 20))) {
            assertEquals((64L << 20) - MemoryPool.roundUp(4L << 20), backend.memoryLimit().bytes());
        }
    }

    @Test
    void theStubsLayoutsAreTheWrappers() {
        String layout = StubDriver.layout();
        List<String> expected = List.of(
                "algoPerf.size=" + Loader.sizeof(cudnnConvolutionFwdAlgoPerf_t.class),
                "algoPerf.memory=" + Loader.offsetof(cudnnConvolutionFwdAlgoPerf_t.class, "memory"),
                "algoPerf.mathType=" + Loader.offsetof(cudnnConvolutionFwdAlgoPerf_t.class, "mathType"),
                "deviceProp.totalGlobalMem=" + Loader.offsetof(cudaDeviceProp.class, "totalGlobalMem"),
                "deviceProp.major=" + Loader.offsetof(cudaDeviceProp.class, "major"),
                "deviceProp.minor=" + Loader.offsetof(cudaDeviceProp.class, "minor"),
                "deviceProp.multiProcessorCount=" + Loader.offsetof(cudaDeviceProp.class, "multiProcessorCount"));
        assertEquals(expected, List.of(layout.split(" ")));
        assertEquals("convnet4j CUDA stub (sm_90, 80 GiB), TF32 off (strict FP32)", backend.describe());
    }

    /**
     * A wrapper call into a function no stub library exports ends the JVM ("symbol lookup error"),
     * so every CUDA, cuBLAS and cuDNN function the backend's sources name must be in one of them.
     */
    @Test
    void everyLibraryFunctionTheBackendCallsIsInTheStub() throws Exception {
        Set<String> called = new TreeSet<>();
        java.util.regex.Pattern call = java.util.regex.Pattern.compile("\\b(?:cudart|cudnn|cublas)\\.((?:cu|cuda|cudnn|cublas)[A-Z]\\w*)\\(");
        for (java.nio.file.Path java : CudaSources.list(CudaSources.BACKEND, ".java")) {
            java.util.regex.Matcher m = call.matcher(CudaSources.read(java));
            while (m.find()) {
                called.add(m.group(1));
            }
        }
        assertTrue(called.size() > 60, "calls found: " + called);
        Set<String> exported = new TreeSet<>();
        String dir = System.getProperty(StubDriver.PROPERTY);
        for (String lib : List.of("libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcudnn_graph.so.9",
                "libcudnn_ops.so.9", "libcudnn_cnn.so.9")) {
            Process nm = new ProcessBuilder("nm", "-D", "--defined-only", dir + "/" + lib).redirectErrorStream(true).start();
            for (String line : new String(nm.getInputStream().readAllBytes()).split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3) {
                    exported.add(f[2].replaceAll("@.*", ""));
                }
            }
            assertEquals(0, nm.waitFor(), "nm -D " + lib);
        }
        called.removeAll(exported);
        assertEquals(Set.of(), called, "called by the backend but exported by no stub library (add them to native/test/cuda_stub)");
    }

    @Test
    void theProbeFindsTheStubDeviceAndAutoPicksCuda() {
        String auto = org.convnet4j.backend.Backends.explain("auto");
        assertTrue(auto.startsWith("backend cuda") && auto.contains("convnet4j CUDA stub (sm_90)")
                && auto.contains("cuDNN 9.25.0"), auto);
    }

    @Test
    void theSmokeTellsComputedFromUncomputedResults() {
        Map<String, Smoke.Result> results = new java.util.LinkedHashMap<>();
        Smoke.run(backend, r -> results.put(r.op(), r));
        assertEquals(14, results.size(), "12 ops, and on CUDA the bf16 and fp16 convolutions: " + results);
        for (String computed : List.of("fill+download", "add", "dense forward", "clip by global norm")) {
            assertTrue(results.get(computed).ok(), "the stub computes this one: " + results.get(computed));
        }
        for (Smoke.Result r : results.values()) {
            assertTrue(r.detail().startsWith("max error"), "every op ran; only values may differ: " + r);
        }
        Smoke.Result conv = results.get("conv forward");
        assertFalse(conv.ok(), "the stub computes no convolution, and the smoke must notice: " + conv);
        for (String half : List.of("conv forward bf16 NHWC", "conv forward fp16 NHWC")) {
            assertFalse(results.get(half).ok(), "nor a half-precision one: " + results.get(half));
        }
    }

    // ---- helpers

    /** Batch norm + add + relu forward and backward, and batch norm + relu forward, at a small shape. */
    private void fusedBatchNorm() {
        BatchNorm op = BatchNorm.of(Shape.nchw(2, 4, 3, 3));
        Shape c = Shape.of(4);
        BatchNormParams p = new BatchNormParams(allocated(c), allocated(c), allocated(c), allocated(c));
        Tensor x = allocated(op.input());
        Tensor residual = allocated(op.input());
        Tensor y = allocated(op.input());
        Tensor saved = allocated(op.savedShape());
        backend.batchNormAddReluForwardTraining(op, x, residual, p, y, saved);
        backend.batchNormReluForwardTraining(op, x, p, y, saved);
        backend.batchNormAddReluBackward(op, x, y, allocated(op.input()), p, saved, allocated(op.input()),
                allocated(op.input()), allocated(c), allocated(c));
    }

    private final List<Tensor> owned = new ArrayList<>();

    private Tensor allocated(Shape s) {
        Tensor t = backend.allocate(s);
        owned.add(t);
        return t;
    }

    private void closeOwned() {
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
    }

    private static long deviceBytes() {
        String live = StubDriver.live();
        int i = live.indexOf("deviceBytes=");
        return Long.parseLong(live.substring(i + 12, live.indexOf(' ', i)));
    }

    private static String hex(Tensor t) {
        return "0x" + Long.toHexString(t.address());
    }

    private static int indexOf(List<String> calls, String prefix) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static StubDriver.Launch single(List<StubDriver.Launch> launches, String kernel, List<String> calls) {
        List<StubDriver.Launch> found = launches.stream().filter(l -> l.kernel().equals(kernel)).toList();
        assertEquals(1, found.size(), kernel + " launches in:\n" + StubDriver.text(calls));
        return found.get(0);
    }
}
