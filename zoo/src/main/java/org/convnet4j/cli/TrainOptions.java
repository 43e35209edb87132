package org.convnet4j.cli;

import java.nio.file.Path;
import java.util.Set;

import org.convnet4j.data.Augmentation;
import org.convnet4j.train.LearningRateSchedule;
import org.convnet4j.train.ReduceLROnPlateau;

/**
 * The options of {@code train} that shape the optimization beyond the reference run's defaults:
 * {@code --lr-schedule}, {@code --reduce-lr-on-plateau}, {@code --weight-decay} (AdamW),
 * {@code --clip-norm}, {@code --augment}, and where {@code --tensorboard} writes. Each is off unless
 * given, so a plain {@code train} is the reference run. A value the library refuses is a usage error
 * naming the option.
 */
record TrainOptions(LearningRateSchedule schedule, ReduceLROnPlateau plateau, double weightDecay, double clipNorm,
                    Augmentation augmentation, Path tensorboard) {
    /** The options, all taking a value. */
    static final Set<String> VALUED = Set.of("lr-schedule", "reduce-lr-on-plateau", "weight-decay", "clip-norm",
            "augment", "tensorboard");

    static TrainOptions from(Args a) {
        LearningRateSchedule schedule = parsed(a, "lr-schedule", LearningRateSchedule::parse,
                LearningRateSchedule.constant());
        ReduceLROnPlateau plateau = parsed(a, "reduce-lr-on-plateau", ReduceLROnPlateau::parse, null);
        double weightDecay = nonNegative(a, "weight-decay");
        double clipNorm = a.string("clip-norm", null) == null ? 0 : a.number("clip-norm", 0);
        Augmentation augmentation = parsed(a, "augment", Augmentation::parse, Augmentation.NONE);
        return new TrainOptions(schedule, plateau, weightDecay, clipNorm, augmentation, a.path("tensorboard"));
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private static <T> T parsed(Args a, String option, Parser<T> parser, T fallback) {
        String v = a.string(option, null);
        if (v == null) {
            return fallback;
        }
        try {
            return parser.parse(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + option + ": " + e.getMessage());
        }
    }

    private static double nonNegative(Args a, String option) {
        String v = a.string(option, null);
        if (v == null) {
            return 0;
        }
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--" + option + " must be a number >= 0. Received '" + v + "'");
    }
}
