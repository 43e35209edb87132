package org.convnet4j.bench.dl4j;

import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Synthetic batches with a fixed seed: uniform [0, 1) NCHW float images and random one-hot labels. */
final class Data {
    static final long SEED = 42L;

    private Data() {
    }

    static INDArray images(Models.Spec s, int batch) {
        Nd4j.getRandom().setSeed(SEED);
        return Nd4j.rand(DataType.FLOAT, s.inputShape(batch));
    }

    static INDArray oneHot(int batch, int classes) {
        SplittableRandom r = new SplittableRandom(SEED);
        float[][] y = new float[batch][classes];
        for (int i = 0; i < batch; i++) {
            y[i][r.nextInt(classes)] = 1f;
        }
        return Nd4j.create(y);
    }
}
