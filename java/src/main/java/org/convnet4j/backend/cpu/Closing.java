package org.convnet4j.backend.cpu;

/** Closing what a frozen layer owns: each resource once, nulls skipped, failures as unchecked exceptions. */
final class Closing {
    private Closing() {
    }

    /** Closes {@code r} (null: nothing); a failure is rethrown unchecked, naming {@code what}. */
    static void quietly(String what, AutoCloseable r) {
        if (r == null) {
            return;
        }
        try {
            r.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + what + "'s resource", e);
        }
    }

    /** Closes every primitive of every group and clears its slot. */
    static void all(String what, Primitive[]... groups) {
        for (Primitive[] g : groups) {
            for (int i = 0; i < g.length; i++) {
                quietly(what, g[i]);
                g[i] = null;
            }
        }
    }

    /**
     * s8 weights with one scale per output channel: channel c holds {@code per} elements, the first at
     * {@code c * channelStride}, then every {@code elementStride} (OIHW convolution weights: per*1, 1;
     * dense in x units: 1, units). {@code scale[c] = max |w| / 127} of the channel (1 when it is all
     * zero), {@code q = round(w / scale)} within [-127, 127].
     */
    static byte[] quantizePerChannel(float[] w, int channels, int per, int channelStride, int elementStride,
                                     float[] scales) {
        byte[] q = new byte[w.length];
        for (int c = 0; c < channels; c++) {
            float max = 0f;
            for (int k = 0; k < per; k++) {
                float v = w[c * channelStride + k * elementStride];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("int8: weight " + k + " of output channel " + c + " is " + v);
                }
                max = Math.max(max, Math.abs(v));
            }
            float scale = max > 0f ? max / 127f : 1f;
            scales[c] = scale;
            for (int k = 0; k < per; k++) {
                int i = c * channelStride + k * elementStride;
                q[i] = (byte) Math.max(-127, Math.min(127, Math.round((double) w[i] / scale)));
            }
        }
        return q;
    }
}
