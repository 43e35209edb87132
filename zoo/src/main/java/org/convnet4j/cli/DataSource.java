package org.convnet4j.cli;

import java.nio.file.Path;

import org.convnet4j.data.DataNotFoundException;
import org.convnet4j.data.Dataset;
import org.convnet4j.data.Datasets;
import org.convnet4j.data.Split;
import org.convnet4j.zoo.InputSize;
import org.convnet4j.zoo.ModelSpec;

/** Loads a zoo model's training and test (or validation) data from --data, or its default location. */
record DataSource(Dataset train, Dataset test, String description) {

    static DataSource load(ModelSpec spec, InputSize input, Path data) {
        try {
            return read(spec, input, data);
        } catch (DataNotFoundException e) {
            // The library says what to give; only the command line knows it is given as --data.
            throw new DataNotFoundException(e.getMessage() + "; pass it as --data PATH", e);
        }
    }

    private static DataSource read(ModelSpec spec, InputSize input, Path data) {
        return switch (spec.data()) {
            case FASHION_MNIST -> {
                Path dir = data != null ? data : Datasets.FASHION_MNIST_DIR;
                yield new DataSource(Datasets.fashionMnist(dir, true), Datasets.fashionMnist(dir, false),
                        "Fashion-MNIST from " + dir);
            }
            case CIFAR10 -> {
                Path p = require(data, "CIFAR-10", "a folder holding train.zip and test.zip, or the binary batches");
                // Zipped class folders come class by class; a fixed shuffle of the test set makes "the first
                // 50 test images" of the predictions grid a mix of classes, as in the official order.
                // One file (a single zip or batch) serves as both parts: decode it once.
                Dataset train = Datasets.cifar10(p, true);
                Dataset test = java.nio.file.Files.isRegularFile(p) ? train : Datasets.cifar10(p, false);
                yield new DataSource(train, Datasets.shuffled(test, 0), "CIFAR-10 from " + p);
            }
            case FLOWERS -> {
                Path p = require(data, "tf_flowers", "flowers-160.zip or a folder of class folders");
                Split s = Datasets.split(Datasets.flowers(p, input.height(), input.width()), 0.7);
                yield new DataSource(s.train(), s.validation(), "tf_flowers from " + p + " (first 70% train, last 30% validation)");
            }
        };
    }

    private static Path require(Path data, String name, String what) {
        if (data == null) {
            throw new UsageException(name + " has no default location: pass --data PATH (" + what + ")");
        }
        return data;
    }
}
