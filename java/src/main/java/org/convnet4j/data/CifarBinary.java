package org.convnet4j.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
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
    /** The height and width of every CIFAR-10 image. */
    public static final int SIDE = 32;
    /** The pixel bytes of one image: 3 x 32 x 32. */
    public static final int IMAGE_BYTES = 3 * SIDE * SIDE;
    /** The bytes of one record: the label, then the pixels. */
    public static final int RECORD_BYTES = 1 + IMAGE_BYTES;

    private CifarBinary() {
    }

    /**
     * Loads the records of {@code files}, in the order given, as one 3 x 32 x 32 data set. The file sizes
     * are checked (whole records, within {@link DataLimits#current()}) before anything is read; the
     * records are then streamed into the data set's arrays.
     *
     * @param files CIFAR-10 binary batch files
     * @param classNames the ten class names
     * @return the data set
     */
    public static Dataset load(List<Path> files, List<String> classNames) {
        return load(files, classNames, DataLimits.current());
    }

    static Dataset load(List<Path> files, List<String> classNames, DataLimits limits) {
        long[] sizes = new long[files.size()];
        long records = 0;
        for (int f = 0; f < files.size(); f++) {
            sizes[f] = checkedSize(files.get(f));
            records += sizes[f] / RECORD_BYTES;
        }
        limits.checkDataSet("CIFAR binary batches " + files + " hold " + records + " images of 3 x 32 x 32",
                records * IMAGE_BYTES, records);
        byte[] pixels = new byte[(int) records * IMAGE_BYTES];
        int[] labels = new int[(int) records];
        int n = 0;
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                for (int r = 0; r < sizes[f] / RECORD_BYTES; r++, n++) {
                    long at = (long) r * RECORD_BYTES;
                    int label = in.read();
                    if (label < 0 || in.readNBytes(pixels, n * IMAGE_BYTES, IMAGE_BYTES) < IMAGE_BYTES) {
                        throw new DataException(file + ": ended in record " + r + " (byte offset " + at + ") though it was "
                                + sizes[f] + " bytes long when the batches were checked; did it change meanwhile?");
                    }
                    labels[n] = label;
                    if (label >= classNames.size()) {
                        throw new DataException(file + ": label " + label + " of record " + r + " (byte offset "
                                + at + ") is outside 0.." + (classNames.size() - 1));
                    }
                }
            } catch (NoSuchFileException e) {
                throw new DataException(file + ": CIFAR-10 binary batch not found", e);
            } catch (IOException e) {
                throw new DataException(file + ": cannot read CIFAR-10 binary batch: " + e, e);
            }
        }
        return new Dataset(pixels, labels, 3, SIDE, SIDE, classNames);
    }

    /** The file's size, which must be a whole, positive number of records. */
    private static long checkedSize(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": CIFAR-10 binary batch not found", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read CIFAR-10 binary batch: " + e, e);
        }
        if (size == 0 || size % RECORD_BYTES != 0) {
            long whole = size / RECORD_BYTES;
            throw new DataException(file + ": expected a whole number of " + RECORD_BYTES
                    + "-byte records (1 label + 3072 pixels), got " + size + " bytes ("
                    + whole + " records and " + (size - whole * RECORD_BYTES)
                    + " bytes over; truncated or not a CIFAR-10 binary batch)");
        }
        return size;
    }
}
