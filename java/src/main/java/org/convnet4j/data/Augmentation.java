package org.convnet4j.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Random image augmentation of training batches, as Keras' preprocessing layers do it, applied on the
 * {@link BatchLoader}'s thread so the training step never waits for it. Off by default
 * ({@link #NONE}); each image takes the enabled steps in this order:
 * <ul>
 * <li>{@code flip}: Keras' {@code RandomFlip("horizontal")}, a left-right mirror half the time;</li>
 * <li>{@code cropPadding} p: torchvision's {@code RandomCrop(size, padding=p)}, the CIFAR recipe: the
 * image padded with p zero pixels on every side and cropped back to its size at a random offset,
 * i.e. shifted by a whole number of pixels in [-p, p] each way, zeros coming in;</li>
 * <li>{@code translate} f: Keras' {@code RandomTranslation(f, f)} with its default {@code "reflect"}
 * fill, shifted by up to f of the height and of the width each way, rounded to whole pixels
 * (Keras' {@code interpolation="nearest"}), the edge mirrored into the gap.</li>
 * </ul>
 * The draws for image i in epoch e are a function of (seed, e, i) alone, so a seed gives the same
 * augmented batches on every run, whatever the thread timing, and a run resumed at epoch e sees the
 * images an uninterrupted one sees. Evaluation and prediction never augment.
 *
 * <p>The text form, the command line's {@code --augment}, lists the steps with commas:
 * {@code flip,crop:4,translate:0.1}; {@link #parse} reads it and {@link #spec} writes it.
 */
public record Augmentation(boolean flip, int cropPadding, double translate) {
    /** No augmentation: batches are the images as stored. */
    public static final Augmentation NONE = new Augmentation(false, 0, 0);

    /**
     * Augmentation steps; {@link #NONE} and the {@code with} methods are the usual way to make one.
     *
     * @param flip whether to flip each image horizontally at random
     * @param cropPadding the zero padding a random crop may shift into, 0 for no crop
     * @param translate the largest random shift as a fraction of height and width, 0 for none
     */
    public Augmentation {
        if (cropPadding < 0 || !(translate >= 0 && translate <= 1)) {
            throw new IllegalArgumentException("Augmentation: expected a crop padding >= 0 and a translation in [0, 1]."
                    + " Received cropPadding=" + cropPadding + ", translate=" + translate);
        }
    }

    /**
     * With a random horizontal flip.
     *
     * @return a copy with the flip on
     */
    public Augmentation withFlip() {
        return new Augmentation(true, cropPadding, translate);
    }

    /**
     * With a random crop of the image padded by {@code padding} zero pixels on each side.
     *
     * @param padding pixels, at least 0
     * @return a copy with the crop
     */
    public Augmentation withCrop(int padding) {
        return new Augmentation(flip, padding, translate);
    }

    /**
     * With a random translation by up to {@code fraction} of the height and width, edges reflected.
     *
     * @param fraction in [0, 1]
     * @return a copy with the translation
     */
    public Augmentation withTranslate(double fraction) {
        return new Augmentation(flip, cropPadding, fraction);
    }

    /**
     * True when no step is enabled.
     *
     * @return whether batches are the images as stored
     */
    public boolean isNone() {
        return !flip && cropPadding == 0 && translate == 0;
    }

    /**
     * The text form: {@code flip,crop:4,translate:0.1}, or {@code none}.
     *
     * @return the text form
     */
    public String spec() {
        List<String> parts = new ArrayList<>();
        if (flip) {
            parts.add("flip");
        }
        if (cropPadding > 0) {
            parts.add("crop:" + cropPadding);
        }
        if (translate > 0) {
            parts.add("translate:" + translate);
        }
        return parts.isEmpty() ? "none" : String.join(",", parts);
    }

    /**
     * Reads {@link #spec}'s form: comma-separated {@code flip}, {@code crop:PIXELS}, {@code translate:FRACTION}.
     *
     * @param spec the text form, or "none"
     * @return the augmentation
     * @throws IllegalArgumentException naming the step it cannot read
     */
    public static Augmentation parse(String spec) {
        Augmentation a = NONE;
        if (spec.strip().equals("none")) {
            return a;
        }
        for (String part : spec.split(",", -1)) {
            String[] f = part.strip().split(":", -1);
            try {
                if (f[0].equals("flip") && f.length == 1 && !a.flip) {
                    a = a.withFlip();
                    continue;
                }
                if (f[0].equals("crop") && f.length == 2 && a.cropPadding == 0) {
                    int p = Integer.parseInt(f[1]);
                    if (p > 0) {
                        a = a.withCrop(p);
                        continue;
                    }
                }
                if (f[0].equals("translate") && f.length == 2 && a.translate == 0) {
                    double t = Double.parseDouble(f[1]);
                    if (t > 0 && t <= 1) {
                        a = a.withTranslate(t);
                        continue;
                    }
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("augmentation: expected a comma list of flip, crop:PIXELS (> 0) and"
                    + " translate:FRACTION (in (0, 1]), each at most once, e.g. flip,crop:4,translate:0.1. Received '"
                    + spec + "' ('" + part + "')");
        }
        return a;
    }
}
