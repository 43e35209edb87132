package org.convnet4j.backend.cuda;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.cuda.cudnn.cudnnActivationStruct;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnPoolingStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;

/**
 * cuDNN descriptors of one cached plan, destroyed together when the backend closes. Tensors are
 * packed, FP32 NCHW or (mixed precision) BF16/FP16 NHWC, so a shape, a type and an order are all a
 * descriptor needs; filters of an NHWC convolution are KRSC in the activations' type, and
 * convolutions compute (accumulate) in FP32 whatever the type.
 */
final class Descriptors implements AutoCloseable {
    private final List<Runnable> destroyers = new ArrayList<>();
    private final Object op;

    Descriptors(Object op) {
        this.op = op;
    }

    /** A 4-d NCHW float descriptor; rank-2 shapes (N, F) become N x F x 1 x 1. */
    cudnnTensorStruct tensor(Shape s) {
        return tensor(s, DType.FP32, Layout.NCHW);
    }

    /** A 4-d descriptor of type t in order l (NCHW or NHWC); rank-2 shapes (N, F) become N x F x 1 x 1. */
    cudnnTensorStruct tensor(Shape s, DType t, Layout l) {
        cudnnTensorStruct d = new cudnnTensorStruct();
        CudaStatus.cudnn(cudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor", op);
        destroyers.add(() -> cudnn.cudnnDestroyTensorDescriptor(d));
        int h = s.rank() == 4 ? s.intDim(2) : 1;
        int w = s.rank() == 4 ? s.intDim(3) : 1;
        CudaStatus.cudnn(cudnn.cudnnSetTensor4dDescriptor(d, Formats.cudnnFormat(l), Formats.cudnnType(t),
                s.intDim(0), s.intDim(1), h, w), "cudnnSetTensor4dDescriptor" + s + " " + t + " " + l, op);
        return d;
    }

    /** A flat 1 x 1 x 1 x n descriptor, for elementwise cuDNN calls over any shape. */
    cudnnTensorStruct flat(long n) {
        return flat(n, DType.FP32);
    }

    /** A flat 1 x 1 x 1 x n descriptor of type t. */
    cudnnTensorStruct flat(long n, DType t) {
        return tensor(Shape.nchw(1, 1, 1, n), t, Layout.NCHW);
    }

    /** The per-channel descriptor cuDNN derives for batch-norm parameters. */
    cudnnTensorStruct batchNormParams(cudnnTensorStruct x) {
        cudnnTensorStruct d = new cudnnTensorStruct();
        CudaStatus.cudnn(cudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor", op);
        destroyers.add(() -> cudnn.cudnnDestroyTensorDescriptor(d));
        CudaStatus.cudnn(cudnn.cudnnDeriveBNTensorDescriptor(d, x, cudnn.CUDNN_BATCHNORM_SPATIAL),
                "cudnnDeriveBNTensorDescriptor", op);
        return d;
    }

    cudnnFilterStruct filter(Shape w) {
        return filter(w, DType.FP32, Layout.NCHW);
    }

    /** A K x C x R x S filter of type t, KCRS (NCHW) or KRSC (NHWC) in memory. */
    cudnnFilterStruct filter(Shape w, DType t, Layout l) {
        cudnnFilterStruct d = new cudnnFilterStruct();
        CudaStatus.cudnn(cudnn.cudnnCreateFilterDescriptor(d), "cudnnCreateFilterDescriptor", op);
        destroyers.add(() -> cudnn.cudnnDestroyFilterDescriptor(d));
        CudaStatus.cudnn(cudnn.cudnnSetFilter4dDescriptor(d, Formats.cudnnType(t), Formats.cudnnFormat(l),
                w.intDim(0), w.intDim(1), w.intDim(2), w.intDim(3)), "cudnnSetFilter4dDescriptor" + w + " " + t + " " + l, op);
        return d;
    }

    /**
     * A convolution computing in FP32 (the accumulation type for FP32, BF16 and FP16 data alike);
     * tensorOps allows tensor cores (TF32 for FP32 data; BF16/FP16 data always use them).
     */
    cudnnConvolutionStruct convolution(int padH, int padW, int strideH, int strideW, boolean tensorOps) {
        cudnnConvolutionStruct d = new cudnnConvolutionStruct();
        CudaStatus.cudnn(cudnn.cudnnCreateConvolutionDescriptor(d), "cudnnCreateConvolutionDescriptor", op);
        destroyers.add(() -> cudnn.cudnnDestroyConvolutionDescriptor(d));
        CudaStatus.cudnn(cudnn.cudnnSetConvolution2dDescriptor(d, padH, padW, strideH, strideW, 1, 1,
                cudnn.CUDNN_CROSS_CORRELATION, cudnn.CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor", op);
        CudaStatus.cudnn(cudnn.cudnnSetConvolutionMathType(d, tensorOps ? cudnn.CUDNN_TENSOR_OP_MATH : cudnn.CUDNN_FMA_MATH),
                "cudnnSetConvolutionMathType", op);
        return d;
    }

    cudnnPoolingStruct pooling(int mode, int wh, int ww, int padH, int padW, int sh, int sw) {
        cudnnPoolingStruct d = new cudnnPoolingStruct();
        CudaStatus.cudnn(cudnn.cudnnCreatePoolingDescriptor(d), "cudnnCreatePoolingDescriptor", op);
        destroyers.add(() -> cudnn.cudnnDestroyPoolingDescriptor(d));
        CudaStatus.cudnn(cudnn.cudnnSetPooling2dDescriptor(d, mode, cudnn.CUDNN_PROPAGATE_NAN, wh, ww, padH, padW, sh, sw),
                "cudnnSetPooling2dDescriptor", op);
        return d;
    }

    cudnnActivationStruct relu() {
        cudnnActivationStruct d = new cudnnActivationStruct();
        CudaStatus.cudnn(cudnn.cudnnCreateActivationDescriptor(d), "cudnnCreateActivationDescriptor", op);
        destroyers.add(() -> cudnn.cudnnDestroyActivationDescriptor(d));
        CudaStatus.cudnn(cudnn.cudnnSetActivationDescriptor(d, cudnn.CUDNN_ACTIVATION_RELU, cudnn.CUDNN_PROPAGATE_NAN, 0.0),
                "cudnnSetActivationDescriptor", op);
        return d;
    }

    @Override
    public void close() {
        for (int i = destroyers.size() - 1; i >= 0; i--) {
            destroyers.get(i).run();
        }
        destroyers.clear();
    }
}
