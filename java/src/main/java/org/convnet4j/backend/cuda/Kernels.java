package org.convnet4j.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.convnet4j.nativelib.NativeResources;
import org.convnet4j.tensor.Tensor;

/**
 * Our kernels ({@code native/cuda/*.cu}, shipped as {@code convnet4j_kernels.fatbin}): loaded once
 * with {@code cuModuleLoadData}, looked up by name, launched with {@code cuLaunchKernel} on the
 * backend's stream. The signatures and launch shapes are tabled in native/cuda/README.md; each
 * launch here names its kernel exactly as that table does.
 *
 * <p>Arguments are packed into one reusable native block (8 bytes a slot), so a launch allocates
 * nothing; the driver copies the values at launch time, so the block is free again on return.
 * {@code kernelParams} is a {@code void**}: an array of pointers, one per argument, each to that
 * argument's slot. It must go through the {@code PointerPointer} overload of {@code cuLaunchKernel}:
 * the {@code Pointer} overload is {@code @ByPtrPtr} and would hand the driver the address of a copy
 * of the array's address (the stub-driver tests catch that, see CudaStubTest).
 */
final class Kernels implements AutoCloseable {
    static final String FATBIN = "convnet4j_kernels.fatbin";
    static final int THREADS = 256;
    private static final int MAX_ARGS = 20; // c4j_pool2d_backward_nhwc_<type> takes 17

    private final CudaContext ctx;
    private final CUmod_st module = new CUmod_st();
    /** The fatbin image, kept alive until the module is unloaded. */
    private final BytePointer image;
    private final Map<String, CUfunc_st> functions = new HashMap<>();
    private final LongPointer values = new LongPointer(MAX_ARGS);
    /** kernelParams: slot i points at values[i]. */
    private final PointerPointer<LongPointer> slots = new PointerPointer<>(MAX_ARGS);
    private final ByteBuffer args;
    private final int maxBlocks;
    private boolean closed;

    Kernels(CudaContext ctx) {
        this.ctx = ctx;
        image = new BytePointer(NativeResources.readResource(FATBIN));
        ctx.makeCurrent();
        int status = cudart.cuModuleLoadData(module, image);
        if (status != cudart.CUDA_SUCCESS) {
            image.close();
            values.close();
            slots.close();
            CudaStatus.driver(status, "cuModuleLoadData(" + FATBIN + ")", null);
        }
        for (int i = 0; i < MAX_ARGS; i++) {
            slots.put(i, values.getPointer(i));
        }
        args = values.asByteBuffer().order(ByteOrder.nativeOrder());
        maxBlocks = 32 * ctx.multiprocessors();
    }

    /** Blocks for a grid-stride elementwise kernel over n items: enough to fill the device, no more. */
    int elementwiseBlocks(long n) {
        return (int) Math.max(1, Math.min((n + THREADS - 1) / THREADS, maxBlocks));
    }

    /** Starts a launch of {@code name} on a grid of {@code blocks} x {@code threads}. */
    Launch launch(String name, int blocks, int threads) {
        if (closed) {
            throw new IllegalStateException("CUDA backend is closed");
        }
        ctx.makeCurrent(); // the lookup below is a driver call too
        CUfunc_st f = functions.computeIfAbsent(name, n -> {
            CUfunc_st fn = new CUfunc_st();
            CudaStatus.driver(cudart.cuModuleGetFunction(fn, module, n), "cuModuleGetFunction(" + n + ")", null);
            return fn;
        });
        return new Launch(name, f, blocks, threads);
    }

    /** An elementwise (grid-stride) launch over n items. */
    Launch elementwise(String name, long n) {
        return launch(name, elementwiseBlocks(n), THREADS);
    }

    /** Argument builder; {@link #go} launches. Not thread-safe (neither is the backend). */
    final class Launch {
        private final String name;
        private final CUfunc_st function;
        private final int blocks;
        private final int threads;
        private final StringBuilder kinds = new StringBuilder(MAX_ARGS);

        private Launch(String name, CUfunc_st function, int blocks, int threads) {
            this.name = name;
            this.function = function;
            this.blocks = blocks;
            this.threads = threads;
        }

        Launch ptr(Tensor t) {
            return ptr(t == null ? 0 : t.address());
        }

        Launch ptr(long address) {
            args.putLong(8 * next('P'), address);
            return this;
        }

        Launch i64(long v) {
            args.putLong(8 * next('L'), v);
            return this;
        }

        Launch i32(int v) {
            args.putInt(8 * next('I'), v);
            return this;
        }

        Launch f32(float v) {
            args.putFloat(8 * next('F'), v);
            return this;
        }

        private int next(char kind) {
            if (kinds.length() == MAX_ARGS) {
                throw new IllegalStateException(name + ": more than " + MAX_ARGS + " kernel arguments");
            }
            kinds.append(kind);
            return kinds.length() - 1;
        }

        /** Launches; {@code op} names the op and shapes in an error. */
        void go(Object op) {
            KernelSignatures.check(name, kinds);
            ctx.makeCurrent();
            int status = cudart.cuLaunchKernel(function, blocks, 1, 1, threads, 1, 1, 0, ctx.stream(), slots,
                    (PointerPointer<?>) null);
            CudaStatus.driver(status, "cuLaunchKernel(" + name + ", " + blocks + "x" + threads + ")", op);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ctx.makeCurrent();
            cudart.cuModuleUnload(module);
            image.close();
            values.close();
            slots.close();
        }
    }
}
