package org.convnet4j.io;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors header: encoding it for a set of tensors, and decoding and validating one read from
 * a file. Everything a corrupt or foreign file can get wrong in the header is caught here, so the
 * reader only maps bytes the header has proven to belong to exactly one tensor.
 */
final class Header {
    static final String METADATA_KEY = "__metadata__";
    private static final Set<String> TENSOR_FIELDS = Set.of("dtype", "shape", "data_offsets");

    /** One tensor's entry; begin and end are byte offsets into the data buffer. */
    record Entry(String name, TensorSpec spec, long begin, long end) {
    }

    final Map<String, String> metadata;
    final List<Entry> entries;
    /** Bytes of the data buffer after the header, which the entries exactly cover. */
    final long dataBytes;

    private Header(Map<String, String> metadata, List<Entry> entries, long dataBytes) {
        this.metadata = metadata;
        this.entries = entries;
        this.dataBytes = dataBytes;
    }

    /**
     * The length field and JSON header for tensors laid out contiguously in map order, padded with
     * spaces to a multiple of 8 so the data buffer starts 8-byte aligned (as the reference writer does).
     */
    static ByteBuffer encode(Map<String, NamedTensor> tensors, Map<String, String> metadata) {
        StringBuilder b = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            HeaderJson.quote(b, METADATA_KEY).append(":{");
            String sep = "";
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                if (m.getKey() == null || m.getValue() == null) {
                    throw new IllegalArgumentException("Metadata keys and values must be non-null. Received "
                            + m.getKey() + "=" + m.getValue());
                }
                HeaderJson.quote(b.append(sep), m.getKey()).append(':');
                HeaderJson.quote(b, m.getValue());
                sep = ",";
            }
            b.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, NamedTensor> t : tensors.entrySet()) {
            String name = t.getKey();
            if (name == null || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("A tensor cannot be named " + name
                        + "; the header reserves " + METADATA_KEY + " for metadata");
            }
            TensorSpec spec = t.getValue().spec();
            long end = offset + spec.byteSize();
            HeaderJson.quote(b.append(b.length() > 1 ? "," : ""), name)
                    .append(":{\"dtype\":\"").append(spec.dtype()).append("\",\"shape\":[");
            long[] shape = spec.shape();
            for (int i = 0; i < shape.length; i++) {
                b.append(i > 0 ? "," : "").append(shape[i]);
            }
            b.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        byte[] json = b.append('}').toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        ByteBuffer out = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        while (out.hasRemaining()) {
            out.put((byte) ' ');
        }
        return out.flip();
    }

    /** Parses and validates a header whose data buffer holds bufferLength bytes. */
    static Header decode(Path file, String json, long bufferLength) {
        if (!json.startsWith("{")) {
            throw new CheckpointException(file, "header must start with '{', found '"
                    + json.substring(0, Math.min(json.length(), 12)) + "'");
        }
        Object root;
        try {
            root = HeaderJson.parse(json);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "header is not valid JSON: " + e.getMessage());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) root).entrySet()) {
            String key = (String) e.getKey();
            if (key.equals(METADATA_KEY)) {
                metadata = metadata(file, e.getValue());
            } else {
                entries.add(entry(file, key, e.getValue()));
            }
        }
        checkLayout(file, entries, bufferLength);
        return new Header(metadata, entries, bufferLength);
    }

    private static Map<String, String> metadata(Path file, Object value) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> m : object(file, value, METADATA_KEY).entrySet()) {
            if (!(m.getValue() instanceof String s)) {
                throw new CheckpointException(file, METADATA_KEY + " value of \"" + m.getKey()
                        + "\" must be a string, found " + kind(m.getValue()));
            }
            metadata.put((String) m.getKey(), s);
        }
        return metadata;
    }

    private static Entry entry(Path file, String name, Object value) {
        String what = "tensor '" + name + "'";
        Map<?, ?> fields = object(file, value, what);
        if (!fields.keySet().equals(TENSOR_FIELDS)) {
            throw new CheckpointException(file, what + " must have exactly the fields dtype, shape and "
                    + "data_offsets, found " + fields.keySet());
        }
        if (!(fields.get("dtype") instanceof String dtypeName)) {
            throw new CheckpointException(file, what + " dtype must be a string, found "
                    + kind(fields.get("dtype")));
        }
        ElementType dtype = ElementType.parse(dtypeName);
        if (dtype == null) {
            throw new CheckpointException(file, what + " has unsupported dtype \"" + dtypeName
                    + "\"; expected one of " + Arrays.toString(ElementType.values()));
        }
        long[] shape = integers(file, fields.get("shape"), what + " shape", -1);
        long[] offsets = integers(file, fields.get("data_offsets"), what + " data_offsets", 2);
        if (offsets[1] < offsets[0]) {
            throw new CheckpointException(file, what + " data_offsets " + Arrays.toString(offsets)
                    + " end before they begin");
        }
        TensorSpec spec = new TensorSpec(dtype, shape);
        long bytes;
        try {
            bytes = spec.byteSize();
        } catch (ArithmeticException e) {
            throw new CheckpointException(file, what + " shape " + spec + " overflows a 64-bit byte count");
        }
        if (bytes != offsets[1] - offsets[0]) {
            throw new CheckpointException(file, what + " is " + spec + ", which needs " + bytes
                    + " bytes, but its data_offsets " + Arrays.toString(offsets) + " span "
                    + (offsets[1] - offsets[0]));
        }
        return new Entry(name, spec, offsets[0], offsets[1]);
    }

    /**
     * Sorted by offset, the tensors must tile the buffer exactly: each begins where the previous ended
     * (no overlap, no gap), none runs past the end, and the last ends at the end (no trailing bytes).
     */
    private static void checkLayout(Path file, List<Entry> entries, long bufferLength) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.end > bufferLength) {
                throw new CheckpointException(file, "tensor '" + e.name + "' data_offsets [" + e.begin + ", "
                        + e.end + "] run past the end of the " + bufferLength + "-byte data buffer");
            }
            if (e.begin < covered) {
                throw new CheckpointException(file, "tensors '" + previous.name + "' and '" + e.name
                        + "' overlap: '" + previous.name + "' ends at byte " + covered + ", '" + e.name
                        + "' begins at byte " + e.begin);
            }
            if (e.begin > covered) {
                throw new CheckpointException(file, "bytes " + covered + " to " + e.begin
                        + " of the data buffer belong to no tensor (gap before '" + e.name + "')");
            }
            covered = e.end;
            previous = e;
        }
        if (covered != bufferLength) {
            throw new CheckpointException(file, (bufferLength - covered) + " trailing bytes: the data buffer is "
                    + bufferLength + " bytes but the tensors cover " + covered);
        }
    }

    private static Map<?, ?> object(Path file, Object value, String what) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new CheckpointException(file, what + " must be a JSON object, found " + kind(value));
        }
        return map;
    }

    /** A JSON array of non-negative integers; expectedLength -1 accepts any length. */
    private static long[] integers(Path file, Object value, String what, int expectedLength) {
        if (!(value instanceof List<?> list) || (expectedLength >= 0 && list.size() != expectedLength)) {
            throw new CheckpointException(file, what + " must be an array of "
                    + (expectedLength >= 0 ? expectedLength + " " : "") + "non-negative integers, found "
                    + (value instanceof List<?> l ? "an array of " + l.size() : kind(value)));
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = list.get(i);
            if (!(v instanceof BigDecimal d) || d.signum() < 0 || d.stripTrailingZeros().scale() > 0
                    || d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                throw new CheckpointException(file, what + " must hold non-negative 64-bit integers, found "
                        + (v instanceof BigDecimal d ? d.toString() : kind(v)) + " at index " + i);
            }
            out[i] = d.longValueExact();
        }
        return out;
    }

    private static String kind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String s) {
            return "the string \"" + s + "\"";
        }
        return v instanceof BigDecimal ? "the number " + v : "the value " + v;
    }
}
