package org.convnet4j.data;

import java.util.Locale;
import java.util.function.Function;

/**
 * Limits on what a data file may make the loaders allocate, checked against the sizes a file declares
 * (IDX header, zip entry size, image header) before anything is inflated or decoded, and again while
 * reading, since a declared size can lie. A file over a limit is refused with a
 * {@link DataLimitException} naming the file, the entry and the limit.
 *
 * <ul>
 * <li>{@code maxBytes} ({@value #MAX_BYTES}, default 4 GiB): one loaded data set, its pixel bytes plus its
 *     labels (4 bytes each). The pixels are one Java array, so they are also refused above
 *     {@value #MAX_ARRAY} bytes, and the whole above the JVM's maximum heap ({@code -Xmx}).</li>
 * <li>{@code maxImagePixels} ({@value #MAX_IMAGE_PIXELS}, default 67,108,864 = 8192 x 8192): width x height
 *     of one encoded image, read from its header before it is decoded.</li>
 * <li>{@code maxEntryBytes} ({@value #MAX_ENTRY_BYTES}, default 256 MiB): one zip entry (uncompressed) or
 *     one file of an image folder, read into memory before it is decoded.</li>
 * </ul>
 *
 * <p>The limits in force are {@link #current()}: those given to {@link #setCurrent}, or else the system
 * properties above (a number of bytes or pixels, optionally with a k, m or g suffix for powers of 1024:
 * {@code -Dconvnet4j.data.maxBytes=8g}), or else the defaults. A loader reads them once when it starts.
 */
public record DataLimits(long maxBytes, long maxImagePixels, long maxEntryBytes) {
    /** System property: the most bytes one loaded data set may take. */
    public static final String MAX_BYTES = "convnet4j.data.maxBytes";
    /** System property: the most pixels one encoded image may have. */
    public static final String MAX_IMAGE_PIXELS = "convnet4j.data.maxImagePixels";
    /** System property: the most bytes one zip entry or image file may hold. */
    public static final String MAX_ENTRY_BYTES = "convnet4j.data.maxEntryBytes";

    /** The largest Java array the loaders allocate (the JVM's own limit is a few elements under 2^31). */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** 4 GiB per data set, 8192 x 8192 pixels per image, 256 MiB per entry. */
    public static final DataLimits DEFAULTS = new DataLimits(4L << 30, 8192L * 8192, 256L << 20);

    private static volatile DataLimits override;

    /**
     * Limits; each must be strictly positive.
     *
     * @param maxBytes bytes per data set
     * @param maxImagePixels pixels per image
     * @param maxEntryBytes bytes per zip entry or image file
     */
    public DataLimits {
        if (maxBytes <= 0 || maxImagePixels <= 0 || maxEntryBytes <= 0) {
            throw new IllegalArgumentException("DataLimits: expected positive limits. Received maxBytes=" + maxBytes
                    + ", maxImagePixels=" + maxImagePixels + ", maxEntryBytes=" + maxEntryBytes);
        }
    }

    /**
     * The limits set by {@link #setCurrent}, or else those of the system properties, or else the defaults.
     *
     * @return the limits in force
     */
    public static DataLimits current() {
        DataLimits set = override;
        return set != null ? set : fromProperties(System::getProperty);
    }

    /**
     * Sets the limits every later load uses; {@code null} goes back to the system properties and defaults.
     *
     * @param limits the limits, or null
     */
    public static void setCurrent(DataLimits limits) {
        override = limits;
    }

    /** The defaults, each replaced by its property where {@code properties} has it. */
    static DataLimits fromProperties(Function<String, String> properties) {
        return new DataLimits(parse(properties, MAX_BYTES, DEFAULTS.maxBytes),
                parse(properties, MAX_IMAGE_PIXELS, DEFAULTS.maxImagePixels),
                parse(properties, MAX_ENTRY_BYTES, DEFAULTS.maxEntryBytes));
    }

    /**
     * These limits with another data set limit.
     *
     * @param bytes bytes per data set
     * @return the new limits
     */
    public DataLimits withMaxBytes(long bytes) {
        return new DataLimits(bytes, maxImagePixels, maxEntryBytes);
    }

    /**
     * These limits with another image limit.
     *
     * @param pixels pixels per image
     * @return the new limits
     */
    public DataLimits withMaxImagePixels(long pixels) {
        return new DataLimits(maxBytes, pixels, maxEntryBytes);
    }

    /**
     * These limits with another entry limit.
     *
     * @param bytes bytes per zip entry or image file
     * @return the new limits
     */
    public DataLimits withMaxEntryBytes(long bytes) {
        return new DataLimits(maxBytes, maxImagePixels, bytes);
    }

    private static long parse(Function<String, String> properties, String name, long fallback) {
        String value = properties.apply(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        int shift = switch (v.charAt(v.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        try {
            long n = Long.parseLong(shift == 0 ? v : v.substring(0, v.length() - 1));
            if (n > 0 && n <= Long.MAX_VALUE >> shift) {
                return n << shift;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + name + "=" + value + ": expected a positive whole number,"
                + " optionally with a k, m or g suffix (powers of 1024), e.g. -D" + name + "=" + fallback);
    }

    /**
     * Refuses a data set of {@code pixelBytes} pixels and {@code labels} labels before it is allocated.
     * {@code what} names the file(s) and says what they declare, e.g. "x.idx: the IDX header declares 3 x 28 x 28".
     */
    void checkDataSet(String what, long pixelBytes, long labels) {
        if (pixelBytes > MAX_ARRAY) {
            throw new DataLimitException(what + ": " + bytes(pixelBytes) + " of pixels, more than one Java array holds, "
                    + bytes(MAX_ARRAY));
        }
        long total = pixelBytes + 4 * labels;
        if (total > maxBytes) {
            throw new DataLimitException(what + ": " + bytes(total) + " in memory (pixels and labels), over the limit of "
                    + bytes(maxBytes) + " for one data set (-D" + MAX_BYTES + ")");
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (heap != Long.MAX_VALUE && total > heap) {
            throw new DataLimitException(what + ": " + bytes(total) + " in memory (pixels and labels), more than the"
                    + " JVM's maximum heap of " + bytes(heap) + " (-Xmx)");
        }
    }

    /** Refuses an image of width x height pixels before it is decoded; {@code what} names it and its format. */
    void checkImage(String what, long width, long height) {
        long pixels = width * height;
        String size = width + " x " + height + " = " + String.format(Locale.ROOT, "%,d", pixels) + " pixels";
        if (pixels > maxImagePixels) {
            throw new DataLimitException(what + " is " + size + ", over the limit of "
                    + String.format(Locale.ROOT, "%,d", maxImagePixels) + " pixels per image (-D" + MAX_IMAGE_PIXELS + ")");
        }
        if (pixels > MAX_ARRAY / 3) {
            throw new DataLimitException(what + " is " + size + "; its 3 color planes need more than one Java array"
                    + " holds, " + bytes(MAX_ARRAY));
        }
    }

    /** The most bytes one zip entry or image file may hold: {@code maxEntryBytes}, and at most one array. */
    long entryLimit() {
        return Math.min(maxEntryBytes, MAX_ARRAY);
    }

    /** How a refusal names the entry limit. */
    String entryLimitText() {
        return maxEntryBytes <= MAX_ARRAY
                ? "the limit of " + bytes(maxEntryBytes) + " per zip entry or image file, -D" + MAX_ENTRY_BYTES
                : "the " + bytes(MAX_ARRAY) + " one Java array holds";
    }

    /** "47,040,000,000 bytes (43.8 GiB)". */
    static String bytes(long n) {
        String exact = String.format(Locale.ROOT, "%,d bytes", n);
        if (n < 1024) {
            return exact;
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int u = (63 - Long.numberOfLeadingZeros(n)) / 10 - 1;
        return exact + String.format(Locale.ROOT, " (%.1f %s)", n / Math.pow(1024, u + 1), units[u]);
    }
}
