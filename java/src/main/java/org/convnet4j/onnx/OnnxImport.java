package org.convnet4j.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;

import org.convnet4j.graph.ActivationFn;
import org.convnet4j.graph.Layer;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Input;
import org.convnet4j.onnx.proto.Onnx.GraphProto;
import org.convnet4j.onnx.proto.Onnx.ModelProto;
import org.convnet4j.onnx.proto.Onnx.NodeProto;
import org.convnet4j.onnx.proto.Onnx.OperatorSetIdProto;
import org.convnet4j.onnx.proto.Onnx.StringStringEntryProto;
import org.convnet4j.onnx.proto.Onnx.TensorProto;
import org.convnet4j.onnx.proto.Onnx.TensorShapeProto;
import org.convnet4j.onnx.proto.Onnx.TypeProto;
import org.convnet4j.onnx.proto.Onnx.ValueInfoProto;

/**
 * A {@link Model} from an ONNX file: one float image input N x C x H x W, the nodes of
 * {@link #SUPPORTED} in topological order, each output N x classes. Every node becomes the layer that
 * computes the same thing (docs/ONNX.md gives each conversion); a Relu right after a Conv or Gemm
 * becomes that layer's activation. Initializers a layer takes become its parameters, their names its
 * checkpoint keys; the constants other ops need (a Reshape's shape, a Pad's pads, Gemm's transB and
 * alpha) are folded, and so are the ops of {@link #FOLDED} where every input is a constant (exporters
 * compute pads that way). Anything else (an op, an attribute value, a data type) is an {@link OnnxException}
 * naming the node, its op type and what is supported: never an approximation.
 *
 * <p>Every convnet4j output ends in a softmax (fused into the loss in training), so an output the file
 * leaves as logits gets one: the model's predictions are then softmax(the file's output).
 */
public final class OnnxImport {
    /** The oldest opset (of the default domain) whose versions of the supported ops import reads. */
    public static final int MIN_OPSET = 9;
    /** The newest opset import reads. */
    public static final int MAX_OPSET = 21;

    /** How each supported op type becomes layers. */
    private interface Reader {
        void read(OnnxNode n, ImportGraph g);
    }

    private static final Map<String, Reader> READERS = new LinkedHashMap<>();

    static {
        READERS.put("Conv", ConvOnnx::read);
        READERS.put("BatchNormalization", BatchNormOnnx::read);
        READERS.put("Relu", ActivationOnnx::readRelu);
        READERS.put("MaxPool", PoolOnnx::readMax);
        READERS.put("AveragePool", PoolOnnx::readAverage);
        READERS.put("GlobalAveragePool", PoolOnnx::readGlobal);
        READERS.put("Gemm", DenseOnnx::readGemm);
        READERS.put("MatMul", DenseOnnx::readMatMul);
        READERS.put("Add", AddOnnx::read);
        READERS.put("Concat", ConcatOnnx::read);
        READERS.put("Flatten", FlattenOnnx::readFlatten);
        READERS.put("Reshape", FlattenOnnx::readReshape);
        READERS.put("Softmax", ActivationOnnx::readSoftmax);
        READERS.put("Dropout", DropoutOnnx::read);
        READERS.put("Pad", PadOnnx::read);
        READERS.put("Identity", DropoutOnnx::readIdentity);
        READERS.put("Constant", ConstantOnnx::read);
    }

    /** Ops that compute constants, which import evaluates (Concat, Reshape and Identity of constants too). */
    private static final Map<String, Reader> FOLDERS = new LinkedHashMap<>();

    static {
        FOLDERS.put("ConstantOfShape", ConstantFolding::constantOfShape);
        FOLDERS.put("Cast", ConstantFolding::cast);
        FOLDERS.put("Slice", ConstantFolding::slice);
        FOLDERS.put("Transpose", ConstantFolding::transpose);
        FOLDERS.put("Unsqueeze", ConstantFolding::unsqueeze);
        FOLDERS.put("Squeeze", ConstantFolding::squeeze);
    }

    /** The op types import reads (MatMul with the Add of its bias; Softmax at outputs). */
    public static final List<String> SUPPORTED = List.copyOf(READERS.keySet());
    /** The op types import evaluates where every input is a constant. */
    public static final List<String> FOLDED = List.copyOf(FOLDERS.keySet());

    private OnnxImport() {
    }

    /**
     * The model in an ONNX file, with its parameter values. A file import cannot read as it is throws
     * {@link OnnxException}; one that cannot be read at all, {@link UncheckedIOException}.
     *
     * @param file an ONNX file (opset 9 to 21)
     * @return the model and its parameter values
     */
    public static OnnxModel read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(parse(CodedInputStream.newInstance(in), file.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ONNX file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The model in the bytes of an ONNX file; see {@link #read(Path)}.
     *
     * @param bytes an ONNX file's contents
     * @return the model and its parameter values
     */
    public static OnnxModel read(byte[] bytes) {
        return read(parse(CodedInputStream.newInstance(bytes), "ONNX bytes"));
    }

    private static ModelProto parse(CodedInputStream in, String what) {
        in.setSizeLimit(Integer.MAX_VALUE);
        try {
            return ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException(what + " is not an ONNX model (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OnnxModel read(ModelProto m) {
        int opset = opset(m);
        GraphProto graph = m.getGraph();
        if (graph.getSparseInitializerCount() > 0) {
            throw new OnnxException("ONNX graph " + graph.getName() + ": sparse initializers are not supported");
        }
        List<OnnxNode> nodes = new ArrayList<>();
        for (NodeProto p : graph.getNodeList()) {
            nodes.add(new OnnxNode(p, nodes.size()));
        }
        List<String> outputNames = new ArrayList<>();
        for (ValueInfoProto o : graph.getOutputList()) {
            outputNames.add(o.getName());
        }
        Set<String> initializers = new HashSet<>();
        for (TensorProto t : graph.getInitializerList()) {
            initializers.add(t.getName());
        }
        ValueInfoProto inputInfo = input(graph, initializers);
        long[] in = imageShape(inputInfo);
        ImportGraph g = new ImportGraph(nodes, outputNames, opset, in[0]);
        for (TensorProto t : graph.getInitializerList()) {
            g.define(t.getName(), new ImportGraph.Constant(t.getName(), t));
        }
        Node input = Input.image(Math.toIntExact(in[2]), Math.toIntExact(in[3]), Math.toIntExact(in[1]),
                g.layerName(inputInfo.getName()));
        g.define(inputInfo.getName(), input);
        for (OnnxNode n : nodes) {
            if (!g.absorbed(n)) {
                read(n, g);
            }
        }
        List<Node> outputs = new ArrayList<>();
        for (String name : outputNames) {
            outputs.add(output(name, g));
        }
        String name = graph.getName().isEmpty() ? "onnx" : graph.getName();
        return new OnnxModel(Model.of(name, input, outputs, lossWeights(m, outputs.size())), g.params());
    }

    private static void read(OnnxNode n, ImportGraph g) {
        if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
            throw n.error("domain " + n.domain() + " is not supported; supported (ai.onnx): " + String.join(", ", SUPPORTED)
                    + "; on constants only: " + String.join(", ", FOLDED));
        }
        Reader r = READERS.get(n.opType());
        if (r == null) {
            r = FOLDERS.get(n.opType());
        }
        if (r == null) {
            throw n.error("op type " + n.opType() + " is not supported; supported: " + String.join(", ", SUPPORTED)
                    + "; on constants only: " + String.join(", ", FOLDED));
        }
        try {
            r.read(n, g);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // A layer's own check (a window that does not fit, shapes that do not add), said about the node.
            throw n.error(e.getMessage());
        }
        n.checkAttributesRead();
    }

    /** The opset of the default domain, within what import knows. */
    private static int opset(ModelProto m) {
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                long v = o.getVersion();
                if (v < MIN_OPSET || v > MAX_OPSET) {
                    throw new OnnxException("ONNX opset " + v + " is not supported; convnet4j imports opsets "
                            + MIN_OPSET + " to " + MAX_OPSET);
                }
                return (int) v;
            }
        }
        throw new OnnxException("the ONNX model imports no opset of the default domain (ai.onnx)");
    }

    /** The one graph input that is not an initializer (older files list initializers as inputs too). */
    private static ValueInfoProto input(GraphProto graph, Set<String> initializers) {
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto v : graph.getInputList()) {
            if (!initializers.contains(v.getName())) {
                inputs.add(v);
            }
        }
        if (inputs.size() != 1) {
            List<String> names = new ArrayList<>();
            inputs.forEach(v -> names.add(v.getName()));
            throw new OnnxException("expected one graph input (the images). Received " + inputs.size() + ": " + names);
        }
        return inputs.get(0);
    }

    /** [batch (or -2 where symbolic), C, H, W] of a float image input. */
    private static long[] imageShape(ValueInfoProto v) {
        TypeProto t = v.getType();
        String what = "graph input '" + v.getName() + "'";
        if (!t.hasTensorType() || t.getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new OnnxException(what + ": expected a float32 tensor. Received "
                    + (t.hasTensorType() ? Tensors.typeName(t.getTensorType().getElemType()) : "a value that is not a tensor"));
        }
        List<TensorShapeProto.Dimension> dims = t.getTensorType().getShape().getDimList();
        if (dims.size() != 4) {
            throw new OnnxException(what + ": expected N x C x H x W images. Received rank " + dims.size());
        }
        long[] s = new long[4];
        s[0] = dims.get(0).hasDimValue() && dims.get(0).getDimValue() > 0 ? dims.get(0).getDimValue() : -2;
        for (int i = 1; i < 4; i++) {
            if (!dims.get(i).hasDimValue() || dims.get(i).getDimValue() <= 0) {
                throw new OnnxException(what + ": channels, height and width must be fixed. Received " + dims);
            }
            s[i] = dims.get(i).getDimValue();
        }
        return s;
    }

    /** A graph output as a model output: N x classes, ending in a softmax (appended where the file has none). */
    private static Node output(String name, ImportGraph g) {
        ImportGraph.Value v = g.peek(name);
        if (!(v instanceof ImportGraph.Activation a)) {
            throw new OnnxException("graph output '" + name + "' is " + (v == null ? "not written by any node" : "a constant"));
        }
        if (a.onnxRank() != 2 || a.node().shape().rank() != 1) {
            throw new OnnxException("graph output '" + name + "': expected N x classes. Received rank " + a.onnxRank());
        }
        if (softmax(a.node().layer())) {
            return a.node();
        }
        return new Activation(ActivationFn.SOFTMAX).name(g.layerName(name + "/softmax")).apply(a.node());
    }

    private static boolean softmax(Layer l) {
        return (l instanceof Dense d && d.activation() == ActivationFn.SOFTMAX)
                || (l instanceof Conv2D c && c.activation() == ActivationFn.SOFTMAX)
                || (l instanceof Activation a && a.activation() == ActivationFn.SOFTMAX);
    }

    /** The loss weights our export recorded, else 1 for every output. */
    private static double[] lossWeights(ModelProto m, int outputs) {
        double[] w = new double[outputs];
        java.util.Arrays.fill(w, 1.0);
        for (StringStringEntryProto e : m.getMetadataPropsList()) {
            if (e.getKey().equals(OnnxExport.LOSS_WEIGHTS)) {
                String[] p = e.getValue().split(",");
                if (p.length != outputs) {
                    throw new OnnxException("metadata " + OnnxExport.LOSS_WEIGHTS + " gives " + p.length + " weights for "
                            + outputs + " outputs");
                }
                for (int i = 0; i < outputs; i++) {
                    try {
                        w[i] = Double.parseDouble(p[i].trim());
                    } catch (NumberFormatException ex) {
                        throw new OnnxException("metadata " + OnnxExport.LOSS_WEIGHTS + ": '" + p[i] + "' is not a number");
                    }
                }
            }
        }
        return w;
    }
}
