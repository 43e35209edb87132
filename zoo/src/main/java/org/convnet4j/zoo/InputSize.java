package org.convnet4j.zoo;

/** An image input as Keras writes it, height x width x channels; parses "224x224x3". */
public record InputSize(int height, int width, int channels) {
    /**
     * An input size; every dimension must be strictly positive.
     *
     * @param height rows
     * @param width columns
     * @param channels 1 for grayscale, 3 for RGB
     */
    public InputSize {
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("Expected a strictly positive input size. Received "
                    + height + "x" + width + "x" + channels);
        }
    }

    /**
     * Parses Keras' order, height x width x channels.
     *
     * @param s e.g. "224x224x3"
     * @return the size
     * @throws IllegalArgumentException naming the text when it is not HxWxC
     */
    public static InputSize parse(String s) {
        String[] p = s.toLowerCase(java.util.Locale.ROOT).split("x");
        if (p.length != 3) {
            throw new IllegalArgumentException("Expected an input size HxWxC such as 224x224x3. Received '" + s + "'");
        }
        try {
            return new InputSize(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), Integer.parseInt(p[2].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Expected an input size HxWxC such as 224x224x3. Received '" + s + "'");
        }
    }

    @Override
    public String toString() {
        return height + "x" + width + "x" + channels;
    }
}
