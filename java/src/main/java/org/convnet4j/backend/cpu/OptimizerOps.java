package org.convnet4j.backend.cpu;

import java.util.List;

import org.convnet4j.ops.Adam;
import org.convnet4j.ops.ClipByGlobalNorm;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.tensor.Tensor;

/** Parameter updates through our native kernels; the Adam bias correction is computed once per step in double. */
final class OptimizerOps {
    void adam(Adam op, long step, Tensor param, Tensor grad, Tensor m, Tensor v) {
        Adam.checkTensors(param, grad, m, v);
        float alpha = (float) op.stepSize(step);
        CpuKernels.adam(param.address(), grad.address(), m.address(), v.address(), param.size(), alpha,
                op.beta1(), op.beta2(), op.epsilon(), op.decay());
    }

    void sgdMomentum(SgdMomentum op, Tensor param, Tensor grad, Tensor velocity) {
        SgdMomentum.checkTensors(param, grad, velocity);
        CpuKernels.sgdMomentum(param.address(), grad.address(), velocity.address(), param.size(),
                op.learningRate(), op.momentum());
    }

    /** Per tensor in a fixed order, each in a fixed order natively: the same bits on every run. */
    double sumOfSquares(List<Tensor> tensors) {
        ClipByGlobalNorm.checkTensors(tensors);
        double total = 0;
        for (Tensor t : tensors) {
            total += CpuKernels.sumOfSquares(t.address(), t.size());
        }
        return total;
    }

    void scale(List<Tensor> tensors, float factor) {
        ClipByGlobalNorm.checkTensors(tensors);
        for (Tensor t : tensors) {
            CpuKernels.scale(t.address(), t.size(), factor);
        }
    }
}
