package org.convnet4j.graph;

import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.tensor.Tensor;

/**
 * What an executor hands a layer to bind: the backend, the batch size, and the tensors the layer
 * reads and writes, all placed by the executor's memory plan.
 *
 * @param backend     the backend the layer runs on
 * @param batch       the batch size N
 * @param inputs      activations of the layer's inputs (N x ...)
 * @param output      the layer's output activation
 * @param params      the layer's parameters, in the order of {@link Layer#params}
 * @param inputGrads  where to write each input's gradient; an entry is null when that input needs none
 * @param outputGrad  the gradient of the output, or null for an inference-only binding
 * @param paramGrads  where to write each parameter's gradient (null entries for non-trainable ones),
 *                    or null for an inference-only binding
 * @param precision   the plan's mixed-precision policy: under bf16 a layer computes its matmuls on
 *                    inputs rounded to BF16 (image activations already are BF16 tensors)
 */
public record Binding(Backend backend, int batch, List<Tensor> inputs, Tensor output, List<Tensor> params,
                      List<Tensor> inputGrads, Tensor outputGrad, List<Tensor> paramGrads, Precision precision) {

    /**
     * The first input's activation, for single-input layers.
     *
     * @return {@code inputs().get(0)}
     */
    public Tensor input() {
        return inputs.get(0);
    }

    /**
     * A parameter.
     *
     * @param i its index in {@link Layer#params}
     * @return the parameter's tensor
     */
    public Tensor param(int i) {
        return params.get(i);
    }

    /**
     * Where to write an input's gradient.
     *
     * @param i the input's index
     * @return the tensor, or null when that input needs none or the binding is inference-only
     */
    public Tensor inputGrad(int i) {
        return inputGrads == null ? null : inputGrads.get(i);
    }

    /**
     * Where to write a parameter's gradient.
     *
     * @param i the parameter's index
     * @return the tensor, or null for a non-trainable parameter or an inference-only binding
     */
    public Tensor paramGrad(int i) {
        return paramGrads == null ? null : paramGrads.get(i);
    }
}
