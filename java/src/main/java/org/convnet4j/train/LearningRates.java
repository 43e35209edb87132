package org.convnet4j.train;

import java.io.PrintStream;

import org.convnet4j.report.History;

/**
 * The learning rate of every step of one {@link Fit} run: the optimizer's configured rate, reduced by
 * a {@link ReduceLROnPlateau} when one is given, times the schedule's factor at the step. The plateau's
 * state moves only at the end of an epoch and only with that epoch's metrics, so {@link #replay}
 * over the history a resumed run continues puts it exactly where the interrupted run left it.
 */
final class LearningRates {
    private final LearningRateSchedule schedule;
    private final ReduceLROnPlateau plateau;
    /** The configured rate as the plateau has reduced it (the configured one while it has not). */
    private double base;
    private double best = Double.NaN;
    private int wait;
    private int cooldownLeft;

    LearningRates(double base, LearningRateSchedule schedule, ReduceLROnPlateau plateau) {
        this.base = base;
        this.schedule = schedule;
        this.plateau = plateau;
    }

    /** The rate of the step about to be taken at {@code p}. */
    double at(LearningRateSchedule.Position p) {
        return base * schedule.factor(p);
    }

    /** The configured rate as the plateau has reduced it so far. */
    double reducedBase() {
        return base;
    }

    /** The epochs of {@code history} before {@code firstEpoch}, as if this run had trained them. */
    void replay(History history, int firstEpoch) {
        for (History.Epoch e : history.epochs()) {
            if (e.epoch() < firstEpoch) {
                epochEnd(e, null);
            }
        }
    }

    /**
     * Keras' ReduceLROnPlateau.on_epoch_end: returns whether the rate was reduced, saying so on
     * {@code out} (may be null: silent). An epoch whose monitored metric was not measured (NaN, as
     * without validation data) changes nothing, as Keras skips a missing metric.
     */
    boolean epochEnd(History.Epoch e, PrintStream out) {
        if (plateau == null) {
            return false;
        }
        double current = plateau.monitor().value(e);
        if (Double.isNaN(current)) {
            return false;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            wait = 0;
        }
        if (plateau.monitor().improves(current, best, plateau.minDelta())) {
            best = current;
            wait = 0;
            return false;
        }
        if (cooldownLeft > 0) {
            return false;
        }
        wait++;
        if (wait < plateau.patience() || !(base > plateau.minLr())) {
            return false;
        }
        base = Math.max(base * plateau.factor(), plateau.minLr());
        cooldownLeft = plateau.cooldown();
        wait = 0;
        if (out != null) {
            out.println("Epoch " + e.epoch() + ": ReduceLROnPlateau reducing learning rate to " + base + ".");
        }
        return true;
    }
}
