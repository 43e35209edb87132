package org.convnet4j.onnx;

import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.StringJoiner;

import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.Weights;
import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.Add;
import org.convnet4j.graph.layers.AveragePooling2D;
import org.convnet4j.graph.layers.BatchNormalization;
import org.convnet4j.graph.layers.Concatenate;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Dropout;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.graph.layers.GlobalAveragePooling2D;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.graph.layers.MaxPooling2D;
import org.convnet4j.graph.layers.ZeroPadding2D;
import org.convnet4j.io.AtomicFiles;
import org.convnet4j.onnx.proto.Onnx.GraphProto;
import org.convnet4j.onnx.proto.Onnx.ModelProto;
import org.convnet4j.onnx.proto.Onnx.OperatorSetIdProto;
import org.convnet4j.onnx.proto.Onnx.StringStringEntryProto;
import org.convnet4j.onnx.proto.Onnx.TensorProto;
import org.convnet4j.onnx.proto.Onnx.TensorShapeProto;
import org.convnet4j.onnx.proto.Onnx.TypeProto;
import org.convnet4j.onnx.proto.Onnx.ValueInfoProto;

/**
 * A model and its weights as an ONNX file (opset 17, IR version 8) that ONNX Runtime and other
 * consumers run: one input {@code N x C x H x W} with a symbolic batch N, named after the input layer;
 * one output per model output, {@code N x classes} probabilities (the softmax our predictions apply),
 * named after its layer, the main output first. Parameters are initializers under their checkpoint
 * keys. The inference form: batch norm with its moving statistics, dropout the identity. docs/ONNX.md
 * lists the conversion of every layer.
 *
 * <pre>{@code
 * OnnxExport.write(model, weights, Path.of("model.onnx"));
 * }</pre>
 */
public final class OnnxExport {
    /** The ONNX operator set the files use. */
    public static final int OPSET = 17;
    /** The IR version of opset 17. */
    public static final int IR_VERSION = 8;
    /** Metadata key of the loss weights of a model with several outputs, comma-separated, as import reads them. */
    public static final String LOSS_WEIGHTS = "convnet4j.loss_weights";

    private OnnxExport() {
    }

    /**
     * Writes the file atomically (a temporary file renamed over {@code file}).
     *
     * @param model the model to export
     * @param weights its parameter values
     * @param file where to write; its folder must exist
     */
    public static void write(Model model, Weights weights, Path file) {
        ModelProto m = proto(model, weights);
        AtomicFiles.write(file, channel -> {
            OutputStream out = Channels.newOutputStream(channel);
            m.writeTo(out);
            out.flush();
        });
    }

    /**
     * The file's bytes (ONNX Runtime's sessions take them as they are).
     *
     * @param model the model to export
     * @param weights its parameter values
     * @return the ONNX ModelProto's bytes
     */
    public static byte[] toBytes(Model model, Weights weights) {
        return proto(model, weights).toByteArray();
    }

    static ModelProto proto(Model model, Weights weights) {
        if (weights.model() != model) {
            throw new IllegalArgumentException("ONNX export: the weights belong to model " + weights.model().name()
                    + ", not " + model.name());
        }
        GraphProto.Builder graph = GraphProto.newBuilder().setName(model.name());
        GraphWriter g = new GraphWriter(model, weights, graph);
        for (Node n : model.nodes()) {
            write(n, g, graph);
        }
        for (Node o : model.outputs()) {
            graph.addOutput(valueInfo(g.value(o), o));
        }
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("convnet4j")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph);
        if (model.outputs().size() > 1) {
            StringJoiner w = new StringJoiner(",");
            for (int i = 0; i < model.outputs().size(); i++) {
                w.add(Double.toString(model.lossWeight(i)));
            }
            m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(LOSS_WEIGHTS).setValue(w.toString()));
        }
        return m.build();
    }

    private static void write(Node n, GraphWriter g, GraphProto.Builder graph) {
        var layer = n.layer();
        if (layer instanceof Input) {
            g.define(n, layer.name());
            graph.addInput(valueInfo(layer.name(), n));
        } else if (layer instanceof Conv2D c) {
            ConvOnnx.write(c, n, g);
        } else if (layer instanceof Dense d) {
            DenseOnnx.write(d, n, g);
        } else if (layer instanceof MaxPooling2D p) {
            PoolOnnx.write(p.op(1), n, g);
        } else if (layer instanceof AveragePooling2D p) {
            PoolOnnx.write(p.op(1), n, g);
        } else if (layer instanceof GlobalAveragePooling2D) {
            PoolOnnx.writeGlobal(n, g);
        } else if (layer instanceof BatchNormalization b) {
            BatchNormOnnx.write(b, n, g);
        } else if (layer instanceof Activation a) {
            ActivationOnnx.write(a, n, g);
        } else if (layer instanceof Dropout d) {
            DropoutOnnx.write(d, n, g);
        } else if (layer instanceof Flatten) {
            FlattenOnnx.write(n, g);
        } else if (layer instanceof ZeroPadding2D z) {
            PadOnnx.write(z, n, g);
        } else if (layer instanceof Add) {
            AddOnnx.write(n, g);
        } else if (layer instanceof Concatenate) {
            ConcatOnnx.write(n, g);
        } else {
            throw new IllegalArgumentException("ONNX export: layer " + layer.name() + " of type " + layer.type()
                    + " has no ONNX conversion");
        }
    }

    /** A float tensor of N x (the node's per-sample shape), N symbolic. */
    private static ValueInfoProto valueInfo(String name, Node n) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (long d : n.shape().dims()) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }
}
