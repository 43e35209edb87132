package org.convnet4j.train;

/** The host-side checks and arithmetic {@link Trainer} and {@link Predictor} share. */
final class Images {
    private Images() {
    }

    /**
     * At least {@code count} images of {@code per} values, all finite. A NaN pixel would not reach the
     * loss (relu maps NaN to 0 in oneDNN) but would poison every weight through the filter gradients,
     * and garbage in inference; refuse it here, where a scan costs far less than a step.
     */
    static void check(float[] images, int per, int count) {
        if (images == null || images.length < (long) per * count) {
            throw new IllegalArgumentException("batch: expected " + count + " images of " + per + " values. Received "
                    + (images == null ? "null" : images.length + " values"));
        }
        for (int i = 0; i < per * count; i++) {
            if (!Float.isFinite(images[i])) {
                throw new IllegalArgumentException("batch: image " + (i / per) + " holds a non-finite value ("
                        + images[i] + ") at element " + (i % per));
            }
        }
    }

    /** Row-wise softmax of count x k logits, in float64 with the row maximum subtracted. */
    static float[] softmax(float[] logits, int count, int k) {
        float[] p = new float[count * k];
        for (int r = 0; r < count; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                max = Math.max(max, logits[r * k + c]);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                sum += Math.exp(logits[r * k + c] - max);
            }
            for (int c = 0; c < k; c++) {
                p[r * k + c] = (float) (Math.exp(logits[r * k + c] - max) / sum);
            }
        }
        return p;
    }
}
