package org.convnet4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the format against an independent reading of the spec: a few lines of Python using only
 * json and struct from the standard library. Skipped where python3 is absent.
 */
class PythonCompatibilityTest {
    private static final String READER = String.join("\n",
            "import json, struct, sys",
            "data = open(sys.argv[1], 'rb').read()",
            "(n,) = struct.unpack('<Q', data[:8])",
            "assert n % 8 == 0, 'header not padded'",
            "header = json.loads(data[8:8 + n].decode('utf-8'))",
            "meta = header.pop('__metadata__', {})",
            "buf = data[8 + n:]",
            "def crc32c(data):",
            "    crc = 0xffffffff",
            "    for byte in data:",
            "        crc ^= byte",
            "        for _ in range(8): crc = (crc >> 1) ^ (0x82f63b78 & -(crc & 1))",
            "    return crc ^ 0xffffffff",
            "sizes = {'F32': 4, 'I32': 4, 'I64': 8, 'F16': 2, 'BF16': 2, 'U8': 1}",
            "codes = {'F32': 'f', 'I32': 'i', 'I64': 'q'}",
            "end = 0",
            "for name, t in sorted(header.items(), key=lambda kv: kv[1]['data_offsets']):",
            "    b, e = t['data_offsets']",
            "    count = 1",
            "    for d in t['shape']: count *= d",
            "    assert b == end and e - b == count * sizes[t['dtype']], name",
            "    end = e",
            "    assert meta.pop('crc32c/' + name) == '%08x' % crc32c(buf[b:e]), 'checksum of ' + name",
            "    values = struct.unpack('<%d%s' % (count, codes[t['dtype']]), buf[b:e])",
            "    print(name, t['dtype'], 'x'.join(map(str, t['shape'])), ' '.join(map(repr, values)))",
            "assert end == len(buf), 'trailing bytes'",
            "print('meta', json.dumps(meta, sort_keys=True))");

    private static final String WRITER = String.join("\n",
            "import json, struct, sys",
            "a = struct.pack('<3f', 0.5, -1.0, 3.25)",
            "b = struct.pack('<2q', 7, -8)",
            "header = {'__metadata__': {'format': 'pt'},",
            "          'a': {'dtype': 'F32', 'shape': [3], 'data_offsets': [0, 12]},",
            "          'b': {'dtype': 'I64', 'shape': [2, 1], 'data_offsets': [12, 28]}}",
            "h = json.dumps(header).encode('utf-8')",
            "open(sys.argv[1], 'wb').write(struct.pack('<Q', len(h)) + h + a + b)");

    @TempDir
    Path dir;

    /** Python also recomputes each tensor's CRC32C from the spec of the checksum and the key scheme. */
    @Test
    void pythonReadsOurFile() throws Exception {
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        tensors.put("conv/kernel", NamedTensor.ofFloats(new float[] {0.5f, -2f, 1e-3f, 4f}, 2, 2));
        tensors.put("labels", NamedTensor.ofInts(new int[] {3, -1}, 2));
        tensors.put("step", NamedTensor.ofLongs(new long[] {123456789012L}));
        Path file = dir.resolve("ours.safetensors");
        SafeTensors.write(file, tensors, Map.of("epoch", "4"));

        String out = python(READER, file);

        assertEquals(String.join("\n",
                "conv/kernel F32 2x2 0.5 -2.0 0.0010000000474974513 4.0",
                "labels I32 2 3 -1",
                "step I64  123456789012",
                "meta {\"epoch\": \"4\"}"), out.strip());
    }

    @Test
    void weReadPythonsFile() throws Exception {
        Path file = dir.resolve("theirs.safetensors");
        python(WRITER, file);
        Checkpoint c = SafeTensors.read(file);
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertArrayEquals(new float[] {0.5f, -1f, 3.25f}, c.tensor("a").toFloats());
        assertArrayEquals(new long[] {7, -8}, c.tensor("b").toLongs());
        assertArrayEquals(new long[] {2, 1}, c.tensor("b").shape());
    }

    private static String python(String script, Path file) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("python3", "-c", script, file.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "python3 is not available: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS), "python3 did not finish");
        assertEquals(0, p.exitValue(), "python3 failed:\n" + out);
        return out;
    }
}
