package org.convnet4j.train;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.backend.Backend;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.Weights;
import org.convnet4j.ops.Adam;
import org.convnet4j.ops.SgdMomentum;
import org.convnet4j.tensor.Tensor;

/**
 * Adam (Keras defaults) or SGD with momentum over every trainable parameter, with its state (Adam's
 * moments, SGD's velocities) on the backend. The step counter is the optimizer's iteration count, as
 * Keras' {@code optimizer.iterations}, and is saved in checkpoints.
 */
public final class Optimizer implements AutoCloseable {
    private final Adam adam;
    private final SgdMomentum sgd;
    private final Model model;
    private final Backend backend;
    private final Tensor[] first;
    private final Tensor[] second;
    private long iterations;

    private Optimizer(Model model, Backend backend, Adam adam, SgdMomentum sgd) {
        this.model = model;
        this.backend = backend;
        this.adam = adam;
        this.sgd = sgd;
        this.first = new Tensor[model.params().size()];
        this.second = new Tensor[model.params().size()];
        for (ParamRef p : model.params()) {
            if (p.spec().trainable()) {
                first[p.index()] = backend.allocate(p.spec().shape());
                backend.fill(first[p.index()], 0f);
                if (adam != null) {
                    second[p.index()] = backend.allocate(p.spec().shape());
                    backend.fill(second[p.index()], 0f);
                }
            }
        }
    }

    public static Optimizer adam(Model model, Backend backend, Adam config) {
        return new Optimizer(model, backend, config, null);
    }

    public static Optimizer sgd(Model model, Backend backend, SgdMomentum config) {
        return new Optimizer(model, backend, null, config);
    }

    /** Applies one update from the gradients (indexed like the model's params). */
    public void step(Weights weights, Tensor[] grads) {
        iterations++;
        if (adam != null) {
            // one call for all parameters: a backend may update them all in one launch
            List<Tensor> params = new ArrayList<>();
            List<Tensor> g = new ArrayList<>();
            List<Tensor> m = new ArrayList<>();
            List<Tensor> v = new ArrayList<>();
            for (ParamRef p : model.params()) {
                if (p.spec().trainable()) {
                    int i = p.index();
                    params.add(weights.get(i));
                    g.add(grads[i]);
                    m.add(first[i]);
                    v.add(second[i]);
                }
            }
            backend.adamUpdateAll(adam, iterations, params, g, m, v);
            return;
        }
        for (ParamRef p : model.params()) {
            if (p.spec().trainable()) {
                int i = p.index();
                backend.sgdMomentumUpdate(sgd, weights.get(i), grads[i], first[i]);
            }
        }
    }

    public long iterations() {
        return iterations;
    }

    public void iterations(long n) {
        this.iterations = n;
    }

    /** Adam's first moment or SGD's velocity of parameter i (null for non-trainable ones). */
    public Tensor firstMoment(int i) {
        return first[i];
    }

    /** Adam's second moment of parameter i (null for SGD and non-trainable ones). */
    public Tensor secondMoment(int i) {
        return second[i];
    }

    public boolean isAdam() {
        return adam != null;
    }

    @Override
    public void close() {
        for (Tensor t : first) {
            if (t != null) {
                t.close();
            }
        }
        for (Tensor t : second) {
            if (t != null) {
                t.close();
            }
        }
    }
}
