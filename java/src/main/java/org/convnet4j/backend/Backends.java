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

    /**
     * Whether a backend can run here, and why (or why not).
     *
     * @param name "cpu" or "cuda"
     * @param available whether it can be created here
     * @param reason what it runs on when available (libraries, threads, GPU), else why not
     */
    public record Availability(String name, boolean available, String reason) {
    }

    /**
     * Checks whether a backend can run here without creating it: the CPU always can; CUDA when a GPU
     * is present and its libraries load.
     *
     * @param name "cpu" or "cuda"
     * @return the answer and its reason
     * @throws IllegalArgumentException for any other name
     */
    public static Availability probe(String name) {
        return switch (name) {
            case "cpu" -> new Availability("cpu", true, "oneDNN, " + org.convnet4j.nativelib.OpenMp.settings());
            case "cuda" -> CudaProbe.probe();
            default -> throw new IllegalArgumentException("Unknown backend '" + name + "'. Expected one of auto, cpu, cuda");
        };
    }

    /**
     * The backend named, or for "auto" the best one present; the chosen one's reason is in
     * {@link #explain}.
     *
     * @param name "auto", "cpu" or "cuda"
     * @return a new backend, owned (and closed) by the caller
     * @throws BackendUnavailableException if the backend named cannot run here
     * @throws IllegalArgumentException for an unknown name
     */
    public static Backend create(String name) {
        String chosen = resolve(name);
        return chosen.equals("cpu") ? new CpuBackend() : new CudaBackend();
    }

    /**
     * "cpu" or "cuda" for a requested name, after probing.
     *
     * @param name "auto", "cpu" or "cuda"
     * @return the backend {@link #create} would make
     * @throws BackendUnavailableException if the backend named cannot run here
     * @throws IllegalArgumentException for an unknown name
     */
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

    /**
     * One line saying which backend "auto" picks and why, for CLIs and logs; for "cpu" or "cuda", that
     * backend's availability reason.
     *
     * @param name "auto", "cpu" or "cuda"
     * @return for example {@code "backend cpu (oneDNN, ...; cuda unavailable: ...)"}
     * @throws IllegalArgumentException for an unknown name
     */
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
