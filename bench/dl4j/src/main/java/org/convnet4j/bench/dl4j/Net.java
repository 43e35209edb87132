package org.convnet4j.bench.dl4j;

import java.util.Arrays;
import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A built zoo model: a MultiLayerNetwork for the sequential ones, a ComputationGraph for the others.
 * {@link #fit} is one training step (forward, loss, backward, Adam update) on one batch;
 * {@link #infer} is one forward pass in inference mode of the main output.
 */
public final class Net {
    private final String name;
    private final MultiLayerNetwork mln;
    private final ComputationGraph graph;
    private final int outputs;
    private final List<String> mainOutput;

    private Net(String name, MultiLayerNetwork mln, ComputationGraph graph) {
        this.name = name;
        this.mln = mln;
        this.graph = graph;
        this.outputs = graph == null ? 1 : graph.getNumOutputArrays();
        this.mainOutput = graph == null ? null : List.of(graph.getConfiguration().getNetworkOutputs().get(0));
    }

    static Net of(String name, MultiLayerNetwork mln) {
        mln.init();
        return new Net(name, mln, null);
    }

    static Net of(String name, ComputationGraph graph) {
        graph.init();
        return new Net(name, null, graph);
    }

    public String name() {
        return name;
    }

    /** Every parameter DL4J stores, batch norm's moving mean and variance included (as Keras counts). */
    public long numParams() {
        return graph == null ? mln.numParams() : graph.numParams();
    }

    /** How many outputs the model trains (GoogLeNet: 3, the main one and two auxiliary heads). */
    public int outputs() {
        return outputs;
    }

    public void fit(INDArray features, INDArray labels) {
        if (graph == null) {
            mln.fit(features, labels);
        } else {
            INDArray[] l = new INDArray[outputs];
            Arrays.fill(l, labels);
            graph.fit(new INDArray[] {features}, l);
        }
    }

    /** The main output's probabilities in inference mode; auxiliary heads are not computed. */
    public INDArray infer(INDArray features) {
        if (graph == null) {
            return mln.output(features, false);
        }
        if (outputs == 1) {
            return graph.output(false, features)[0];
        }
        return graph.output(mainOutput, false, new INDArray[] {features}, null)[0];
    }

    /** The last training step's loss, as DL4J reports it. */
    public double score() {
        return graph == null ? mln.score() : graph.score();
    }

    public Layer[] layers() {
        return graph == null ? mln.getLayers() : graph.getLayers();
    }

    /** DL4J's layer table, with each layer's input and output shape for an image input h x w x c. */
    public String summary(int h, int w, int c) {
        InputType in = InputType.convolutional(h, w, c);
        return graph == null ? mln.summary(in) : graph.summary(in);
    }
}
