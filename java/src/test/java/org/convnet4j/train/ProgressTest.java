package org.convnet4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Keras' progress line: the ETA while an epoch runs, the time per step at its end, no leftovers on redraw. */
class ProgressTest {
    @Test
    void whileRunningTheLineShowsTheTimeLeftAsKerasDoes() {
        assertEquals("  32/1875 [>.............................] - ETA: 1:55 - loss: 0.5000 - accuracy: 0.2500",
                Progress.running(32, 1875, 2.0, 0.5, 0.25));
        assertEquals("1000/1875 [================>.............] - ETA: 4s - loss: 0.1234 - accuracy: 0.9000",
                Progress.running(1000, 1875, 5.0, 0.1234, 0.9));
        assertTrue(Progress.running(1, 100000, 1, 1, 0).contains("ETA: 27:46:39"), Progress.running(1, 100000, 1, 1, 0));
    }

    @Test
    void theEndOfAnEpochShowsTheTimePerStepAndTheValidation() {
        assertEquals("1875/1875 [==============================] - 4s 2ms/step - loss: 0.5266 - accuracy: 0.8071"
                + " - val_loss: 0.4031 - val_accuracy: 0.8547",
                Progress.line(1875, 1875, 4.2, 0.5266, 0.8071, " - val_loss: 0.4031 - val_accuracy: 0.8547"));
    }

    @Test
    void everyRedrawClearsWhatALongerEarlierLineLeftBehind() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        p.update(1, 10, 0.1, 123.456789, 0.5);
        p.epochEnd(10, 1.0, 0.1, 0.9, Double.NaN, Double.NaN);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(2, out.split(java.util.regex.Pattern.quote(Progress.CLEAR_TO_END), -1).length - 1, out);
        assertTrue(out.endsWith(Progress.CLEAR_TO_END + "\n"), out);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Progress notLive = new Progress(new PrintStream(log, true, StandardCharsets.UTF_8), false);
        notLive.update(1, 10, 0.1, 1, 0.5);
        notLive.epochEnd(10, 1.0, 0.1, 0.9, Double.NaN, Double.NaN);
        assertEquals(Progress.line(10, 10, 1.0, 0.1, 0.9, null) + "\n", log.toString(StandardCharsets.UTF_8),
                "a log gets one plain line per epoch");
    }

    /** While validating, the finished training line stays and a counter with its ETA follows it, then goes. */
    @Test
    void validationShowsItsOwnCounterAfterTheTrainingLine() {
        assertEquals(" - validating: 120/313 - ETA: 3s", Progress.validatingTail(120, 313, 2.0));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        p.update(10, 10, 1.0, 0.5, 0.75);
        p.validating(1, 4, 0.5);
        p.epochEnd(10, 3.0, 0.5, 0.75, 0.4, 0.8);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("\r" + Progress.line(10, 10, 1.0, 0.5, 0.75, Progress.validatingTail(1, 4, 0.5))
                + Progress.CLEAR_TO_END), out);
        assertTrue(out.endsWith(" - val_loss: 0.4000 - val_accuracy: 0.8000" + Progress.CLEAR_TO_END + "\n"), out);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Progress notLive = new Progress(new PrintStream(log, true, StandardCharsets.UTF_8), false);
        notLive.validating(1, 4, 0.5);
        assertEquals("", log.toString(StandardCharsets.UTF_8), "a log shows no counter");
    }
}
