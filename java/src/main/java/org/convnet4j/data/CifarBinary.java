package org.convnet4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads CIFAR-10's official binary batches (data_batch_1.bin .. data_batch_5.bin, test_batch.bin).
 * Each record is one label byte then 3,072 pixel bytes: the 32 x 32 red plane, then green, then blue,
 * rows top to bottom. That is already C x H x W in RGB order, so records are copied, not rearranged.
 */
public final class CifarBinary {
    public static final int SIDE = 32;
    public static final int IMAGE_BYTES = 3 * SIDE * SIDE;
    public static final int RECORD_BYTES = 1 + IMAGE_BYTES;

    private CifarBinary() {
    }

    /** Loads the records of {@code files}, in the order given, as one 3 x 32 x 32 data set. */
    public static Dataset load(List<Path> files, List<String> classNames) {
        byte[][] contents = new byte[files.size()][];
        long records = 0;
        for (int f = 0; f < files.size(); f++) {
            contents[f] = readChecked(files.get(f));
            records += contents[f].length / RECORD_BYTES;
        }
        if (records * IMAGE_BYTES > Integer.MAX_VALUE - 8) {
            throw new DataException("CIFAR binary batches " + files + " hold " + records
                    + " images, more than one Java array can hold");
        }
        byte[] pixels = new byte[(int) records * IMAGE_BYTES];
        int[] labels = new int[(int) records];
        int n = 0;
        for (int f = 0; f < files.size(); f++) {
            byte[] bytes = contents[f];
            for (int r = 0; r < bytes.length / RECORD_BYTES; r++, n++) {
                int at = r * RECORD_BYTES;
                labels[n] = bytes[at] & 0xFF;
                if (labels[n] >= classNames.size()) {
                    throw new DataException(files.get(f) + ": label " + labels[n] + " of record " + r + " (byte offset "
                            + at + ") is outside 0.." + (classNames.size() - 1));
                }
                System.arraycopy(bytes, at + 1, pixels, n * IMAGE_BYTES, IMAGE_BYTES);
            }
            contents[f] = null; // let a 30 MB batch go before the next is copied
        }
        return new Dataset(pixels, labels, 3, SIDE, SIDE, classNames);
    }

    private static byte[] readChecked(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": CIFAR-10 binary batch not found", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read CIFAR-10 binary batch: " + e, e);
        }
        if (bytes.length == 0 || bytes.length % RECORD_BYTES != 0) {
            long whole = bytes.length / RECORD_BYTES;
            throw new DataException(file + ": expected a whole number of " + RECORD_BYTES
                    + "-byte records (1 label + 3072 pixels), got " + bytes.length + " bytes ("
                    + whole + " records and " + (bytes.length - whole * RECORD_BYTES)
                    + " bytes over; truncated or not a CIFAR-10 binary batch)");
        }
        return bytes;
    }
}
