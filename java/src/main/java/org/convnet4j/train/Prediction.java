package org.convnet4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One class of a prediction: its index (the label), its name and the probability the model gives it.
 *
 * @param index the class index
 * @param name the class's name
 * @param probability the softmax probability, in [0, 1]
 */
public record Prediction(int index, String name, float probability) {

    /**
     * The {@code k} most probable classes of one row of class probabilities ({@code probabilities} from
     * {@code offset}, {@code names.size()} of them), most probable first; equal probabilities keep label order.
     * k larger than the number of classes gives every class.
     *
     * @param probabilities rows of class probabilities, such as a batch's
     * @param offset where the row starts in the array
     * @param names the class names, one per class
     * @param k how many classes to return, &gt;= 1
     * @return at most k predictions, most probable first; unmodifiable
     * @throws IllegalArgumentException if k &lt; 1 or the row does not fit in the array
     */
    public static List<Prediction> top(float[] probabilities, int offset, List<String> names, int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("Prediction.top: expected k >= 1. Received " + k);
        }
        int classes = names.size();
        if (offset < 0 || offset + classes > probabilities.length) {
            throw new IllegalArgumentException("Prediction.top: expected " + classes + " probabilities from offset "
                    + offset + ". Received an array of " + probabilities.length);
        }
        List<Prediction> all = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            all.add(new Prediction(c, names.get(c), probabilities[offset + c]));
        }
        // A stable sort: ties stay in label order.
        all.sort((a, b) -> Float.compare(b.probability, a.probability));
        return List.copyOf(all.subList(0, Math.min(k, classes)));
    }

    /** "Sneaker 0.93". */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %.2f", name, probability);
    }
}
