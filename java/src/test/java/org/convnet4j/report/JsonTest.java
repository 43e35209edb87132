package org.convnet4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
    @TempDir
    Path dir;

    @Test
    void prettyPrintsLikePython() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", "lenet5");
        m.put("epochs", 3);
        m.put("test_accuracy", 0.9912);
        m.put("lr", 0.1f);
        m.put("converged", true);
        m.put("loss", List.of(2.3, 0.5));
        m.put("shape", Map.of("height", 28L));
        m.put("empty", List.of());
        m.put("none", new LinkedHashMap<>());
        m.put("missing", null);
        assertEquals(String.join("\n",
                "{",
                "  \"model\": \"lenet5\",",
                "  \"epochs\": 3,",
                "  \"test_accuracy\": 0.9912,",
                "  \"lr\": 0.1,",
                "  \"converged\": true,",
                "  \"loss\": [",
                "    2.3,",
                "    0.5",
                "  ],",
                "  \"shape\": {",
                "    \"height\": 28",
                "  },",
                "  \"empty\": [],",
                "  \"none\": {},",
                "  \"missing\": null",
                "}"), Json.object(m));
    }

    @Test
    void nonFiniteNumbersBecomeNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nan", Double.NaN);
        m.put("inf", Float.POSITIVE_INFINITY);
        m.put("list", Arrays.asList(Double.NEGATIVE_INFINITY, 1e-7));
        assertEquals("{\n  \"nan\": null,\n  \"inf\": null,\n  \"list\": [\n    null,\n    1.0E-7\n  ]\n}",
                Json.object(m));
    }

    @Test
    void escapesStrings() {
        assertEquals("{\n  \"a\\\"b\": \"q\\\"\\\\/\\n\\t\\r\\b\\f\\u0001\u00e9\\u2028\"\n}",
                Json.object(Map.of("a\"b", "q\"\\/\n\t\r\b\f\u0001\u00e9\u2028")));
    }

    @Test
    void rejectsOtherTypesNamingWhere() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Json.object(Map.of("outer", List.of(1, new Object()))));
        assertEquals("Json writes String, Number, Boolean, null, Map and List. Received java.lang.Object at "
                + "$.outer[1]", e.getMessage());
    }

    @Test
    void writesAtomicallyWithNewline() throws IOException {
        Path file = dir.resolve("metrics.json");
        Json.write(file, Map.of("k", 1));
        assertEquals("{\n  \"k\": 1\n}\n", Files.readString(file));
    }
}
