package org.convnet4j.train;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.graph.ParamRef;
import org.convnet4j.report.History;

/**
 * Keras' EarlyStopping: stop after {@code patience} epochs without improvement of the monitored
 * metric. With {@code restoreBestWeights} the weights of the best epoch are put back when training
 * ends, whether it stopped early or ran all its epochs (Keras only does the former; a model that got
 * worse in its last epochs should not be what a run leaves behind).
 */
public final class EarlyStopping implements Callback {
    private final Monitor monitor;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBestWeights;
    private double best = Double.NaN;
    private int bestEpoch;
    private int wait;
    private List<float[]> bestWeights;

    /**
     * Stops a run whose monitored metric stopped improving.
     *
     * @param monitor the metric watched
     * @param patience epochs without improvement before stopping
     * @param minDelta the smallest change that counts as improvement
     * @param restoreBestWeights whether the run ends with the best epoch's weights
     */
    public EarlyStopping(Monitor monitor, int patience, double minDelta, boolean restoreBestWeights) {
        if (patience < 0) {
            throw new IllegalArgumentException("EarlyStopping: patience must be >= 0. Received " + patience);
        }
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.restoreBestWeights = restoreBestWeights;
    }

    @Override
    public boolean onEpochEnd(History.Epoch e, Trainer t) {
        double v = monitor.value(e);
        if (monitor.improves(v, best, minDelta)) {
            best = v;
            bestEpoch = e.epoch();
            wait = 0;
            if (restoreBestWeights) {
                bestWeights = new ArrayList<>();
                for (ParamRef p : t.model().params()) {
                    bestWeights.add(t.weights().read(p));
                }
            }
            return false;
        }
        wait++;
        return wait > patience;
    }

    @Override
    public void onTrainEnd(Trainer t) {
        if (restoreBestWeights && bestWeights != null) {
            for (ParamRef p : t.model().params()) {
                t.weights().write(p, bestWeights.get(p.index()));
            }
        }
    }

    /**
     * The epoch whose weights are (or would be) restored; 0 before any epoch improved.
     *
     * @return the epoch, from 1, or 0
     */
    public int bestEpoch() {
        return bestEpoch;
    }

    /**
     * The best value of the metric so far.
     *
     * @return the value, NaN before the first epoch
     */
    public double best() {
        return best;
    }
}
