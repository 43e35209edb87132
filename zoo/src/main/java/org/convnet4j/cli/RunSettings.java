package org.convnet4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.convnet4j.io.SafeTensors;
import org.convnet4j.train.Checkpoints;

/**
 * The settings of a training run that a resumed run must share to continue the same run: the model,
 * batch size, learning rate, seed, input size and class count, and the {@link TrainOptions} that
 * change what a step does (frozen base, schedule, plateau, weight decay, clipping, augmentation; the epoch count too
 * when the schedule depends on the run's length, as the cosine does). Every checkpoint of the run
 * carries them in its metadata ({@link Checkpoints#run}); {@code --resume} compares the command's
 * against the checkpoint's and refuses a difference unless {@code --force-resume} is given, and the
 * next checkpoint then carries the new ones. A setting an older checkpoint does not hold is not
 * compared.
 */
record RunSettings(String model, int batchSize, double learningRate, long seed, String input, int classes, int epochs,
                   TrainOptions options, boolean freezeBase, boolean kerasForm) {
    /** The settings compared as numbers, so 0.01 and 1e-2 are the same. */
    private static final Set<String> NUMERIC = Set.of("learning_rate", "weight_decay", "clip_norm");

    /** Each setting: its key in the metadata, the option that sets it, and its value as stored. */
    private record Setting(String key, String option, String value) {
    }

    private List<Setting> settings() {
        return List.of(
                new Setting("model", "MODEL", model),
                new Setting("batch_size", "--batch-size", Integer.toString(batchSize)),
                new Setting("learning_rate", "--lr", Double.toString(learningRate)),
                new Setting("seed", "--seed", Long.toString(seed)),
                new Setting("input", "--input", input),
                new Setting("classes", "--classes", Integer.toString(classes)),
                new Setting("lr_schedule", "--lr-schedule", options.schedule().spec()),
                new Setting("reduce_lr_on_plateau", "--reduce-lr-on-plateau",
                        options.plateau() == null ? "none" : options.plateau().spec()),
                new Setting("weight_decay", "--weight-decay", Double.toString(options.weightDecay())),
                new Setting("clip_norm", "--clip-norm", Double.toString(options.clipNorm())),
                new Setting("augment", "--augment", options.augmentation().spec()),
                new Setting("freeze_base", "--freeze-base", Boolean.toString(freezeBase)),
                // keras.applications' layer settings (ResNet-50's batch-norm epsilon) come with --weights FILE.h5
                new Setting("keras_form", "--weights FILE.h5", Boolean.toString(kerasForm)),
                new Setting("schedule_epochs", "--epochs",
                        options.schedule().dependsOnRunLength() ? Integer.toString(epochs) : "any"));
    }

    /** The settings by key, in a fixed order, as the checkpoint stores them. */
    Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Setting s : settings()) {
            m.put(s.key(), s.value());
        }
        return m;
    }

    /**
     * The settings recorded in {@code checkpoint} by key (empty when it holds none: an older file), from
     * its header alone: the tensors are read, and their checksums verified, once, when it is loaded.
     */
    static Map<String, String> read(Path checkpoint) {
        return Checkpoints.run(SafeTensors.metadata(checkpoint));
    }
    /**
     * Each setting of this command that differs from the recorded ones, as "--batch-size 64 (the run
     * used 32)"; a setting the checkpoint does not hold is not compared.
     */
    List<String> differencesFrom(Map<String, String> recorded) {
        List<String> out = new ArrayList<>();
        for (Setting s : settings()) {
            String was = recorded.get(s.key());
            if (was != null && !same(s, was)) {
                out.add(s.option().equals("MODEL") ? "model " + s.value() + " (the run trained " + was + ")"
                        : s.option() + " " + s.value() + " (the run used " + was + ")");
            }
        }
        return out;
    }

    private static boolean same(Setting s, String recorded) {
        if (s.key().equals("schedule_epochs") && (recorded.equals("any") || s.value().equals("any"))) {
            return true; // a schedule that ignores the run's length, then or now: lr_schedule tells any change
        }
        if (NUMERIC.contains(s.key())) {
            try {
                return Double.parseDouble(recorded) == Double.parseDouble(s.value());
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return recorded.strip().equals(s.value());
    }
}
