package org.nd4j.nativeblas;

/**
 * Compiled only under -Ponednn. DL4J 1.0.0-M2.1 decides whether to attach its oneDNN layer helpers
 * (BaseMKLDNNHelper.mklDnnEnabled) by reflection on {@code org.nd4j.nativeblas.Nd4jCpu$Environment}
 * and its method {@code isUseMKLDNN()}; in M2.1 that class lives at
 * org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu and the method is called isUseONEDNN(), so the
 * check always fails and no helper is ever used. This class answers that reflective call with the
 * real flag, and only where the loaded libnd4j was built with oneDNN (HAVE_ONEDNN).
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            String build = org.nd4j.linalg.factory.Nd4j.getBackend().buildInfo();
            return build != null && build.contains("HAVE_ONEDNN")
                    && org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }
    }
}
