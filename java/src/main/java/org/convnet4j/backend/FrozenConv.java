package org.convnet4j.backend;

import org.convnet4j.ops.Checks;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/**
 * A convolution frozen for inference, made by {@link Backend#freezeConv}: {@code y = relu?(conv(x, w)
 * + bias + residual?)} in one call. The weights and bias are copied when it is made, so a backend may
 * keep them in the layout its kernels want and skip that work on every call; later writes to the
 * tensors it was made from are not seen (freeze again after training).
 *
 * <p>This class holds what every backend's version shares: the op, the two fusion flags, and the
 * argument checks, made once at freezing and on every call.
 */
public abstract class FrozenConv implements AutoCloseable {
    private final Conv2dOp op;
    private final boolean residual;
    private final boolean relu;
    /** The op as error messages name it, built once rather than on every call. */
    private final String label;
    private DType activations = DType.FP32;

    /**
     * Checks w and bias (null exactly when the op has none) against the op's shapes. It keeps neither:
     * a subclass copies what it needs.
     *
     * @param op the convolution
     * @param w kernel, {@code op.weightShape()}, FP32 NCHW
     * @param bias one value per filter, or null exactly when the op has none
     * @param residual whether {@link #forward} adds a residual
     * @param relu whether a relu follows
     * @throws IllegalArgumentException if op is null or w or bias do not fit it
     */
    protected FrozenConv(Conv2dOp op, Tensor w, Tensor bias, boolean residual, boolean relu) {
        if (op == null) {
            throw new IllegalArgumentException("freezeConv: op is null");
        }
        Checks.tensor("freezeConv " + op, "w", w, op.weightShape());
        if (op.bias()) {
            Checks.tensor("freezeConv " + op, "bias", bias, op.biasShape());
        } else if (bias != null) {
            throw new IllegalArgumentException("freezeConv " + op + ": the op has no bias but a bias tensor was given");
        }
        this.op = op;
        this.residual = residual;
        this.relu = relu;
        this.label = "frozen conv " + op;
    }

    /**
     * The convolution frozen, with the shapes every call is checked against.
     *
     * @return the op
     */
    public final Conv2dOp op() {
        return op;
    }

    /**
     * Whether {@link #forward} adds a residual tensor of the output's shape before the activation.
     *
     * @return true when frozen with a residual
     */
    public final boolean residual() {
        return residual;
    }

    /**
     * Whether a relu follows.
     *
     * @return true when frozen with a relu
     */
    public final boolean relu() {
        return relu;
    }

    /**
     * The memory order its kernel reads x and writes y in (NHWC for oneDNN's brgemm convolutions),
     * so that a chain of frozen convolutions can pass activations without reordering them. Tensors
     * in any other layout the backend supports are accepted and converted on the way.
     *
     * @return NCHW unless a backend's kernel prefers another order
     */
    public Layout nativeLayout() {
        return Layout.NCHW;
    }

    /**
     * Runs it; {@code residual} is null unless it was frozen with one. y may be the residual itself
     * (then {@code y += ...} in place, when nothing else still needs the residual) but not x. Shapes
     * are checked as {@link Backend#conv2dForward} checks them; each tensor's {@link Tensor#layout}
     * says its memory order.
     *
     * @param x input, {@code op().input()}
     * @param residual added before the relu, {@code op().outputShape()}; null unless frozen with one
     * @param y output, {@code op().outputShape()}; overwritten
     * @throws IllegalArgumentException if a tensor does not fit, y aliases x, or a residual is given
     *         to one frozen without (or is missing)
     */
    public abstract void forward(Tensor x, Tensor residual, Tensor y);

    /** Releases the frozen copies of the weights and any cached primitive; the op's tensors are not touched. */
    @Override
    public abstract void close();

    /**
     * At each call: x and y as a convolution's, the residual of y's shape exactly when frozen with
     * one; y not x; y the residual only in the same layout. Layouts: NCHW, or {@code allowed} too.
     *
     * @param x input
     * @param res residual, or null
     * @param y output
     * @param allowed the one layout accepted besides NCHW
     * @throws IllegalArgumentException on any violation, naming the frozen op
     */
    protected final void checkForward(Tensor x, Tensor res, Tensor y, Layout allowed) {
        check("x", x, op.input(), allowed);
        check("y", y, op.outputShape(), allowed);
        if (residual) {
            check("residual", res, op.outputShape(), allowed);
            if (res.address() == y.address() && res.layout() != y.layout()) {
                throw new IllegalArgumentException(label + ": y is the residual's storage in another layout ("
                        + y.layout() + " vs " + res.layout() + ")");
            }
        } else if (res != null) {
            throw new IllegalArgumentException(label + ": frozen without a residual but one was given");
        }
        if (x.address() == y.address()) {
            throw new IllegalArgumentException(label + ": y must not alias x");
        }
    }

    private void check(String arg, Tensor t, Shape expected, Layout allowed) {
        if (t != null && t.layout() == allowed) {
            Checks.anyLayout(label, arg, t, expected, activations);
        } else {
            Checks.tensor(label, arg, t, expected, activations);
        }
    }

    /**
     * The element type of x, the residual and y: FP32, or BF16 for a convolution frozen in bf16.
     *
     * @return FP32 or BF16
     */
    public final DType activations() {
        return activations;
    }

    /**
     * A frozen convolution computes BF16 activations (read as they are stored) once this says so.
     *
     * @param type the activations' element type {@link #checkForward} requires from now on
     */
    protected final void activations(DType type) {
        this.activations = type;
    }
}
