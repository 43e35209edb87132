package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.report.History;
import org.junit.jupiter.api.Test;

/**
 * ReduceLROnPlateau as Keras' on_epoch_end decides, on a sequence worked out by hand, and its state
 * rebuilt from a history for a resumed run.
 */
class ReduceLROnPlateauTest {
    /** factor 0.5, patience 2, minDelta 0.01, cooldown 1, minLr 0.1, on val_loss, from a rate of 1. */
    private static final ReduceLROnPlateau PLATEAU = ReduceLROnPlateau.keras().withFactor(0.5).withPatience(2)
            .withMinDelta(0.01).withCooldown(1).withMinLr(0.1);

    /**
     * <pre>
     * epoch  val_loss  best   wait  cooldown  rate
     *   1    1.0       1.0    0     0         1      improves on nothing
     *   2    0.95      0.95   0     0         1      improves by more than 0.01
     *   3    0.945     0.95   1     0         1
     *   4    0.944     0.95   0     1         0.5    waited 2: reduced, cooldown 1
     *   5    0.942     0.95   1     0         0.5    cooldown ends (wait reset), then waits
     *   6    0.8       0.8    0     0         0.5
     *   7    0.81      0.8    1     0         0.5
     *   8    0.805     0.8    0     1         0.25   reduced
     *   9    0.9       0.8    1     0         0.25
     *  10    0.9       0.8    0     1         0.125  reduced
     *  11    NaN       (not measured: nothing changes)
     *  12    0.9       0.8    1     0         0.125
     *  13    0.9       0.8    0     1         0.1    0.0625 is below minLr: 0.1
     *  14    0.9       0.8    1     0         0.1
     *  15    0.9       0.8    2     0         0.1    at minLr: no further reduction
     * </pre>
     */
    static final double[] VAL_LOSS = {1.0, 0.95, 0.945, 0.944, 0.942, 0.8, 0.81, 0.805, 0.9, 0.9, Double.NaN, 0.9, 0.9,
        0.9, 0.9};
    static final double[] RATE = {1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.125, 0.1, 0.1, 0.1};

    @Test
    void reducesAsKerasDecidesWithCooldownAndMinLr() {
        LearningRates rates = new LearningRates(1.0, LearningRateSchedule.constant(), PLATEAU);
        List<Integer> reducedAt = new ArrayList<>();
        for (int e = 1; e <= VAL_LOSS.length; e++) {
            if (rates.epochEnd(epoch(e), null)) {
                reducedAt.add(e);
            }
            assertEquals(RATE[e - 1], rates.reducedBase(), 0, "after epoch " + e);
        }
        assertEquals(List.of(4, 8, 10, 13), reducedAt);
    }

    /** A resumed run replays the history's epochs and is then where the uninterrupted run is, every epoch on. */
    @Test
    void theHistoryPutsAResumedRunWhereTheInterruptedOneWas() {
        for (int stop = 1; stop < VAL_LOSS.length; stop++) {
            LearningRates whole = new LearningRates(1.0, LearningRateSchedule.constant(), PLATEAU);
            History h = new History();
            for (int e = 1; e <= stop; e++) {
                h.add(epoch(e));
                whole.epochEnd(epoch(e), null);
            }
            LearningRates resumed = new LearningRates(1.0, LearningRateSchedule.constant(), PLATEAU);
            resumed.replay(h, stop + 1);
            for (int e = stop + 1; e <= VAL_LOSS.length; e++) {
                assertEquals(whole.epochEnd(epoch(e), null), resumed.epochEnd(epoch(e), null), "stopped after " + stop);
                assertEquals(whole.reducedBase(), resumed.reducedBase(), 0, "stopped after " + stop + ", epoch " + e);
            }
        }
    }

    /** The rate of a step is the configured rate, as reduced, times the schedule's factor. */
    @Test
    void theScheduleMultipliesTheReducedRate() {
        LearningRates rates = new LearningRates(0.01, LearningRateSchedule.step(1, 0.5), PLATEAU.withMinLr(0));
        LearningRateSchedule.Position third = new LearningRateSchedule.Position(2, 0, 5, 10);
        assertEquals(0.01 * 0.25, rates.at(third), 1e-18);
        for (int e = 1; e <= 4; e++) {
            rates.epochEnd(epoch(e), null);
        }
        assertEquals(0.005 * 0.25, rates.at(third), 1e-18);
        assertFalse(new LearningRates(0.01, LearningRateSchedule.constant(), null).epochEnd(epoch(4), null));
    }

    @Test
    void settingsAreCheckedAndTheTextFormReadsBack() {
        assertEquals(ReduceLROnPlateau.keras().withPatience(3), ReduceLROnPlateau.parse("3"));
        assertEquals(ReduceLROnPlateau.keras().withPatience(2).withFactor(0.5), ReduceLROnPlateau.parse("2:0.5"));
        assertEquals("2:0.5", ReduceLROnPlateau.parse("2:0.5").spec());
        assertTrue(PLATEAU.spec().startsWith("2:0.5 (monitor val_loss"), PLATEAU.spec());
        for (String bad : List.of("", "x", "2:1.5", "2:0", "-1", "1:2:3")) {
            assertThrows(IllegalArgumentException.class, () -> ReduceLROnPlateau.parse(bad), bad);
        }
    }

    private static History.Epoch epoch(int e) {
        return new History.Epoch(e, 1.0, 0.5, VAL_LOSS[e - 1], 0.5, 1);
    }
}
