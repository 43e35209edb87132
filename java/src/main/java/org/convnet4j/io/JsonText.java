package org.convnet4j.io;

/**
 * JSON string literals for the two JSON writers (the safetensors header here, metrics.json in
 * org.convnet4j.report): quotes, backslashes and control characters escaped, and U+2028/U+2029 too,
 * which JSON allows raw but JavaScript does not.
 */
public final class JsonText {
    private JsonText() {
    }

    /**
     * Appends s to b as a JSON string literal and returns b.
     *
     * @param b where to append
     * @param s the string
     * @return b
     */
    public static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }
}
