package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.convnet4j.train.LearningRateSchedule.Position;
import org.junit.jupiter.api.Test;

/** Each schedule's factors against values worked out by hand, and the text forms of the command line. */
class LearningRateScheduleTest {
    private static final double EXACT = 1e-15;

    /** StepLR(step_size=2, gamma=0.5) over 5 epochs of 3 batches: 1, 1, 0.5, 0.5, 0.25 per epoch. */
    @Test
    void stepHalvesEveryTwoEpochs() {
        LearningRateSchedule s = LearningRateSchedule.step(2, 0.5);
        double[] perEpoch = {1, 1, 0.5, 0.5, 0.25};
        for (int e = 0; e < 5; e++) {
            for (int b = 0; b < 3; b++) {
                assertEquals(perEpoch[e], s.factor(new Position(e, b, 3, 5)), EXACT, "epoch " + e + " batch " + b);
            }
        }
    }

    /**
     * ExponentialDecay(decay_steps = one epoch of 4 batches, rate 0.9), not staircased: step k takes
     * 0.9^(k / 4). Epoch 0 batch 2 is step 2: 0.9^0.5 = 0.9486832980505138; epoch 2 batch 0 is step 8:
     * 0.81; epoch 3 batch 1 is step 13: 0.9^3.25 = 0.7100487311440414.
     */
    @Test
    void exponentialFallsEveryStep() {
        LearningRateSchedule s = LearningRateSchedule.exponential(0.9);
        assertEquals(1.0, s.factor(new Position(0, 0, 4, 10)), EXACT);
        assertEquals(0.9486832980505138, s.factor(new Position(0, 2, 4, 10)), 1e-15);
        assertEquals(0.81, s.factor(new Position(2, 0, 4, 10)), 1e-15);
        assertEquals(0.7100487311440414, s.factor(new Position(3, 1, 4, 10)), 1e-15);
    }

    /**
     * Cosine with 1 warmup epoch over 3 epochs of 4 batches: 12 steps, 4 of warmup at 1/4, 2/4, 3/4, 4/4,
     * then 0.5 (1 + cos(pi j / 8)) for j = 0..7: 1, 0.9619397662556434, 0.8535533905932737,
     * 0.6913417161825449, 0.5, 0.30865828381745514, 0.14644660940672627, 0.03806023374435663.
     */
    @Test
    void cosineWarmsUpLinearlyThenFollowsHalfACosine() {
        LearningRateSchedule s = LearningRateSchedule.cosine(1);
        double[] expected = {0.25, 0.5, 0.75, 1.0, 1.0, 0.9619397662556434, 0.8535533905932737, 0.6913417161825449, 0.5,
            0.30865828381745514, 0.14644660940672627, 0.03806023374435663};
        for (int k = 0; k < 12; k++) {
            assertEquals(expected[k], s.factor(new Position(k / 4, k % 4, 4, 3)), 1e-15, "step " + k);
        }
        assertTrue(s.dependsOnRunLength());
        assertEquals(1.0, LearningRateSchedule.cosine(0).factor(new Position(0, 0, 4, 3)), EXACT, "no warmup: from 1");
        assertEquals(0.2, LearningRateSchedule.cosine(5).factor(new Position(0, 0, 1, 2)), EXACT,
                "warmup longer than the run: all warmup (step 1 of 5), never a zero rate");
    }

    @Test
    void textFormsRoundTripAndBadOnesSayWhatIsExpected() {
        for (String spec : List.of("constant", "step:10:0.5", "exp:0.95", "cosine:2", "cosine:0")) {
            LearningRateSchedule s = LearningRateSchedule.parse(spec);
            assertEquals(spec, s.spec());
            assertEquals(s, LearningRateSchedule.parse(s.spec()));
        }
        assertEquals(LearningRateSchedule.step(3, 0.1), LearningRateSchedule.parse(" step:3:0.1 "));
        assertFalse(LearningRateSchedule.step(3, 0.1).dependsOnRunLength());
        for (String bad : List.of("", "linear", "step:3", "step:0:0.5", "step:2:1.5", "exp:0", "exp:x", "cosine:-1",
                "cosine", "constant:1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("expected") && e.getMessage().contains("Received"), e.getMessage());
        }
    }

    @Test
    void positionsOutsideTheRunAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Position(0, 4, 4, 3));
        assertThrows(IllegalArgumentException.class, () -> new Position(-1, 0, 4, 3));
        assertEquals(9, new Position(2, 1, 4, 3).step());
        assertEquals(12, new Position(2, 1, 4, 3).steps());
    }
}
