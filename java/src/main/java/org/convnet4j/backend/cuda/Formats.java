package org.convnet4j.backend.cuda;

import org.bytedeco.cuda.global.cudnn;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Tensor;

/**
 * The storage formats the CUDA backend computes on, and the names and cuDNN codes that go with
 * them. Image activations and their gradients are FP32 in NCHW order (precision fp32), or BF16 or
 * FP16 in NHWC order (precisions bf16 and fp16: the channels-last order tensor-core convolutions
 * want); parameters, their gradients, batch-norm statistics, features (N x F) and labels are always
 * FP32 (or INT32) NCHW. One call takes one activation format: mixing them is an error naming the op.
 */
final class Formats {
    private Formats() {
    }

    /** Whether {@code t} is a reduced-precision type of activations (BF16 or FP16). */
    static boolean half(DType t) {
        return t == DType.BF16 || t == DType.FP16;
    }

    /** Whether {@code t} is held in the plain format (FP32 or INT32 in NCHW order), or is null. */
    static boolean plain(Tensor t) {
        return t == null || (t.dtype() == DType.FP32 || t.dtype() == DType.INT32) && t.layout() == Layout.NCHW;
    }

    /** The suffix of a kernel's name for element type {@code t}: f32, bf16 or f16. */
    static String suffix(DType t) {
        return switch (t) {
            case FP32 -> "f32";
            case BF16 -> "bf16";
            case FP16 -> "f16";
            default -> throw new IllegalArgumentException("No CUDA kernels for element type " + t);
        };
    }

    /** The name of kernel family {@code base} for element type {@code t}, e.g. c4j_add_bf16. */
    static String kernel(String base, DType t) {
        return base + "_" + suffix(t);
    }

    /**
     * The conversion kernel from element type {@code from} to {@code to} (mixed.cu).
     *
     * @throws IllegalArgumentException for a pair with no kernel (BF16 to FP16 and back)
     */
    static String convertKernel(DType from, DType to) {
        String name = switch (from) {
            case FP32 -> switch (to) {
                case FP32 -> "c4j_convert_f32_f32";
                case BF16 -> "c4j_convert_f32_bf16";
                case FP16 -> "c4j_convert_f32_f16";
                default -> null;
            };
            case BF16 -> to == DType.FP32 ? "c4j_convert_bf16_f32" : to == DType.BF16 ? "c4j_convert_bf16_bf16" : null;
            case FP16 -> to == DType.FP32 ? "c4j_convert_f16_f32" : to == DType.FP16 ? "c4j_convert_f16_f16" : null;
            default -> null;
        };
        if (name == null) {
            throw new IllegalArgumentException("convert: the cuda backend converts between FP32 and BF16 or FP16 (and"
                    + " reorders any of them), not " + from + " to " + to);
        }
        return name;
    }

    /** cuDNN's data type code of {@code t}. */
    static int cudnnType(DType t) {
        return switch (t) {
            case FP32 -> cudnn.CUDNN_DATA_FLOAT;
            case BF16 -> cudnn.CUDNN_DATA_BFLOAT16;
            case FP16 -> cudnn.CUDNN_DATA_HALF;
            default -> throw new IllegalArgumentException("cuDNN takes no " + t + " activations here");
        };
    }

    /** cuDNN's tensor format code of {@code l}. */
    static int cudnnFormat(Layout l) {
        return l == Layout.NHWC ? cudnn.CUDNN_TENSOR_NHWC : cudnn.CUDNN_TENSOR_NCHW;
    }

    /** The memory order activations of type {@code t} are kept in: NHWC for BF16 and FP16, NCHW for FP32. */
    static Layout layoutOf(DType t) {
        return half(t) ? Layout.NHWC : Layout.NCHW;
    }

    /**
     * Checks the activations of one call (null ones skipped): all FP32 NCHW, or all BF16 NHWC, or all
     * FP16 NHWC (rank 4). Returns their element type (FP32 when none is given).
     *
     * @throws IllegalArgumentException naming the op where a format is not one of those, or two differ
     */
    static DType activations(String op, Tensor... ts) {
        DType type = null;
        Tensor first = null;
        for (Tensor t : ts) {
            if (t == null) {
                continue;
            }
            boolean ok = t.dtype() == DType.FP32 && t.layout() == Layout.NCHW
                    || half(t.dtype()) && t.layout() == Layout.NHWC && t.shape().rank() == 4;
            if (!ok) {
                throw new IllegalArgumentException(op + ": the cuda backend keeps activations as FP32 NCHW, or BF16 or"
                        + " FP16 NHWC (rank 4). Received " + t);
            }
            if (type == null) {
                type = t.dtype();
                first = t;
            } else if (type != t.dtype()) {
                throw new IllegalArgumentException(op + ": activations of one call must share one format. Received "
                        + first + " and " + t);
            }
        }
        return type == null ? DType.FP32 : type;
    }

    /**
     * Checks that every tensor given (null ones skipped) is FP32 (or INT32) in NCHW order: parameters,
     * their gradients, statistics, features.
     *
     * @throws IllegalArgumentException naming the op otherwise
     */
    static void parameters(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (!plain(t)) {
                throw new IllegalArgumentException(op + ": parameters, statistics and features stay FP32 NCHW on the"
                        + " cuda backend in every precision. Received " + t);
            }
        }
    }
}
