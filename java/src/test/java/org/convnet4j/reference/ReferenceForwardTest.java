package org.convnet4j.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.convnet4j.ops.Adam;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.Concat;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.PoolMode;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.ops.Size2;
import org.convnet4j.ops.SoftmaxCrossEntropy;
import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.tensor.Shape;
import org.junit.jupiter.api.Test;

/**
 * Hand-worked forward values that pin the reference to Keras' conventions, which finite differences
 * cannot see: cross-correlation rather than convolution, TensorFlow's "same" putting the odd pad
 * bottom-right, padded cells excluded from pools, biased batch variance, the Adam and SGD formulas.
 */
class ReferenceForwardTest {
    private static final double EXACT = 1e-12;

    /** x[i][j] = i * w + j on a 1 x 1 x h x w plane. */
    private static double[] ramp(int h, int w) {
        double[] x = new double[h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        return x;
    }

    @Test
    void convIsCrossCorrelation() {
        Conv2dOp op = new Conv2dOp(Shape.nchw(1, 1, 3, 3), 1, Size2.of(2), Size2.of(1), Padding.VALID, false);
        // Only the top-right tap is set: correlation reads x[i][j+1]; a flipped convolution would read x[i+1][j].
        double[] w = {0, 1, 0, 0};
        assertArrayEquals(new double[] {1, 2, 4, 5}, ConvReference.forward(op, ramp(3, 3), w, null), EXACT);
    }

    @Test
    void convSamePadsBottomRightFirst() {
        // 5 rows, kernel 2, stride 2: 3 outputs, one pad row, which goes to the bottom (and right).
        Conv2dOp op = new Conv2dOp(Shape.nchw(1, 1, 5, 5), 1, Size2.of(2), Size2.of(2), Padding.SAME, true);
        assertEquals(new Pads(0, 1, 0, 1), op.pads());
        double[] y = ConvReference.forward(op, ramp(5, 5), new double[] {1, 1, 1, 1}, new double[] {0.5});
        assertEquals(0 + 1 + 5 + 6 + 0.5, y[0], EXACT);
        assertEquals(20 + 21 + 0.5, y[6], EXACT);
        assertEquals(24 + 0.5, y[8], EXACT);
    }

    @Test
    void averagePoolExcludesPadding() {
        Pool2d op = new Pool2d(Shape.nchw(1, 1, 4, 4), PoolMode.AVERAGE, Size2.of(3), Size2.of(1), Padding.SAME);
        double[] ones = new double[16];
        Arrays.fill(ones, 1);
        double[] y = PoolReference.forward(op, ones);
        for (double v : y) {
            assertEquals(1, v, EXACT, "a padded cell counted in the average");
        }
        assertEquals((0 + 1 + 4 + 5) / 4.0, PoolReference.forward(op, ramp(4, 4))[0], EXACT);
    }

    @Test
    void maxPoolIgnoresPadding() {
        Pool2d op = new Pool2d(Shape.nchw(1, 1, 4, 4), PoolMode.MAX, Size2.of(3), Size2.of(2), Padding.SAME);
        double[] negative = new double[16];
        Arrays.fill(negative, -1);
        for (double v : PoolReference.forward(op, negative)) {
            assertEquals(-1, v, EXACT, "a padded zero won a max");
        }
    }

    @Test
    void batchNormUsesBiasedVarianceEverywhere() {
        BatchNorm op = new BatchNorm(Shape.of(4, 1), 1e-3f, 0.99f);
        double eps = 1e-3f;
        BatchNormReference.Training t = BatchNormReference.forwardTraining(op, new double[] {1, 2, 3, 4},
                new double[] {2}, new double[] {0.5}, new double[] {0}, new double[] {1});
        assertEquals(2.5, t.mean()[0], EXACT);
        assertEquals(1.25, t.variance()[0], EXACT);
        assertEquals(2 * -1.5 / Math.sqrt(1.25 + eps) + 0.5, t.y()[0], EXACT);
        assertEquals(0.01 * 2.5, t.movingMean()[0], 1e-7);
        assertEquals(0.99 + 0.01 * 1.25, t.movingVariance()[0], 1e-7);
    }

    @Test
    void softmaxCrossEntropyKnownValues() {
        SoftmaxCrossEntropy op = new SoftmaxCrossEntropy(Shape.of(2, 2), true);
        double[] logits = {0, Math.log(3), 1000, 0};
        double[] labels = SoftmaxCrossEntropyReference.oneHot(new int[] {1, 0}, 2);
        SoftmaxCrossEntropyReference.Result r = SoftmaxCrossEntropyReference.forward(op, logits, labels, 0.3);
        assertArrayEquals(new double[] {0.25, 0.75, 1, 0}, r.probs(), EXACT);
        assertEquals(0.3 * -Math.log(0.75) / 2, r.loss(), EXACT);
        assertArrayEquals(new double[] {0.3 * 0.25 / 2, 0.3 * -0.25 / 2, 0, 0}, r.dlogits(), EXACT);
        assertTrue(Double.isFinite(r.loss()), "a logit of 1000 overflowed");
    }

    @Test
    void denseUsesAnInByUnitsKernel() {
        DenseOp op = DenseOp.of(Shape.of(1, 2), 3);
        double[] y = DenseReference.forward(op, new double[] {1, 2}, new double[] {1, 2, 3, 4, 5, 6},
                new double[] {0.5, 0, -1});
        assertArrayEquals(new double[] {9.5, 12, 14}, y, EXACT);
    }

    @Test
    void concatStacksChannelsInOrder() {
        Concat op = Concat.of(Shape.of(2, 1), Shape.of(2, 2));
        double[] y = ConcatReference.forward(op, List.of(new double[] {1, 2}, new double[] {3, 4, 5, 6}));
        assertArrayEquals(new double[] {1, 3, 4, 2, 5, 6}, y, EXACT);
    }

    @Test
    void zeroPadPlacesTheInput() {
        ZeroPad2d op = new ZeroPad2d(Shape.nchw(1, 1, 1, 2), new Pads(1, 0, 0, 1));
        assertArrayEquals(new double[] {0, 0, 0, 7, 8, 0}, ZeroPadReference.forward(op, new double[] {7, 8}), EXACT);
    }

    @Test
    void adamFirstStepMovesByAboutTheLearningRate() {
        Adam op = new Adam(0.1f, 0.9f, 0.999f, 1e-7f);
        double[] p = {1, 1};
        double[] g = {0.5, -2};
        double[] m = new double[2];
        double[] v = new double[2];
        OptimizerReference.adam(op, 1, p, g, m, v);
        // Step 1: m = 0.1 g, v = 0.001 g^2, alpha = lr sqrt(0.001) / 0.1, so the step is
        // lr * sqrt(0.001)|g| / (sqrt(0.001)|g| + eps) in the direction of -g.
        double lr = 0.1f;
        double eps = 1e-7f;
        double s = Math.sqrt(1 - (double) 0.999f);
        assertEquals(1 - lr * s * 0.5 / (s * 0.5 + eps), p[0], 1e-9);
        assertEquals(1 + lr * s * 2 / (s * 2 + eps), p[1], 1e-9);
        assertEquals((1 - (double) 0.9f) * 0.5, m[0], EXACT);
        assertEquals((1 - (double) 0.999f) * 4, v[1], EXACT);
    }

    @Test
    void sgdMomentumTwoSteps() {
        SgdMomentum op = new SgdMomentum(0.5f, 0.75f);
        double[] p = {2};
        double[] vel = {0};
        OptimizerReference.sgdMomentum(op, p, new double[] {1}, vel);
        assertEquals(-0.5, vel[0], EXACT);
        assertEquals(1.5, p[0], EXACT);
        OptimizerReference.sgdMomentum(op, p, new double[] {-2}, vel);
        assertEquals(0.75 * -0.5 + 1, vel[0], EXACT);
        assertEquals(1.5 + 0.625, p[0], EXACT);
    }
}
