#!/usr/bin/env bash
# Where a training step's time goes, per layer type and pass (bench's StepProfile with the profiler on).
#   scripts/profile-step.sh MODEL [fp32|bf16] [STEPS] [BATCH] [WARMUP]
# e.g. scripts/profile-step.sh resnet50 fp32 3. Builds bench/target/benchmarks.jar when it is missing.
# Time nothing else meanwhile: on a shared machine the figures mean nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -lt 1 ]]; then
    echo "usage: scripts/profile-step.sh MODEL [fp32|bf16] [STEPS] [BATCH] [WARMUP]" >&2
    exit 2
fi
jar=bench/target/benchmarks.jar
if [[ ! -f $jar ]]; then
    mvn -B -q -DskipTests package -pl bench -am
fi
threads=${THREADS:-$(nproc)}
exec java -Dconvnet4j.profile=true -Dconvnet4j.threads="$threads" -Xmx16g -cp "$jar" org.convnet4j.bench.StepProfile "$@"
