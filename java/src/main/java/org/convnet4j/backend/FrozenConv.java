package org.convnet4j.backend;

import org.convnet4j.ops.Conv2d;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Tensor;

/**
 * A convolution frozen for inference, made by {@link Backend#freezeConv}: {@code y = relu?(conv(x, w)
 * + bias + residual?)} in one call. The weights and bias are copied when it is made, so a backend may
 * keep them in the layout its kernels want and skip that work on every call; later writes to the
 * tensors it was made from are not seen (freeze again after training).
 */
public interface FrozenConv extends AutoCloseable {

    Conv2d op();

    /** Whether {@link #forward} adds a residual tensor of the output's shape before the activation. */
    boolean residual();

    /** Whether a relu follows. */
    boolean relu();

    /**
     * The memory order its kernel reads x and writes y in (NHWC for oneDNN's brgemm convolutions),
     * so that a chain of frozen convolutions can pass activations without reordering them. Tensors
     * in any other layout the backend supports are accepted and converted on the way.
     */
    default Layout nativeLayout() {
        return Layout.NCHW;
    }

    /**
     * Runs it; {@code residual} is null unless it was frozen with one. y may be the residual itself
     * (then {@code y += ...} in place, when nothing else still needs the residual) but not x. Shapes
     * are checked as {@link Backend#conv2dForward} checks them; each tensor's {@link Tensor#layout}
     * says its memory order.
     */
    void forward(Tensor x, Tensor residual, Tensor y);

    @Override
    void close();
}
