package org.convnet4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DataLimitsTest {
    @Test
    void defaultsAndPropertiesWithSuffixes() {
        assertEquals(new DataLimits(4L << 30, 8192L * 8192, 256L << 20), DataLimits.fromProperties(name -> null));
        DataLimits set = DataLimits.fromProperties(Map.of(DataLimits.MAX_BYTES, "8g", DataLimits.MAX_IMAGE_PIXELS,
                "1000000", DataLimits.MAX_ENTRY_BYTES, " 64M ")::get);
        assertEquals(new DataLimits(8L << 30, 1_000_000, 64L << 20), set);
        assertEquals(new DataLimits(4L << 30, 8192L * 8192, 2048),
                DataLimits.fromProperties(Map.of(DataLimits.MAX_ENTRY_BYTES, "2k")::get));
    }

    @Test
    void badPropertyValuesNameThePropertyAndTheValue() {
        for (String bad : new String[] {"lots", "-5", "0", "1.5g", "9999999999g", "g"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataLimits.fromProperties(Map.of(DataLimits.MAX_BYTES, bad)::get));
            assertTrue(e.getMessage().startsWith("-Dconvnet4j.data.maxBytes=" + bad + ": expected a positive"),
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> DataLimits.DEFAULTS.withMaxImagePixels(0));
    }

    @Test
    void setCurrentOverridesUntilCleared() {
        DataLimits small = DataLimits.DEFAULTS.withMaxBytes(1000);
        try {
            DataLimits.setCurrent(small);
            assertSame(small, DataLimits.current());
        } finally {
            DataLimits.setCurrent(null);
        }
        assertEquals(DataLimits.fromProperties(System::getProperty), DataLimits.current());
    }

    @Test
    void byteCountsAreExactWithABinaryUnit() {
        assertEquals("1,023 bytes", DataLimits.bytes(1023));
        assertEquals("1,024 bytes (1.0 KiB)", DataLimits.bytes(1024));
        assertEquals("47,040,000,000 bytes (43.8 GiB)", DataLimits.bytes(47_040_000_000L));
        assertEquals("9,223,372,036,854,775,807 bytes (8.0 EiB)", DataLimits.bytes(Long.MAX_VALUE));
    }
}
