package org.convnet4j.backend.cpu;

import org.convnet4j.ops.Adam;
import org.convnet4j.ops.Checks;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.tensor.Tensor;

/** Parameter updates through our native kernels; the Adam bias correction is computed once per step in double. */
final class OptimizerOps {
    void adam(Adam op, long step, Tensor param, Tensor grad, Tensor m, Tensor v) {
        if (param == null) {
            throw new IllegalArgumentException(Adam.OP + ": param is null");
        }
        Checks.tensor(Adam.OP, "param", param, param.shape());
        Checks.tensor(Adam.OP, "grad", grad, param.shape());
        Checks.tensor(Adam.OP, "m", m, param.shape());
        Checks.tensor(Adam.OP, "v", v, param.shape());
        float alpha = (float) op.stepSize(step);
        CpuKernels.adam(param.address(), grad.address(), m.address(), v.address(), param.size(), alpha,
                op.beta1(), op.beta2(), op.epsilon());
    }

    void sgdMomentum(SgdMomentum op, Tensor param, Tensor grad, Tensor velocity) {
        if (param == null) {
            throw new IllegalArgumentException(SgdMomentum.OP + ": param is null");
        }
        Checks.tensor(SgdMomentum.OP, "param", param, param.shape());
        Checks.tensor(SgdMomentum.OP, "grad", grad, param.shape());
        Checks.tensor(SgdMomentum.OP, "velocity", velocity, param.shape());
        CpuKernels.sgdMomentum(param.address(), grad.address(), velocity.address(), param.size(),
                op.learningRate(), op.momentum());
    }
}
