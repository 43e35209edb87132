package org.convnet4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command line's positionals and {@code --name value} options, checked against the options a
 * command accepts: an unknown option, an option given twice, a missing value or a malformed number
 * is a usage error.
 */
final class Args {
    private final List<String> positionals = new ArrayList<>();
    private final Map<String, String> options = new HashMap<>();

    Args(List<String> args, Set<String> valued, Set<String> flags) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (options.containsKey(name)) {
                    // Taking the last value silently would let a long command line contradict itself unseen.
                    throw new UsageException("option --" + name + " is given twice");
                }
                if (flags.contains(name) && value == null) {
                    options.put(name, "true");
                } else if (valued.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw new UsageException("option --" + name + " needs a value");
                        }
                        value = args.get(++i);
                    }
                    options.put(name, value);
                } else {
                    throw new UsageException("unknown option --" + name);
                }
            } else {
                positionals.add(a);
            }
        }
    }

    String positional(int i, String what) {
        if (i >= positionals.size()) {
            throw new UsageException("missing " + what);
        }
        return positionals.get(i);
    }

    /** Every positional, in order. */
    List<String> positionals() {
        return List.copyOf(positionals);
    }

    void maxPositionals(int n) {
        if (positionals.size() > n) {
            throw new UsageException("unexpected argument '" + positionals.get(n) + "'");
        }
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    String string(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    Path path(String name) {
        String v = options.get(name);
        return v == null ? null : Path.of(v);
    }

    int integer(String name, int fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n <= 0) {
                throw new UsageException("--" + name + " must be a positive integer. Received " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a positive integer. Received '" + v + "'");
        }
    }

    /** A count where 0 means none (e.g. --precise-bn 0: off). */
    int count(String name, int fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new UsageException("--" + name + " must be 0 or a positive integer. Received " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be 0 or a positive integer. Received '" + v + "'");
        }
    }

    long longValue(String name, long fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer. Received '" + v + "'");
        }
    }

    double number(String name, double fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v);
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new UsageException("--" + name + " must be a positive number. Received " + v);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number. Received '" + v + "'");
        }
    }
}
