package org.convnet4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Checkpoints in the safetensors format (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length N, N bytes of UTF-8 JSON naming each tensor's dtype, shape and byte
 * range, then the tensors' little-endian bytes back to back. Files written here load in the Python
 * library, and its files load here when their dtypes are in {@link ElementType}.
 *
 * <p>Both directions stream: writing sends each tensor's buffer to the file channel without
 * assembling the file in memory, and reading memory-maps the data, so a 300 MB ResNet-50 checkpoint
 * with Adam state never exists as one Java array.
 *
 * <p>Every file written here carries a CRC32C of each tensor's bytes in its metadata, under the key
 * {@code crc32c/<tensor name>} as 8 lowercase hex digits (metadata values are strings only, per the
 * format). {@link #read} verifies every checksum the file holds and names the tensor that fails, so a
 * flipped bit in the data is an error rather than a silently wrong weight. Files without checksums
 * (written by the Python library or any other tool) load as before. The checksum keys are the format's
 * business: {@link Checkpoint#metadata()} leaves them out, and {@link #write} computes them afresh.
 */
public final class SafeTensors {
    /** The reference implementation's bound, which keeps a corrupt length from allocating gigabytes. */
    static final long MAX_HEADER_BYTES = 100_000_000;

    // FileChannel.write copies a heap buffer through a temporary direct buffer as large as what remains,
    // so a 100 MB heap tensor would cost 100 MB of direct memory; chunks keep that copy small.
    private static final int HEAP_CHUNK_BYTES = 8 << 20;

    /** Metadata key prefix of the per-tensor checksums: {@code crc32c/conv2d_1/kernel} -> "1a2b3c4d". */
    public static final String CHECKSUM_PREFIX = "crc32c/";

    private SafeTensors() {
    }

    /**
     * Writes tensors (in map order) and metadata to file atomically: a reader, or a run killed
     * mid-save, sees the old file or the complete new one, never a partial one.
     *
     * @param file the file to replace or create
     * @param tensors the tensors by name
     * @param metadata string metadata (safetensors' __metadata__)
     */
    public static void write(Path file, Map<String, NamedTensor> tensors, Map<String, String> metadata) {
        Map<String, String> withChecksums = new LinkedHashMap<>(metadata);
        for (String key : metadata.keySet()) {
            if (key != null && key.startsWith(CHECKSUM_PREFIX)) {
                throw new IllegalArgumentException("Metadata keys starting with " + CHECKSUM_PREFIX
                        + " are reserved for the tensors' checksums, which write computes. Received " + key);
            }
        }
        tensors.forEach((name, t) -> withChecksums.put(CHECKSUM_PREFIX + name, hex(crc32c(t.data()))));
        ByteBuffer header = Header.encode(tensors, withChecksums);
        List<ByteBuffer> data = new ArrayList<>(tensors.size());
        tensors.values().forEach(t -> data.add(t.data()));
        try {
            AtomicFiles.write(file, channel -> {
                AtomicFiles.writeFully(channel, header);
                for (ByteBuffer b : data) {
                    writeChunked(channel, b);
                }
            });
        } catch (UncheckedIOException e) {
            throw new CheckpointException(file, "cannot write: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Reads and validates file; every kind of corruption is a CheckpointException naming it.
     *
     * @param file a safetensors file
     * @return its tensors and metadata
     */
    public static Checkpoint read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = header(file, channel);
            long dataStart = channel.size() - header.dataBytes;
            Map<String, NamedTensor> tensors = new LinkedHashMap<>();
            TensorMapper mapper = new TensorMapper(file, channel, dataStart, header.dataBytes);
            for (Header.Entry e : header.entries) {
                ByteBuffer bytes = mapper.map(e);
                tensors.put(e.name(), new NamedTensor(e.spec().dtype(), e.spec().shape(), bytes));
            }
            return new Checkpoint(file, tensors, verifyChecksums(file, tensors, header.metadata));
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e, e);
        }
    }

    /**
     * The metadata of file (without the checksum keys) from its validated header alone, reading no
     * tensor data and so verifying no checksum: for a look at a checkpoint before it is loaded.
     *
     * @param file a safetensors file
     * @return its metadata
     */
    public static Map<String, String> metadata(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Map<String, String> rest = new LinkedHashMap<>();
            header(file, channel).metadata.forEach((k, v) -> {
                if (!k.startsWith(CHECKSUM_PREFIX)) {
                    rest.put(k, v);
                }
            });
            return rest;
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e, e);
        }
    }

    /** The length field and the JSON header of an open file, checked; the tensor data follows it. */
    private static Header header(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw new CheckpointException(file, "file is " + size
                    + " bytes, shorter than the 8-byte header length");
        }
        long headerLength = readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (Long.compareUnsigned(headerLength, size - 8) > 0) {
            throw new CheckpointException(file, "header length " + Long.toUnsignedString(headerLength)
                    + " is larger than the " + (size - 8) + " bytes after the length field");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new CheckpointException(file, "header length " + headerLength + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        String json = utf8(file, readFully(channel, 8, (int) headerLength));
        return Header.decode(file, json, size - 8 - headerLength);
    }

    /**
     * Checks each tensor against its stored CRC32C and returns the metadata without the checksum keys.
     * A file with no checksums at all is a foreign file and passes; a file with some must have one for
     * every tensor, and each must name a tensor the file holds, so a damaged key cannot switch the
     * check off for one tensor.
     */
    private static Map<String, String> verifyChecksums(Path file, Map<String, NamedTensor> tensors,
                                                       Map<String, String> metadata) {
        Map<String, String> rest = new LinkedHashMap<>();
        Map<String, Integer> stored = new LinkedHashMap<>();
        metadata.forEach((key, value) -> {
            if (!key.startsWith(CHECKSUM_PREFIX)) {
                rest.put(key, value);
                return;
            }
            String name = key.substring(CHECKSUM_PREFIX.length());
            if (!tensors.containsKey(name)) {
                throw new CheckpointException(file, "metadata \"" + key + "\" is the checksum of a tensor '" + name
                        + "' that the file does not hold");
            }
            if (!value.matches("[0-9a-f]{8}")) {
                throw new CheckpointException(file, "metadata \"" + key + "\" must be a CRC32C as 8 lowercase hex "
                        + "digits, found \"" + value + "\"");
            }
            stored.put(name, Integer.parseUnsignedInt(value, 16));
        });
        if (stored.isEmpty()) {
            return rest;
        }
        for (Map.Entry<String, NamedTensor> t : tensors.entrySet()) {
            Integer expected = stored.get(t.getKey());
            if (expected == null) {
                throw new CheckpointException(file, "tensor '" + t.getKey() + "' has no checksum (no metadata \""
                        + CHECKSUM_PREFIX + t.getKey() + "\") although the file's other tensors have one");
            }
            int actual = crc32c(t.getValue().data());
            if (actual != expected) {
                throw new CheckpointException(file, "tensor '" + t.getKey() + "' fails its checksum: its "
                        + t.getValue().byteSize() + " bytes have CRC32C " + hex(actual) + ", the file recorded "
                        + hex(expected) + " when it was written; the data is corrupt");
            }
        }
        return rest;
    }

    private static int crc32c(ByteBuffer data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return (int) crc.getValue();
    }

    private static String hex(int crc) {
        return String.format("%08x", crc);
    }

    private static void writeChunked(FileChannel channel, ByteBuffer b) throws IOException {
        if (b.isDirect()) {
            AtomicFiles.writeFully(channel, b);
            return;
        }
        while (b.hasRemaining()) {
            ByteBuffer chunk = b.duplicate();
            chunk.limit(chunk.position() + Math.min(chunk.remaining(), HEAP_CHUNK_BYTES));
            AtomicFiles.writeFully(channel, chunk);
            b.position(chunk.position());
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (channel.read(b, position + b.position()) < 0) {
                throw new EOFException("file ended at byte " + (position + b.position()));
            }
        }
        return b.flip();
    }

    private static String utf8(Path file, ByteBuffer bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file, "header is not valid UTF-8: " + e);
        }
    }

    /**
     * Maps tensors' bytes from the file. A data buffer that fits one mapping (under 2 GiB) is mapped
     * once and sliced, so a model with a thousand parameters costs one mapping, not a thousand.
     */
    private static final class TensorMapper {
        private final Path file;
        private final FileChannel channel;
        private final long dataStart;
        private final ByteBuffer whole;

        TensorMapper(Path file, FileChannel channel, long dataStart, long dataLength) throws IOException {
            this.file = file;
            this.channel = channel;
            this.dataStart = dataStart;
            this.whole = dataLength <= Integer.MAX_VALUE
                    ? channel.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLength) : null;
        }

        ByteBuffer map(Header.Entry e) throws IOException {
            long length = e.end() - e.begin();
            if (length > Integer.MAX_VALUE) {
                throw new CheckpointException(file, "tensor '" + e.name() + "' is " + length
                        + " bytes, more than one buffer can hold (" + Integer.MAX_VALUE + ")");
            }
            if (whole != null) {
                return whole.slice((int) e.begin(), (int) length);
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), length);
        }
    }
}
