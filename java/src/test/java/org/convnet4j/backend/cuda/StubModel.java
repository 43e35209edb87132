package org.convnet4j.backend.cuda;

import java.util.SplittableRandom;
import java.util.Set;
import java.util.TreeSet;

import org.convnet4j.graph.ActivationFn;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.Precision;
import org.convnet4j.graph.Weights;
import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.Add;
import org.convnet4j.graph.layers.AveragePooling2D;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Concatenate;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Dropout;
import org.convnet4j.graph.layers.GlobalAveragePooling2D;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.graph.layers.MaxPooling2D;
import org.convnet4j.graph.layers.ZeroPadding2D;
import org.convnet4j.ops.Adam;
import org.convnet4j.ops.Padding;
import org.convnet4j.train.Optimizer;
import org.convnet4j.train.Trainer;

/**
 * A small model with one of every layer kind the zoo uses, so that a training step launches nearly
 * every kernel and library call of the CUDA backend: zero padding, convolution with bias and relu,
 * a "same" convolution with an even kernel (explicit pad and crop), batch norm + relu and batch norm
 * + add + relu (our kernels), a plain batch norm (cuDNN), max and average pooling, concatenation,
 * global average pooling, dense layers, dropout, softmax cross-entropy and Adam.
 */
final class StubModel {
    private StubModel() {
    }

    static Model build() {
        Node in = Input.image(10, 10, 3);
        Node x = new ZeroPadding2D(1).apply(in);                                          // 12x12x3
        x = new Conv2D(8, 3).activation(ActivationFn.RELU).apply(x);                     // 10x10x8
        Node a = new Conv2D(8, 2).padding(Padding.SAME).useBias(false).apply(x);        // even kernel: pad + crop
        a = new Activation(ActivationFn.RELU).apply(new BatchNormalization().apply(a));  // bn + relu
        Node r = new Conv2D(8, 3).padding(Padding.SAME).useBias(false).apply(a);
        r = new Activation(ActivationFn.RELU).apply(new Add().apply(new BatchNormalization().apply(r), x)); // bn + add + relu
        Node m = new MaxPooling2D(2).apply(r);                                            // 5x5x8
        Node v = new AveragePooling2D(2).apply(r);
        Node c = new BatchNormalization().apply(new Concatenate().apply(m, v));          // plain bn on 5x5x16
        Node g = new GlobalAveragePooling2D().apply(c);
        Node d = new Dropout(0.5).apply(new Dense(12).activation(ActivationFn.RELU).apply(g));
        return Model.of("stub_model", in, new Dense(5).activation(ActivationFn.SOFTMAX).apply(d));
    }

    /** Two training steps, one evaluation and one prediction at batch 4; the layer types it holds. */
    static Set<String> trainEvaluatePredict(CudaBackend backend) {
        return trainEvaluatePredict(backend, Precision.FP32);
    }

    /** As above in {@code precision} (fp16 with its loss scaler: the trainer installs one). */
    static Set<String> trainEvaluatePredict(CudaBackend backend, Precision precision) {
        Model model = build();
        int batch = 4;
        SplittableRandom rnd = new SplittableRandom(3);
        float[] images = new float[batch * 10 * 10 * 3];
        int[] labels = new int[batch];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) rnd.nextDouble(-1, 1);
        }
        for (int i = 0; i < batch; i++) {
            labels[i] = rnd.nextInt(5);
        }
        try (Weights w = new Weights(model, backend);
             Optimizer adam = Optimizer.adam(model, backend, Adam.keras());
             Trainer trainer = new Trainer(model, backend, w, adam, precision)) {
            w.initialize(1);
            trainer.trainBatch(images, labels, batch);
            trainer.trainBatch(images, labels, batch);
            trainer.evaluateBatch(images, labels, batch);
            trainer.predictBatch(images, batch);
        }
        Set<String> types = new TreeSet<>();
        model.nodes().forEach(n -> types.add(n.layer().type()));
        return types;
    }
}
