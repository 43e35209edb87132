package org.convnet4j.zoo;

/** The real data set a zoo model trains on by default, as docs/ZOO.md's table says. */
public enum DataKind {
    /** Fashion-MNIST IDX files; default folder /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist). */
    FASHION_MNIST,
    /** CIFAR-10: binary batches, or a folder or zip of class folders (train.zip and test.zip). */
    CIFAR10,
    /** tf_flowers: a folder or zip of class folders; first 70% train, last 30% validation. */
    FLOWERS
}
