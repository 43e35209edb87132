package org.convnet4j.backend;

import org.convnet4j.backend.cpu.CpuBackend;
import org.convnet4j.backend.cuda.CudaBackend;

/**
 * Chooses and creates backends by name: {@code cpu}, {@code cuda}, or {@code auto} (CUDA when a GPU
 * is present and its libraries load, else the CPU). Every choice comes with the reason it was made,
 * and asking for a backend that cannot run here fails with that reason; nothing falls back silently.
 */
public final class Backends {
    private Backends() {
    }

    /** Whether a backend can run here, and why (or why not). */
    public record Availability(String name, boolean available, String reason) {
    }

    public static Availability probe(String name) {
        return switch (name) {
            case "cpu" -> new Availability("cpu", true, "oneDNN, " + org.convnet4j.nativelib.OpenMp.settings());
            case "cuda" -> CudaProbe.probe();
            default -> throw new IllegalArgumentException("Unknown backend '" + name + "'. Expected one of auto, cpu, cuda");
        };
    }

    /** The backend named, or for "auto" the best one present; the chosen one's reason is in {@link #explain}. */
    public static Backend create(String name) {
        String chosen = resolve(name);
        return chosen.equals("cpu") ? new CpuBackend() : new CudaBackend();
    }

    /** "cpu" or "cuda" for a requested name, after probing. */
    public static String resolve(String name) {
        if (name.equals("auto")) {
            return probe("cuda").available() ? "cuda" : "cpu";
        }
        Availability a = probe(name);
        if (!a.available()) {
            throw new BackendUnavailableException("Backend " + name + " cannot run here: " + a.reason());
        }
        return name;
    }

    /** One line saying which backend "auto" picks and why, for CLIs and logs. */
    public static String explain(String name) {
        Availability cuda = probe("cuda");
        if (name.equals("auto")) {
            return cuda.available() ? "backend cuda (" + cuda.reason() + ")"
                    : "backend cpu (" + probe("cpu").reason() + "; cuda unavailable: " + cuda.reason() + ")";
        }
        Availability a = probe(name);
        return "backend " + name + " (" + a.reason() + ")";
    }
}
