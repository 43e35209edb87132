package org.convnet4j.bench.dl4j;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * The DL4J layers the zoo models are made of, with docs/ZOO.md's (Keras') settings: glorot-uniform
 * weights (XAVIER_UNIFORM), zero biases, Adam with Keras' defaults, batch norm with epsilon 1e-3 and
 * momentum 0.99, softmax with categorical cross-entropy. Keras 'same' is ConvolutionMode.Same,
 * 'valid' is ConvolutionMode.Truncate. Data are float and NCHW.
 */
final class Layers {
    /** Keras' Adam: learning rate 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-7. */
    static final double LR = 1e-3;
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double ADAM_EPSILON = 1e-7;
    static final double BN_EPSILON = 1e-3;
    static final double BN_MOMENTUM = 0.99;

    private Layers() {
    }

    /** The settings every model shares; layers override the convolution mode where docs/ZOO.md says 'same'. */
    static NeuralNetConfiguration.Builder base(long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .biasInit(0.0)
                .updater(new Adam(LR, BETA1, BETA2, ADAM_EPSILON))
                .convolutionMode(ConvolutionMode.Truncate)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
    }

    static ConvolutionMode mode(boolean same) {
        return same ? ConvolutionMode.Same : ConvolutionMode.Truncate;
    }

    /** Conv2D(filters, kh x kw, stride, same or valid) with a bias, relu or linear. */
    static ConvolutionLayer conv(int filters, int kh, int kw, int stride, boolean same, boolean relu) {
        return new ConvolutionLayer.Builder(kh, kw).stride(stride, stride).nOut(filters)
                .convolutionMode(mode(same))
                .activation(relu ? Activation.RELU : Activation.IDENTITY).build();
    }

    /** Conv2D(filters, k x k, stride 1, same, relu): the most common convolution of the zoo. */
    static ConvolutionLayer convSameRelu(int filters, int k) {
        return conv(filters, k, k, 1, true, true);
    }

    /** A linear convolution without bias (Keras' use_bias=False), as Inception-v3's conv2d_bn has it. */
    static ConvolutionLayer convNoBias(int filters, int kh, int kw, int stride, boolean same) {
        return new ConvolutionLayer.Builder(kh, kw).stride(stride, stride).nOut(filters)
                .convolutionMode(mode(same)).hasBias(false)
                .activation(Activation.IDENTITY).build();
    }

    static SubsamplingLayer maxPool(int k, int stride, boolean same) {
        return new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(k, k).stride(stride, stride)
                .convolutionMode(mode(same)).build();
    }

    /** Average pooling; with 'same' padding the divisor counts only the real pixels, as Keras does. */
    static SubsamplingLayer avgPool(int k, int stride, boolean same) {
        return new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(k, k).stride(stride, stride)
                .convolutionMode(mode(same)).avgPoolIncludePadInDivisor(false).build();
    }

    static GlobalPoolingLayer globalAvgPool() {
        return new GlobalPoolingLayer.Builder(PoolingType.AVG).build();
    }

    /** Keras BatchNormalization(): gamma, beta, moving mean and variance per channel. */
    static BatchNormalization bn() {
        return new BatchNormalization.Builder().eps(BN_EPSILON).decay(BN_MOMENTUM).build();
    }

    static ActivationLayer relu() {
        return new ActivationLayer.Builder().activation(Activation.RELU).build();
    }

    static DenseLayer dense(int units) {
        return new DenseLayer.Builder().nOut(units).activation(Activation.RELU).build();
    }

    /** Keras Dropout(p) drops with probability p; DL4J's argument is the probability of keeping. */
    static DropoutLayer dropout(double dropProbability) {
        return new DropoutLayer.Builder(1.0 - dropProbability).build();
    }

    /** Dense(classes, softmax) with categorical cross-entropy. */
    static OutputLayer softmax(int classes) {
        return softmax(classes, 1.0);
    }

    /**
     * Dense(classes, softmax) with categorical cross-entropy scaled by {@code lossWeight}: a uniform
     * per-class weight multiplies the loss and its gradient by that factor (GoogLeNet's 0.3 heads).
     */
    static OutputLayer softmax(int classes, double lossWeight) {
        LossMCXENT loss = lossWeight == 1.0 ? new LossMCXENT()
                : new LossMCXENT(Nd4j.valueArrayOf(new long[] {1, classes}, lossWeight, DataType.FLOAT));
        return new OutputLayer.Builder(loss).nOut(classes).activation(Activation.SOFTMAX).build();
    }
}
