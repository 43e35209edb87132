package org.convnet4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderJsonTest {

    @Test
    void parsesTheGrammar() {
        Object v = HeaderJson.parse(" {\"a\" : [1, -2.5e1, true, false, null], \"b\":{}, \"c\":\"x\\u00e9\\n\\/\"} ");
        assertEquals(Map.of("a", Arrays.asList(new BigDecimal("1"), new BigDecimal("-2.5e1"), true, false, null),
                "b", Map.of(), "c", "x\u00e9\n/"), v);
    }

    @Test
    void keepsKeyOrder() {
        Map<?, ?> m = (Map<?, ?>) HeaderJson.parse("{\"z\":1,\"a\":2,\"m\":3}");
        assertEquals(List.of("z", "a", "m"), List.copyOf(m.keySet()));
    }

    @Test
    void quoteRoundTrips() {
        String s = "q\"b\\n\n\t\u0000\u001f\u00e9\ud83d\ude00";
        assertEquals(s, HeaderJson.parse(HeaderJson.quote(new StringBuilder(), s).toString()));
    }

    @Test
    void rejectsWhatJsonForbids() {
        for (String bad : List.of("{\"a\":1,}", "[1,]", "{'a':1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}",
                "{\"a\":+1}", "{\"a\":NaN}", "{\"a\":\"\t\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}",
                "{\"a\":tru}", "{\"a\":1e99999999999}", "{\"a\":1 \"b\":2}", "{\"a\":1}}", "\"unterminated", "", "{\"a\":1,\"a\":2}")) {
            assertThrows(IllegalArgumentException.class, () -> HeaderJson.parse(bad), bad);
        }
    }

    @Test
    void errorsSayWhere() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HeaderJson.parse("{\"a\":[1,2 3]}"));
        assertEquals("expected ',' or ']' at character 10, found '3]}'", e.getMessage());
    }

    @Test
    void boundsNesting() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeaderJson.parse(deep));
        assertTrue(e.getMessage().startsWith("nesting deeper than"), e.getMessage());
    }
}
