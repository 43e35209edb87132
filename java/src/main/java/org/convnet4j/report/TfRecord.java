package org.convnet4j.report;

import java.util.zip.CRC32C;

/**
 * TFRecord framing, the container of TensorBoard's event files: each record is its length as a
 * little-endian uint64, the masked CRC32C of those eight bytes (uint32), the data, and the masked
 * CRC32C of the data, so a reader can tell a record cut short by a kill from a complete one. The
 * mask ({@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}) is TensorFlow's, which keeps a CRC of
 * data that holds CRCs from being trivially zero.
 */
final class TfRecord {
    private static final int MASK_DELTA = 0xa282ead8;

    private TfRecord() {
    }

    /** One framed record of {@code data}. */
    static byte[] frame(byte[] data) {
        byte[] record = new byte[8 + 4 + data.length + 4];
        long length = data.length;
        for (int i = 0; i < 8; i++) {
            record[i] = (byte) (length >>> (8 * i));
        }
        putInt(record, 8, maskedCrc32c(record, 0, 8));
        System.arraycopy(data, 0, record, 12, data.length);
        putInt(record, 12 + data.length, maskedCrc32c(data, 0, data.length));
        return record;
    }

    /** TensorFlow's masked CRC32C (Castagnoli) of {@code length} bytes at {@code offset}. */
    static int maskedCrc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
