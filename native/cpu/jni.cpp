// jni.cpp: the JNI exports of libconvnet4j.so and nothing else; one per native method of
// org.convnet4j.backend.cpu.CpuKernels, written by hand.
//
// Why hand-written JNI and not JavaCPP's parser: our own boundary is ten flat functions taking raw
// host addresses (jlong) and sizes, so every crossing is visible in one screen, no generated code
// sits between Java and the kernels, and nothing but these symbols is exported (the library is
// built with -fvisibility=hidden; JNIEXPORT marks these default). Each export only converts types
// and forwards to a c4j::cpu function of kernels.h; the math lives in the op files.
//
// Addresses are not checked here: they come from package-private Java code that owns the memory.
#include <jni.h>
#include <omp.h>
#include <stdlib.h>

#include "kernels.h"

namespace {

float* f32(jlong address) {
    return reinterpret_cast<float*>(address);
}

const int32_t* i32(jlong address) {
    return reinterpret_cast<const int32_t*>(address);
}

bool has_length(JNIEnv* env, jintArray a, jsize n) {
    return a != nullptr && env->GetArrayLength(a) == n;
}

}  // namespace

extern "C" {

// The OpenMP threads the parallel regions this thread starts may use (omp_set_num_threads sets the
// calling thread's ICV only): a PredictorPool worker confines its backend to its share of the cores.
JNIEXPORT void JNICALL Java_org_convnet4j_nativelib_OpenMp_limitCallingThread0(JNIEnv*, jclass, jint n) {
    omp_set_num_threads(n);
}

JNIEXPORT jint JNICALL Java_org_convnet4j_nativelib_OpenMp_callingThreadLimit0(JNIEnv*, jclass) {
    return omp_get_max_threads();
}

JNIEXPORT jstring JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_buildInfo(JNIEnv* env, jclass) {
    char line[1024];
    c4j::cpu::build_info(line, sizeof line);
    return env->NewStringUTF(line);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_philox4x32(JNIEnv* env, jclass, jintArray counter4,
                                                                            jintArray key2, jintArray out4) {
    if (!has_length(env, counter4, 4) || !has_length(env, key2, 2) || !has_length(env, out4, 4)) {
        env->ThrowNew(env->FindClass("java/lang/IllegalArgumentException"),
                      "philox4x32 expects int[4] counter, int[2] key, int[4] out");
        return;
    }
    uint32_t counter[4], key[2], out[4];
    env->GetIntArrayRegion(counter4, 0, 4, reinterpret_cast<jint*>(counter));
    env->GetIntArrayRegion(key2, 0, 2, reinterpret_cast<jint*>(key));
    c4j::cpu::philox4x32(counter, key, out);
    env->SetIntArrayRegion(out4, 0, 4, reinterpret_cast<const jint*>(out));
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_fill(JNIEnv*, jclass, jlong dst, jlong n, jfloat value) {
    c4j::cpu::fill(f32(dst), n, value);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_adam(JNIEnv*, jclass, jlong param, jlong grad, jlong m,
                                                                      jlong v, jlong n, jfloat alpha, jfloat beta1,
                                                                      jfloat beta2, jfloat epsilon, jfloat decay) {
    c4j::cpu::adam(f32(param), f32(grad), f32(m), f32(v), n, c4j::AdamStep{alpha, beta1, beta2, epsilon, decay});
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_sgdMomentum(JNIEnv*, jclass, jlong param, jlong grad,
                                                                             jlong velocity, jlong n, jfloat lr,
                                                                             jfloat momentum) {
    c4j::cpu::sgd_momentum(f32(param), f32(grad), f32(velocity), n, lr, momentum);
}

JNIEXPORT jdouble JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_sumOfSquares(JNIEnv*, jclass, jlong x, jlong n) {
    return c4j::cpu::sum_of_squares(f32(x), n);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_scale(JNIEnv*, jclass, jlong x, jlong n, jfloat factor) {
    c4j::cpu::scale(f32(x), n, factor);
}

JNIEXPORT jint JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_firstBadLabel(JNIEnv*, jclass, jlong labels, jint n,
                                                                               jint classes) {
    return c4j::cpu::first_bad_label(i32(labels), n, classes);
}

// The only export that allocates: n floats of row losses, so that their sum has a fixed order.
JNIEXPORT jfloat JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_softmaxCrossEntropy(
    JNIEnv* env, jclass, jlong logits, jlong labels, jboolean sparse, jint n, jint classes, jfloat weight, jlong probs,
    jlong dlogits) {
    float* row_loss = static_cast<float*>(malloc(sizeof(float) * (n > 0 ? n : 1)));
    if (row_loss == nullptr) {
        env->ThrowNew(env->FindClass("java/lang/OutOfMemoryError"), "softmaxCrossEntropy: no memory for n row losses");
        return 0.0f;
    }
    float loss = sparse ? c4j::cpu::softmax_xent_sparse(f32(logits), i32(labels), n, classes, weight, f32(probs),
                                                        f32(dlogits), row_loss)
                        : c4j::cpu::softmax_xent_onehot(f32(logits), f32(labels), n, classes, weight, f32(probs),
                                                        f32(dlogits), row_loss);
    free(row_loss);
    return loss;
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_dropout(JNIEnv*, jclass, jlong x, jlong y, jlong n,
                                                                         jfloat rate, jlong seed, jlong step) {
    c4j::cpu::dropout(f32(x), f32(y), n, rate, (uint64_t)seed, (uint64_t)step);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_movingAverage(JNIEnv*, jclass, jlong moving, jlong batch,
                                                                               jlong n, jfloat momentum) {
    c4j::cpu::moving_average(f32(moving), f32(batch), n, momentum);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_reluForward(JNIEnv*, jclass, jlong x, jlong y, jlong n) {
    c4j::cpu::relu_forward(f32(x), f32(y), n);
}

JNIEXPORT jboolean JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_maxPoolPropagateNaN(
        JNIEnv*, jclass, jlong x, jlong y, jlong nc, jint h, jint w, jint oh, jint ow, jint kh, jint kw, jint sh, jint sw,
        jint padTop, jint padLeft) {
    return c4j::cpu::max_pool_propagate_nan(f32(x), f32(y), nc, h, w, oh, ow, kh, kw, sh, sw, padTop, padLeft);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_reluBackward(JNIEnv*, jclass, jlong y, jlong dy,
                                                                              jlong dx, jlong n) {
    c4j::cpu::relu_backward(f32(y), f32(dy), f32(dx), n);
}

// residual, y and dresidual may be 0 (absent).
JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_batchNormForwardTraining(
        JNIEnv*, jclass, jlong x, jlong gamma, jlong beta, jlong residual, jboolean relu, jlong y, jlong mean,
        jlong variance, jlong n, jlong c, jlong hw, jfloat epsilon) {
    c4j::cpu::batch_norm_forward_training(f32(x), f32(gamma), f32(beta), f32(residual), relu == JNI_TRUE, f32(y),
                                          f32(mean), f32(variance), n, c, hw, epsilon);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_batchNormBackward(
        JNIEnv*, jclass, jlong x, jlong y, jlong dy, jlong mean, jlong variance, jlong gamma, jlong dx,
        jlong dresidual, jlong dgamma, jlong dbeta, jlong n, jlong c, jlong hw, jfloat epsilon) {
    c4j::cpu::batch_norm_backward(f32(x), f32(y), f32(dy), f32(mean), f32(variance), f32(gamma), f32(dx),
                                  f32(dresidual), f32(dgamma), f32(dbeta), n, c, hw, epsilon);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_fillBf16(JNIEnv*, jclass, jlong dst, jlong n,
                                                                          jfloat value) {
    c4j::cpu::fill_bf16((uint16_t*)(intptr_t)dst, n, value);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_reluForwardBf16(JNIEnv*, jclass, jlong x, jlong y,
                                                                                 jlong n) {
    c4j::cpu::relu_forward_bf16((const uint16_t*)(intptr_t)x, (uint16_t*)(intptr_t)y, n);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_reluBackwardBf16(JNIEnv*, jclass, jlong y, jlong dy,
                                                                                  jlong dx, jlong n) {
    c4j::cpu::relu_backward_bf16((const uint16_t*)(intptr_t)y, (const uint16_t*)(intptr_t)dy,
                                 (uint16_t*)(intptr_t)dx, n);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_dropoutBf16(JNIEnv*, jclass, jlong x, jlong y, jlong n,
                                                                             jfloat rate, jlong seed, jlong step) {
    c4j::cpu::dropout_bf16((const uint16_t*)(intptr_t)x, (uint16_t*)(intptr_t)y, n, rate, (uint64_t)seed,
                           (uint64_t)step);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_dropoutNhwc(JNIEnv*, jclass, jlong x, jlong y, jlong n,
                                                                             jlong c, jlong hw, jfloat rate, jlong seed,
                                                                             jlong step, jboolean bf16) {
    c4j::cpu::dropout_nhwc((const void*)(intptr_t)x, (void*)(intptr_t)y, n, c, hw, rate, (uint64_t)seed,
                           (uint64_t)step, bf16 == JNI_TRUE);
}

JNIEXPORT jboolean JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_maxPoolPropagateNaNAny(
        JNIEnv*, jclass, jlong x, jlong y, jlong n, jlong c, jint h, jint w, jint oh, jint ow, jint kh, jint kw, jint sh,
        jint sw, jint padTop, jint padLeft, jboolean nhwc, jboolean bf16) {
    return c4j::cpu::max_pool_propagate_nan_any((const void*)(intptr_t)x, (void*)(intptr_t)y, n, c, h, w, oh, ow, kh,
                                                kw, sh, sw, padTop, padLeft, nhwc == JNI_TRUE, bf16 == JNI_TRUE);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_nchwToNhwc(JNIEnv*, jclass, jlong x, jlong y, jlong n,
                                                                            jlong c, jlong hw, jboolean bf16) {
    c4j::cpu::nchw_to_nhwc(f32(x), (void*)(intptr_t)y, n, c, hw, bf16 == JNI_TRUE);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_quantize8(JNIEnv*, jclass, jlong x, jlong q, jlong n,
                                                                          jfloat scale, jboolean is_unsigned) {
    c4j::cpu::quantize_8bit(f32(x), (void*)(intptr_t)q, n, scale, is_unsigned == JNI_TRUE);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_nhwcToNchw(JNIEnv*, jclass, jlong x, jlong y, jlong n,
                                                                            jlong c, jlong hw, jboolean bf16) {
    c4j::cpu::nhwc_to_nchw((const void*)(intptr_t)x, f32(y), n, c, hw, bf16 == JNI_TRUE);
}

JNIEXPORT jlong JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_batchNormNhwcScratchBytes(JNIEnv*, jclass, jlong c) {
    return c4j::cpu::batch_norm_nhwc_scratch_bytes(c);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_batchNormForwardTrainingNhwc(
        JNIEnv*, jclass, jlong x, jlong gamma, jlong beta, jlong residual, jboolean relu, jlong y, jlong mean,
        jlong variance, jlong m, jlong c, jfloat epsilon, jboolean bf16, jlong scratch) {
    c4j::cpu::batch_norm_forward_training_nhwc((const void*)(intptr_t)x, f32(gamma), f32(beta),
                                               (const void*)(intptr_t)residual, relu == JNI_TRUE, (void*)(intptr_t)y,
                                               f32(mean), f32(variance), m, c, epsilon, bf16 == JNI_TRUE,
                                               (void*)(intptr_t)scratch);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cpu_CpuKernels_batchNormBackwardNhwc(
        JNIEnv*, jclass, jlong x, jlong y, jlong dy, jlong mean, jlong variance, jlong gamma, jlong dx,
        jlong dresidual, jlong dgamma, jlong dbeta, jlong m, jlong c, jfloat epsilon, jboolean bf16, jlong scratch) {
    c4j::cpu::batch_norm_backward_nhwc((const void*)(intptr_t)x, (const void*)(intptr_t)y, (const void*)(intptr_t)dy,
                                       f32(mean), f32(variance), f32(gamma), (void*)(intptr_t)dx,
                                       (void*)(intptr_t)dresidual, f32(dgamma), f32(dbeta), m, c, epsilon,
                                       bf16 == JNI_TRUE, (void*)(intptr_t)scratch);
}

}  // extern "C"
