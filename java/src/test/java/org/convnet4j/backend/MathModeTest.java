package org.convnet4j.backend;

import java.util.SplittableRandom;

import org.convnet4j.backend.cuda.CudaBackend;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Size2;
import org.convnet4j.reference.ConvReference;
import org.convnet4j.reference.DenseReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend's default math, TF32 tensor cores, against the float64 reference with TF32's
 * tolerance: inputs rounded to a 10-bit mantissa (relative error 2^-11 each), so a product errs by
 * about 1e-3 relative and a sum of R random-sign products by about 1e-3 sqrt(R) (the rest of the suite
 * runs CUDA in strict FP32). Skips where CUDA cannot run.
 */
class MathModeTest {
    private static Tolerance tf32(long r) {
        return new Tolerance(2e-3 * Math.sqrt(r), 1e-2);
    }

    @Test
    void tf32ConvolutionAndDenseStayWithinTf32Tolerance() {
        BackendCases.open("cuda").close(); // skips, visibly, without a GPU
        Conv2dOp conv = new Conv2dOp(Shape.nchw(2, 16, 28, 28), 32, Size2.of(3), Size2.of(1), Padding.SAME, true);
        DenseOp dense = new DenseOp(Shape.of(8, 300), 40, true);
        SplittableRandom rnd = new SplittableRandom(11);
        double[] x = TestData.uniform(rnd, conv.input(), -1, 1);
        double[] w = TestData.uniform(rnd, conv.weightShape(), -1, 1);
        double[] b = TestData.uniform(rnd, conv.biasShape(), -1, 1);
        double[] dx = TestData.uniform(rnd, dense.input(), -1, 1);
        double[] dw = TestData.uniform(rnd, dense.weightShape(), -1, 1);
        double[] db = TestData.uniform(rnd, dense.biasShape(), -1, 1);
        try (CudaBackend cuda = new CudaBackend(0, true); TensorScope s = new TensorScope(cuda)) {
            Tensor y = s.output(conv.outputShape());
            cuda.conv2dForward(conv, s.upload(conv.input(), x), s.upload(conv.weightShape(), w),
                    s.upload(conv.biasShape(), b), y);
            Compare.assertClose("TF32 " + conv, conv.outputShape(), ConvReference.forward(conv, x, w, b), s.download(y),
                    tf32(16L * 9));
            Tensor dy = s.output(dense.outputShape());
            cuda.denseForward(dense, s.upload(dense.input(), dx), s.upload(dense.weightShape(), dw),
                    s.upload(dense.biasShape(), db), dy);
            Compare.assertClose("TF32 " + dense, dense.outputShape(), DenseReference.forward(dense, dx, dw, db),
                    s.download(dy), tf32(300));
        }
    }
}
