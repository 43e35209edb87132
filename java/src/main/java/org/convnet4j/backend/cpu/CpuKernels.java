package org.convnet4j.backend.cpu;

import org.convnet4j.nativelib.NativeResources;

/**
 * The JNI surface of libconvnet4j.so, one method per export of native/cpu/jni.cpp: our own CPU
 * kernels for what oneDNN does not provide (optimizer steps, softmax cross-entropy, dropout,
 * running statistics, the ReLU mask). Each forwards to an OpenMP loop over the per-element math of
 * native/include/convnet4j/, the same headers the CUDA kernels compile, so the CPU and GPU
 * backends share one definition of every update.
 *
 * <p>Raw host addresses stay in this package-private class: a {@code long} argument is the address
 * of float32 memory unless it says int32, owned by the caller for the duration of the call, and
 * nothing is checked on the native side. Addresses of outputs may equal those of inputs where noted.
 */
final class CpuKernels {
    static final String LIBRARY = "libconvnet4j.so";

    static {
        NativeResources.loadLibrary(LIBRARY);
    }

    private CpuKernels() {
    }

    /**
     * Makes sure the library is loaded: the first call initializes this class, whose static block
     * loads it, so a missing or broken library fails here, in the backend's constructor, with
     * NativeResources' message, rather than at the first kernel call.
     */
    static void ensureLoaded() {
        NativeResources.loadLibrary(LIBRARY);
    }

    /** Compiler, build type and flags, OpenMP version and thread count: one line for diagnostics. */
    static native String buildInfo();

    /** One Philox4x32-10 block: {@code out4 = philox(counter4, key2)}; for known-answer tests. */
    static native void philox4x32(int[] counter4, int[] key2, int[] out4);

    /** {@code dst[i] = value} for i in [0, n). */
    static native void fill(long dst, long n, float value);

    /**
     * One Keras Adam step over n elements, after AdamW's decoupled decay: {@code param -= decay param;
     * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; param -= alpha m / (sqrt(v) + epsilon)}, with alpha
     * the bias-corrected step size of this step ({@code Adam.stepSize(t)}) and decay its
     * {@code lr * weight_decay} (0: plain Adam).
     */
    static native void adam(long param, long grad, long m, long v, long n, float alpha, float beta1, float beta2,
                            float epsilon, float decay);

    /** Keras SGD with momentum: {@code velocity = momentum velocity - lr g; param += velocity}. */
    static native void sgdMomentum(long param, long grad, long velocity, long n, float lr, float momentum);

    /**
     * The sum of {@code x[i]^2} over n elements, in double and in a fixed order whatever the thread
     * count (the same bits on every run): gradient clipping's squared norm.
     */
    static native double sumOfSquares(long x, long n);

    /** {@code x[i] *= factor} over n elements: gradient clipping's rescale. */
    static native void scale(long x, long n, float factor);

    /** The index of the first int32 label outside [0, classes), or -1 when all n are valid. */
    static native int firstBadLabel(long labels, int n, int classes);

    /**
     * Softmax of n rows of {@code classes} logits fused with cross-entropy against int32 class
     * indices ({@code sparse}) or float32 n x classes targets. Writes probs and
     * {@code dlogits = weight (softmax - onehot) / n}; either address may be 0 to skip that output,
     * or equal logits. Returns weight times the mean loss, summed in a fixed order (the same bits on
     * every run). A sparse label outside [0, classes) gives a NaN loss: check with
     * {@link #firstBadLabel} first.
     */
    static native float softmaxCrossEntropy(long logits, long labels, boolean sparse, int n, int classes, float weight,
                                            long probs, long dlogits);

    /**
     * Inverted dropout: {@code y = x * keep / (1 - rate)} with keep a pure function of (seed, step,
     * element index) (native/include/convnet4j/dropout.h), so the forward pass (x to y) and the
     * backward pass (dy to dx) call it with the same seed and step. y may equal x.
     */
    static native void dropout(long x, long y, long n, float rate, long seed, long step);

    /** Batch-norm running statistics, Keras convention: {@code moving = moving momentum + batch (1 - momentum)}. */
    static native void movingAverage(long moving, long batch, long n, float momentum);

    /** {@code y = x < 0 ? 0 : x}, a NaN staying NaN; y may equal x. */
    static native void reluForward(long x, long y, long n);

    /**
     * After a max pooling forward over nc planes of h x w into oh x ow: every output whose window holds
     * a NaN becomes NaN. Returns whether x held any NaN.
     */
    static native boolean maxPoolPropagateNaN(long x, long y, long nc, int h, int w, int oh, int ow, int kh, int kw,
                                              int sh, int sw, int padTop, int padLeft);

    /** {@code dx = y > 0 ? dy : 0} from the ReLU's forward output y; dx may equal dy. */
    static native void reluBackward(long y, long dy, long dx, long n);

    /**
     * Training batch norm over n x c x hw (NCHW): y = bn(x), relu(bn(x)), or relu(bn(x) + residual)
     * when residual is not 0; and the batch mean and biased variance per channel.
     */
    static native void batchNormForwardTraining(long x, long gamma, long beta, long residual, boolean relu, long y,
                                                long mean, long variance, long n, long c, long hw, float epsilon);

    /**
     * dx, dgamma, dbeta (overwritten) from dy and the forward's x and saved mean and variance. With y
     * not 0 (a fused forward's output) dy is masked by y > 0 first, and the masked gradient is also
     * written to dresidual when that is not 0.
     */
    static native void batchNormBackward(long x, long y, long dy, long mean, long variance, long gamma, long dx,
                                         long dresidual, long dgamma, long dbeta, long n, long c, long hw,
                                         float epsilon);

    // ---- BF16 and channels-last variants (bf16.h, batch_norm_nhwc.cpp) ------------------------------
    // A BF16 tensor is read and written as 16-bit bfloat16 and computed in float (round to nearest
    // even on store); the addresses are of BF16 memory where the name says Bf16 or the flag bf16 is set.

    static native void fillBf16(long dst, long n, float value);

    static native void reluForwardBf16(long x, long y, long n);

    static native void reluBackwardBf16(long y, long dy, long dx, long n);

    /** The same keep mask as {@link #dropout} for the same (seed, step, index), over BF16 elements. */
    static native void dropoutBf16(long x, long y, long n, float rate, long seed, long step);

    /**
     * Dropout over n x c x hw elements stored channels-last (FP32 or BF16), each element kept or
     * dropped as its NCHW index is by {@link #dropout}: the same mask whatever the layout.
     */
    static native void dropoutNhwc(long x, long y, long n, long c, long hw, float rate, long seed, long step,
                                   boolean bf16);

    /** {@link #maxPoolPropagateNaN} for n x c images stored NCHW or NHWC, FP32 or BF16. */
    static native boolean maxPoolPropagateNaNAny(long x, long y, long n, long c, int h, int w, int oh, int ow, int kh,
                                                 int kw, int sh, int sw, int padTop, int padLeft, boolean nhwc,
                                                 boolean bf16);

    /** FP32 NCHW x (n x c x hw) into NHWC y, FP32 or BF16 (rounded to nearest even). */
    static native void nchwToNhwc(long x, long y, long n, long c, long hw, boolean bf16);

    /**
     * FP32 x into 8-bit q in the same memory order: {@code q = saturate(rint(x / scale))}, u8 [0, 255]
     * when {@code unsigned}, else s8 [-128, 127]; NaN becomes the low end.
     */
    static native void quantize8(long x, long q, long n, float scale, boolean unsigned);

    /** NHWC x (FP32 or BF16) into FP32 NCHW y. */
    static native void nhwcToNchw(long x, long y, long n, long c, long hw, boolean bf16);

    /** Bytes of scratch the channels-last batch norm needs for c channels (per-thread sums). */
    static native long batchNormNhwcScratchBytes(long c);

    /** {@link #batchNormForwardTraining} over m = n*h*w rows of c channels (NHWC), FP32 or BF16 data, FP32 statistics. */
    static native void batchNormForwardTrainingNhwc(long x, long gamma, long beta, long residual, boolean relu, long y,
                                                    long mean, long variance, long m, long c, float epsilon,
                                                    boolean bf16, long scratch);

    /** {@link #batchNormBackward} over m rows of c channels (NHWC), FP32 or BF16 data, FP32 parameter gradients. */
    static native void batchNormBackwardNhwc(long x, long y, long dy, long mean, long variance, long gamma, long dx,
                                             long dresidual, long dgamma, long dbeta, long m, long c, float epsilon,
                                             boolean bf16, long scratch);
}
