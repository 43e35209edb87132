package consumer;

import java.net.URL;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.bytedeco.javacpp.Loader;
import org.convnet4j.data.Dataset;
import org.convnet4j.ops.Adam;
import org.convnet4j.train.FitSettings;
import org.convnet4j.train.Learner;
import org.convnet4j.zoo.Zoo;

/**
 * The checks of consumer-check.sh, in an application's own JVM: one copy of OpenCL's presets on the
 * class path, from the opencl jar; the application's OpenCL presets and convnet4j's oneDNN load side
 * by side; and LeNet-5 trains a step on 64 random 28 x 28 images.
 */
public class Consumer {
    public static void main(String[] args) throws Exception {
        List<URL> copies = Collections.list(Consumer.class.getClassLoader()
                .getResources("org/bytedeco/opencl/presets/OpenCL.class"));
        if (copies.size() != 1 || !copies.get(0).toString().contains("/opencl-")) {
            throw new AssertionError("expected one OpenCL presets class, from the opencl jar; found " + copies);
        }
        System.out.println("opencl presets: " + copies.get(0));
        // The application's own use of OpenCL: its JNI library loads (no OpenCL device is needed).
        Loader.load(org.bytedeco.opencl.global.OpenCL.class);

        int n = 64;
        byte[] pixels = new byte[n * 28 * 28];
        int[] labels = new int[n];
        Random random = new Random(1);
        random.nextBytes(pixels);
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(10);
        }
        Dataset data = new Dataset(pixels, labels, 1, 28, 28,
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
        try (Learner learner = Learner.builder(Zoo.get("lenet5").build())
                .backend("cpu").optimizer(Adam.keras()).seed(42).build()) {
            learner.fit(data, FitSettings.builder().epochs(1).batchSize(32).build());
            double loss = learner.evaluate(data).loss();
            if (!Double.isFinite(loss)) {
                throw new AssertionError("loss after one epoch is " + loss);
            }
            System.out.printf("trained: loss %.4f%n", loss);
        }
    }
}
