package org.convnet4j.memory;

import java.util.Locale;

import org.bytedeco.javacpp.Pointer;

/**
 * How many more bytes a backend's pool may allocate, as far as the platform says, and what says so,
 * in words for a message: checked against an estimate before a run allocates anything.
 *
 * @param bytes the bytes that may still be allocated
 * @param source what says so, in words
 */
public record MemoryLimit(long bytes, String source) {

    /**
     * Host memory: the smaller of what JavaCPP still allows this process (its maxPhysicalBytes less the
     * physical memory the process already uses: above it JavaCPP refuses every further native
     * allocation) and the memory the machine has available. Either is left out when JavaCPP has no
     * limit or the platform does not say.
     *
     * @return the limit, with the reason it is that size
     */
    public static MemoryLimit host() {
        long max = Pointer.maxPhysicalBytes();
        long used = Pointer.physicalBytes();
        long available = Pointer.availablePhysicalBytes();
        long javacpp = max > 0 ? Math.max(0, max - used) : Long.MAX_VALUE;
        String javacppText = "JavaCPP's maxPhysicalBytes of " + format(max) + " less the " + format(used)
                + " this process already uses (-Dorg.bytedeco.javacpp.maxPhysicalBytes or a larger -Xmx raises it)";
        String availableText = "the " + format(available) + " of memory available on this machine";
        if (available > 0 && available < javacpp) {
            return new MemoryLimit(available, availableText);
        }
        if (max > 0) {
            return new MemoryLimit(javacpp, javacppText);
        }
        return available > 0 ? new MemoryLimit(available, availableText)
                : new MemoryLimit(Long.MAX_VALUE, "no limit known on this platform");
    }

    /**
     * Bytes in the largest binary unit that keeps the number at least 1: "512 KiB", "1.5 GiB", "3.2 TiB".
     *
     * @param bytes a byte count
     * @return the count for people to read
     */
    public static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
