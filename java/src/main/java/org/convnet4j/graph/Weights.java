package org.convnet4j.graph;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.convnet4j.backend.Backend;
import org.convnet4j.tensor.Tensor;

/** A model's parameters on one backend, in the order of {@link Model#params()}. */
public final class Weights implements AutoCloseable {
    private final Model model;
    private final Backend backend;
    private final Tensor[] tensors;

    /**
     * Allocates every parameter of {@code model} on {@code backend}, contents undefined until {@link #initialize} or a load.
     *
     * @param model the model
     * @param backend where the tensors live
     */
    public Weights(Model model, Backend backend) {
        this.model = model;
        this.backend = backend;
        List<ParamRef> params = model.params();
        this.tensors = new Tensor[params.size()];
        for (ParamRef p : params) {
            tensors[p.index()] = backend.allocate(p.spec().shape());
        }
    }

    /**
     * Keras' initial values. Each parameter draws from its own stream, split from one seeded
     * generator in parameter order, so a seed fixes every weight of the model.
     *
     * @param seed the seed
     */
    public void initialize(long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        for (ParamRef p : model.params()) {
            SplittableRandom r = root.split();
            float[] v = new float[Math.toIntExact(p.spec().shape().size())];
            p.spec().initializer().fill(v, p.spec().shape(), r);
            backend.upload(v, tensors[p.index()]);
        }
    }

    /**
     * Loads a Keras HDF5 weight file (the legacy {@code .h5} layout of {@code model.save_weights} and
     * keras.applications) into these weights, converting layouts; every mismatch is listed in one
     * {@link org.convnet4j.keras.KerasWeightsException}. See {@link org.convnet4j.keras.KerasWeights}.
     * Returns the names of the layers loaded.
     *
     * @param file the {@code .h5} file
     * @return the names of the layers loaded, in graph order
     * @throws org.convnet4j.keras.KerasWeightsException if the file cannot be read or does not fit the
     *         model; then nothing is written
     */
    public List<String> loadKeras(Path file) {
        return org.convnet4j.keras.KerasWeights.load(file, this);
    }

    /**
     * As {@link #loadKeras(Path)}, leaving out the layers named in {@code skip} (a new head) in the model and the file.
     *
     * @param file the {@code .h5} file
     * @param skip names of layers neither loaded nor required in the file
     * @return the names of the layers loaded, in graph order
     * @throws org.convnet4j.keras.KerasWeightsException if the file cannot be read or does not fit the
     *         model; then nothing is written
     */
    public List<String> loadKeras(Path file, Set<String> skip) {
        return org.convnet4j.keras.KerasWeights.load(file, this, skip);
    }

    /**
     * The model these weights belong to.
     *
     * @return the model
     */
    public Model model() {
        return model;
    }

    /**
     * The backend the tensors live on.
     *
     * @return the backend
     */
    public Backend backend() {
        return backend;
    }

    /**
     * A parameter's tensor, owned by these weights.
     *
     * @param p a parameter of the model
     * @return the tensor
     */
    public Tensor get(ParamRef p) {
        return tensors[p.index()];
    }

    /**
     * A parameter's tensor by its index in {@link Model#params()}.
     *
     * @param index the index
     * @return the tensor
     */
    public Tensor get(int index) {
        return tensors[index];
    }

    /**
     * Downloads a parameter's values.
     *
     * @param p a parameter of the model
     * @return its values, row-major
     */
    public float[] read(ParamRef p) {
        float[] v = new float[Math.toIntExact(p.spec().shape().size())];
        backend.download(tensors[p.index()], v);
        return v;
    }

    /**
     * Uploads a parameter's values.
     *
     * @param p a parameter of the model
     * @param values as many as its shape holds, row-major
     */
    public void write(ParamRef p, float[] values) {
        backend.upload(values, tensors[p.index()]);
    }

    @Override
    public void close() {
        for (Tensor t : tensors) {
            t.close();
        }
    }
}
