package org.convnet4j.bench.dl4j;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.bytedeco.javacpp.Loader;
import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the run actually uses: the libnd4j build that JavaCPP loaded (stock AVX-512 or oneDNN),
 * OpenMP and BLAS threads, whether libnd4j has oneDNN on, and whether DL4J's own oneDNN layer
 * helpers (MKLDNNConvHelper, MKLDNNSubsamplingHelper, MKLDNNBatchNormHelper) were attached.
 */
public final class BackendInfo {
    /** DL4J M2.1 reads this before attaching any layer helper, and its default is "true" (disabled). */
    static final String DISABLE_HELPERS = DL4JSystemProperties.DISABLE_HELPER_PROPERTY;

    private BackendInfo() {
    }

    /** Whether the libnd4j that JavaCPP loaded was built with oneDNN (the -onednn classifiers). */
    public static boolean oneDnnBuild() {
        String build = Nd4j.getBackend().buildInfo();
        return build != null && build.contains("HAVE_ONEDNN");
    }

    /**
     * Call before building a model. With DL4J's oneDNN build, turns DL4J's layer helpers on (they
     * are off by default in M2.1) unless -Dorg.eclipse.deeplearning4j.helpers.disable says otherwise;
     * with the stock build, changes nothing.
     */
    static void prepare() {
        if (System.getProperty(DISABLE_HELPERS) == null && oneDnnBuild()) {
            System.setProperty(DISABLE_HELPERS, "false");
        }
    }

    public static String describe(Net net) {
        StringBuilder s = new StringBuilder();
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        s.append("dl4j: backend ").append(env.getProperty("backend"))
                .append(", blas ").append(env.get("blas.vendor"))
                .append(", omp threads ").append(env.get("omp.threads"))
                .append(", blas threads ").append(env.get("blas.threads"))
                .append(", maxThreads ").append(Nd4j.getEnvironment().maxThreads())
                .append(", maxMasterThreads ").append(Nd4j.getEnvironment().maxMasterThreads())
                .append(", OMP_NUM_THREADS=").append(System.getenv("OMP_NUM_THREADS"))
                .append(", cores ").append(Runtime.getRuntime().availableProcessors()).append('\n');
        for (Map.Entry<String, String> e : new TreeMap<>(Loader.getLoadedLibraries()).entrySet()) {
            if (e.getKey().contains("nd4j")) {
                s.append("dl4j: loaded ").append(e.getKey()).append(" from ").append(e.getValue()).append('\n');
            }
        }
        String build = Nd4j.getBackend().buildInfo();
        s.append("dl4j: libnd4j build: ").append(build == null ? "?" : build.replace('\n', ' ').trim()).append('\n');
        s.append("dl4j: ").append(DISABLE_HELPERS).append('=').append(System.getProperty(DISABLE_HELPERS))
                .append(", libnd4j isUseONEDNN=").append(Nd4jCpu.Environment.getInstance().isUseONEDNN())
                .append(", helpersAllowed=").append(Nd4j.getEnvironment().helpersAllowed())
                .append(", DL4J BaseMKLDNNHelper.mklDnnEnabled()=").append(BaseMKLDNNHelper.mklDnnEnabled()).append('\n');
        if (net != null) {
            Map<String, Integer> helpers = new TreeMap<>();
            for (Layer l : net.layers()) {
                String kind = l.getClass().getSimpleName();
                String helper = l.getHelper() == null ? "none" : l.getHelper().getClass().getSimpleName();
                helpers.merge(kind + " -> " + helper, 1, Integer::sum);
            }
            s.append("dl4j: layer helpers of ").append(net.name()).append(": ").append(helpers).append('\n');
        }
        return s.toString();
    }
}
