package org.convnet4j.ops;

import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * Argument checks shared by every op. They run in Java before any native call, so a wrong shape
 * becomes an IllegalArgumentException naming the op, the argument, what was expected and what was
 * received, never a native crash.
 */
public final class Checks {
    private Checks() {
    }

    /**
     * The shape has one of the allowed ranks.
     *
     * @param op the op's name, for the message
     * @param arg the argument's name
     * @param shape the shape checked
     * @param allowed the ranks accepted
     * @throws IllegalArgumentException otherwise
     */
    public static void rank(String op, String arg, Shape shape, int... allowed) {
        for (int r : allowed) {
            if (shape.rank() == r) {
                return;
            }
        }
        throw new IllegalArgumentException(op + ": " + arg + " must have rank "
                + java.util.Arrays.toString(allowed) + ". Received shape " + shape);
    }

    /**
     * The value is &gt; 0.
     *
     * @param op the op's name, for the message
     * @param what the value's name
     * @param value the value checked
     * @throws IllegalArgumentException otherwise
     */
    public static void positive(String op, String what, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(op + ": expected a strictly positive value. Received " + what + "=" + value);
        }
    }

    /**
     * The tensor exists, is live, holds FP32 in NCHW order and has exactly {@code expected} as its shape.
     *
     * @param op the op's name, for the message
     * @param arg the argument's name
     * @param t the tensor checked
     * @param expected its required shape
     * @throws IllegalArgumentException otherwise
     */
    public static void tensor(String op, String arg, Tensor t, Shape expected) {
        tensor(op, arg, t, expected, DType.FP32);
    }

    /**
     * The tensor exists, is live, holds {@code dtype} in NCHW order and has exactly {@code expected}
     * as its shape.
     *
     * @param op the op's name, for the message
     * @param arg the argument's name
     * @param t the tensor checked
     * @param expected its required shape
     * @param dtype its required element type
     * @throws IllegalArgumentException otherwise
     */
    public static void tensor(String op, String arg, Tensor t, Shape expected, DType dtype) {
        anyLayout(op, arg, t, expected, dtype);
        if (t.layout() != Layout.NCHW) {
            throw new IllegalArgumentException(op + ": " + arg + " must be in NCHW order. Received " + t.layout()
                    + " (only frozen convolutions take other layouts)");
        }
    }

    /**
     * An activation or its gradient: live, of shape {@code expected}, FP32, BF16 or FP16, and NCHW or (rank 4
     * only) NHWC, the formats an execution plan may keep activations in. A backend that computes only
     * FP32 NCHW says so with {@link #plain} before its native call.
     *
     * @param op the op's name, for the message
     * @param arg the argument's name
     * @param t the tensor checked
     * @param expected its required (logical) shape
     * @throws IllegalArgumentException otherwise
     */
    public static void activation(String op, String arg, Tensor t, Shape expected) {
        anyLayout(op, arg, t, expected,
                t != null && (t.dtype() == DType.BF16 || t.dtype() == DType.FP16) ? t.dtype() : DType.FP32);
        if (t.layout() == Layout.NHWC && expected.rank() != 4) {
            throw new IllegalArgumentException(op + ": " + arg + " in NHWC must have rank 4. Received " + t.shape());
        }
    }

    /**
     * Every tensor given (null ones skipped) holds FP32 (or INT32) in NCHW order: what a backend
     * without mixed precision takes.
     *
     * @param op the op's name, for the message
     * @param ts the tensors checked
     * @throws IllegalArgumentException if one is BF16 or not NCHW
     */
    public static void plain(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && (t.dtype() != DType.FP32 && t.dtype() != DType.INT32 || t.layout() != Layout.NCHW)) {
                throw new IllegalArgumentException(op + ": this backend computes FP32 in NCHW order only. Received "
                        + t + " (run it with precision fp32)");
            }
        }
    }

    /**
     * As {@link #tensor(String, String, Tensor, Shape, DType)}, in any memory order.
     *
     * @param op the op's name, for the message
     * @param arg the argument's name
     * @param t the tensor checked
     * @param expected its required shape
     * @param dtype its required element type
     * @throws IllegalArgumentException if it is null, closed, or of another shape or type
     */
    public static void anyLayout(String op, String arg, Tensor t, Shape expected, DType dtype) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + arg + " is null; expected a tensor of shape " + expected);
        }
        if (!t.isLive()) {
            throw new IllegalArgumentException(op + ": " + arg + " (" + t.shape() + ") was already closed");
        }
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": " + arg + " must have shape " + expected + ". Received " + t.shape());
        }
        if (t.dtype() != dtype) {
            throw new IllegalArgumentException(op + ": " + arg + " must be " + dtype + ". Received " + t.dtype());
        }
    }

    /**
     * Two tensors of one op must not share storage where the op cannot work in place (compared by
     * start address).
     *
     * @param op the op's name, for the message
     * @param a the first tensor's name
     * @param ta the first tensor
     * @param b the second tensor's name
     * @param tb the second tensor
     * @throws IllegalArgumentException if they start at the same address
     */
    public static void distinct(String op, String a, Tensor ta, String b, Tensor tb) {
        if (ta.address() == tb.address()) {
            throw new IllegalArgumentException(op + ": " + a + " and " + b + " must not share storage");
        }
    }

    /**
     * A host transfer: the tensor is live and of that dtype, and the array (length, or -1 for a null
     * array) has exactly its number of elements.
     *
     * @param op the transfer's name, for the message
     * @param length the host array's length, or -1 for a null array
     * @param t the tensor, NCHW
     * @param dtype its required element type
     * @throws IllegalArgumentException otherwise
     */
    public static void transfer(String op, int length, Tensor t, DType dtype) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": tensor is null");
        }
        tensor(op, "tensor", t, t.shape(), dtype);
        if (length != t.size()) {
            throw new IllegalArgumentException(op + ": the array has " + (length < 0 ? "null" : length + " elements")
                    + " but the tensor " + t.shape() + " has " + t.size());
        }
    }

    /**
     * The tensor is not null and is live, whatever its shape and format.
     *
     * @param op the op's name, for the message
     * @param arg the argument's name
     * @param t the tensor checked
     * @return its shape
     * @throws IllegalArgumentException if it is null or closed
     */
    public static Shape present(String op, String arg, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + arg + " is null");
        }
        anyLayout(op, arg, t, t.shape(), t.dtype());
        return t.shape();
    }
}
