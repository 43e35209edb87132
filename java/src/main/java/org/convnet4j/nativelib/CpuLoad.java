package org.convnet4j.nativelib;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many processors other processes keep busy right now, from Linux's /proc: the machine's busy
 * time (/proc/stat) less this process's own (/proc/self/stat) over a short interval, in processors.
 * 0 where /proc is not readable. A snapshot: a job that starts later is not seen.
 */
final class CpuLoad {
    static final long INTERVAL_MS = 250;

    private CpuLoad() {
    }

    /** Processors kept busy by other processes, averaged over {@value #INTERVAL_MS} ms. */
    static double othersBusy() {
        try {
            long[] a = sample();
            Thread.sleep(INTERVAL_MS);
            long[] b = sample();
            return othersBusy(a, b, cpus(), Runtime.getRuntime().availableProcessors());
        } catch (IOException | RuntimeException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * From two samples {machine busy, machine total, own} in clock ticks summed over the machine's
     * {@code cpus}: the processors other processes keep busy among the {@code usable} ones this process
     * may run on, assuming they fill the ones it may not use first.
     */
    static double othersBusy(long[] a, long[] b, int cpus, int usable) {
        long total = b[1] - a[1];
        if (total <= 0) {
            return 0;
        }
        double others = (double) ((b[0] - a[0]) - (b[2] - a[2])) / total * cpus;
        return Math.max(0, others - (cpus - usable));
    }

    /** {machine busy ticks, machine total ticks, this process's ticks}. */
    private static long[] sample() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // "cpu  user nice system idle iowait irq softirq steal ..."
        String[] f = cpu.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        String self = Files.readString(Path.of("/proc/self/stat"));
        String[] g = self.substring(self.lastIndexOf(')') + 2).split("\\s+"); // fields from 3 on; utime is 14th, stime 15th
        long own = Long.parseLong(g[11]) + Long.parseLong(g[12]);
        return new long[] {total - idle, total, own};
    }

    /** The machine's processors as /proc/stat counts them (its total ticks are summed over these). */
    private static int cpus() {
        try {
            return (int) Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.matches("cpu\\d+ .*")).count();
        } catch (IOException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}
