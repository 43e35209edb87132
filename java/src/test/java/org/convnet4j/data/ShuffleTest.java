package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ShuffleTest {
    @Test
    void permutationIsSeededAndComplete() {
        int[] a = Shuffle.permutation(1000, 5);
        assertArrayEquals(a, Shuffle.permutation(1000, 5));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        assertFalse(Arrays.equals(a, Shuffle.permutation(1000, 6)));
        assertEquals(0, Shuffle.permutation(0, 1).length);
    }

    @Test
    void epochOrdersAreUnrelatedNotShiftedCopies() {
        // SplittableRandom seeds one step apart would give sequences shifted by one draw; the epoch seeds are
        // scrambled, so consecutive epochs share no long runs.
        int[] e0 = Shuffle.epochOrder(500, 1, 0);
        int[] e1 = Shuffle.epochOrder(500, 1, 1);
        int same = 0;
        for (int i = 0; i < 500; i++) {
            same += e0[i] == e1[i] ? 1 : 0;
        }
        assertFalse(same > 10, same + " positions agree");
        assertArrayEquals(e1, Shuffle.epochOrder(500, 1, 1));
    }
}
