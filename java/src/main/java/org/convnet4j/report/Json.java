package org.convnet4j.report;

import org.convnet4j.io.JsonText;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.convnet4j.io.AtomicFiles;

/**
 * A small JSON writer for metrics.json: String, Number, Boolean, null, and nested Map and List,
 * pretty-printed with a 2-space indent as Python's json.dumps(indent=2) prints. NaN and infinities,
 * which JSON cannot spell, are written as null so every JSON reader accepts the file.
 */
public final class Json {
    private static final String INDENT = "  ";

    private Json() {
    }

    /**
     * The object as pretty-printed JSON text, keys in map order.
     *
     * @param fields the values: strings, numbers, booleans, lists and maps
     * @return the JSON text
     */
    public static String object(Map<String, ?> fields) {
        StringBuilder b = new StringBuilder();
        value(b, fields, "", "$");
        return b.toString();
    }

    /**
     * Writes the object to file atomically, ending in a newline.
     *
     * @param file the file to replace or create
     * @param fields the values, as {@link #object} takes them
     */
    public static void write(Path file, Map<String, ?> fields) {
        AtomicFiles.write(file, (object(fields) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void value(StringBuilder b, Object v, String indent, String path) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            quote(b, s);
        } else if (v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Number n) {
            number(b, n);
        } else if (v instanceof Map<?, ?> m) {
            map(b, m, indent, path);
        } else if (v instanceof List<?> l) {
            list(b, l, indent, path);
        } else {
            throw new IllegalArgumentException("Json writes String, Number, Boolean, null, Map and List. Received "
                    + v.getClass().getName() + " at " + path);
        }
    }

    private static void map(StringBuilder b, Map<?, ?> m, String indent, String path) {
        if (m.isEmpty()) {
            b.append("{}");
            return;
        }
        String inner = indent + INDENT;
        b.append("{\n");
        String sep = "";
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("JSON object keys must be strings. Received "
                        + e.getKey() + " at " + path);
            }
            quote(b.append(sep).append(inner), key).append(": ");
            value(b, e.getValue(), inner, path + "." + key);
            sep = ",\n";
        }
        b.append('\n').append(indent).append('}');
    }

    private static void list(StringBuilder b, List<?> l, String indent, String path) {
        if (l.isEmpty()) {
            b.append("[]");
            return;
        }
        String inner = indent + INDENT;
        b.append("[\n");
        for (int i = 0; i < l.size(); i++) {
            b.append(i > 0 ? ",\n" : "").append(inner);
            value(b, l.get(i), inner, path + "[" + i + "]");
        }
        b.append('\n').append(indent).append(']');
    }

    private static void number(StringBuilder b, Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                b.append("null");
            } else {
                // Float's own toString keeps 0.1f as "0.1" rather than widening it to 0.10000000149011612.
                b.append(n instanceof Float ? n.toString() : Double.toString(d));
            }
        } else if (n instanceof BigDecimal bd) {
            b.append(bd.toString());
        } else if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                || n instanceof BigInteger) {
            b.append(n);
        } else {
            // AtomicInteger, DoubleAdder and other Number types print as their double value.
            number(b, n.doubleValue());
        }
    }

    static StringBuilder quote(StringBuilder b, String s) {
        return JsonText.quote(b, s);
    }
}
