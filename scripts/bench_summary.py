#!/usr/bin/env python3
"""bench_summary.py RESULTS_DIR: the markdown report of a scripts/bench-all.sh run.

Reads the run's manifest (runs.tsv: kind, model, batch, impl, status, file base, plan, seconds),
machine.txt and skipped.tsv, and every raw result the manifest names: JMH's JSON (ours, DL4J and
DL4J-oneDNN run the same JMH benchmarks) and the `RESULT {json}` line of the PyTorch script and of
the PeakMemory mains. Prints the training, latency, memory and kernel tables with the ratios.

Training time per step is the median over the measured iterations (single-shot: one step each;
AverageTime: each iteration's mean), as PyTorch's script reports its median step.
"""
import json
import os
import re
import statistics
import sys
import zipfile

IMPLS = ["ours", "dl4j", "dl4j-onednn", "pytorch", "ours-bf16", "pytorch-bf16", "ort"]
NAMES = {"ours": "ours", "dl4j": "DL4J", "dl4j-onednn": "DL4J-oneDNN", "pytorch": "PyTorch",
         "ours-bf16": "ours bf16", "pytorch-bf16": "PyTorch bf16+CL", "ort": "ONNX Runtime"}
TO_MS = {"ns/op": 1e-6, "us/op": 1e-3, "\u00b5s/op": 1e-3, "ms/op": 1.0, "s/op": 1e3}
# Issue 6's targets: ours/PyTorch and ours/DL4J training throughput; ours/PyTorch batch-1 p50 latency.
SKIPPED = set()  # implementations bench-all.sh left out (skipped.tsv), filled by main
TRAIN_TARGETS = {"pytorch": 1.2, "dl4j": 10.0}
LATENCY_TARGETS = {"lenet5": 0.5, "resnet50": 0.7}


def read_manifest(out):
    rows = []
    with open(os.path.join(out, "runs.tsv")) as f:
        for line in f:
            kind, model, batch, impl, status, base, plan, seconds = line.rstrip("\n").split("\t")
            rows.append(dict(kind=kind, model=model, batch=int(batch), impl=impl, status=status,
                             base=os.path.join(out, base), plan=plan, seconds=int(seconds)))
    return rows


def read_pairs(path, sep):
    pairs = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if sep in line:
                    k, v = line.rstrip("\n").split(sep, 1)
                    pairs.append((k.strip(), v.strip()))
    return pairs


def result_line(log):
    """The JSON of the last `RESULT {...}` line of a log, or None."""
    found = None
    if os.path.exists(log):
        with open(log, errors="replace") as f:
            for line in f:
                if line.startswith("RESULT "):
                    found = json.loads(line[len("RESULT "):])
    return found


def jmh(path):
    """The first benchmark of a JMH JSON result file, or None."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        runs = json.load(f)
    return runs[0] if runs else None


def measure(row):
    """A row's figures: {ms, img_s} (train), {p50, p99, n} (latency), {mib, pool_mib} (memory); or None."""
    if row["status"] != "ok":
        return None
    if row["kind"] == "memory":
        r = result_line(row["base"] + ".log")
        return r and {"mib": r.get("vmhwm_mib"), "pool_mib": r.get("pool_peak_mib")}
    if row["impl"].startswith("pytorch"):
        r = result_line(row["base"] + ".log")
        if r is None:
            return None
        if row["kind"] == "train":
            return {"ms": r["step_ms_median"], "img_s": r["img_per_s"], "info": r}
        return {"p50": r["p50_ms"], "p99": r["p99_ms"], "n": r.get("iters"), "info": r}
    b = jmh(row["base"] + ".json")
    if b is None:
        return None
    m = b["primaryMetric"]
    scale = TO_MS[m["scoreUnit"]]
    if row["kind"] == "train":
        ms = statistics.median(x for fork in m["rawData"] for x in fork) * scale
        return {"ms": ms, "img_s": row["batch"] * 1000.0 / ms}
    n = sum(count for fork in m.get("rawDataHistogram", []) for it in fork for _, count in it)
    return {"p50": m["scorePercentiles"]["50.0"] * scale, "p99": m["scorePercentiles"]["99.0"] * scale, "n": n}


def fmt(x, digits=None):
    if x is None:
        return "-"
    if digits is None:
        digits = 0 if x >= 100 else 1 if x >= 10 else 2 if x >= 1 else 3
    return f"{x:,.{digits}f}"


def fmt_ratio(r):
    if r is None:
        return "-"
    return f"{r:.2f}" if r >= 0.1 else f"{r:.2g}"


def ratio(a, b):
    return a / b if a is not None and b else None


def cell(rows, impl, key):
    """The figure, or why there is none: 'skipped', 'timeout', 'failed (exit 1)', 'no result'."""
    row = rows.get(impl)
    if row is None:
        return None, "skipped" if impl in SKIPPED else "-"
    m = measure(row)
    if m is None:
        return None, row["status"] if row["status"] != "ok" else "no result"
    return m[key], fmt(m[key])


def plan_text(impl, row):
    plan = row["plan"]
    if impl.startswith("pytorch"):
        return f"{NAMES[impl]} {plan}"
    parts = plan.split()
    if parts and parts[0] == "ss":
        return f"{NAMES[impl]} ss {parts[1]}+{parts[2]}"
    return f"{NAMES[impl]} {plan}"


def grouped(manifest, kind):
    groups = {}
    for row in manifest:
        if row["kind"] == kind:
            groups.setdefault((row["model"], row["batch"]), {})[row["impl"]] = row
    return groups


def train_table(manifest, present):
    groups = grouped(manifest, "train")
    if not groups:
        return [], []
    lines = ["| model | batch | " + " | ".join(f"{NAMES[i]} img/s" for i in present)
             + " | ours/DL4J | ours/PyTorch | bf16: ours/PyTorch | iterations (warm-up+measured) |",
             "|---|---:|" + "---:|" * len(present) + "---:|---:|---:|---|"]
    misses = []
    compared = 0
    for (model, batch), rows in groups.items():
        values = {}
        cells = []
        for impl in present:
            v, text = cell(rows, impl, "img_s")
            values[impl] = v
            cells.append(text)
        r_dl4j = ratio(values.get("ours"), values.get("dl4j"))
        r_pt = ratio(values.get("ours"), values.get("pytorch"))
        r_bf16 = ratio(values.get("ours-bf16"), values.get("pytorch-bf16"))
        for peer, r in (("pytorch", r_pt), ("dl4j", r_dl4j)):
            compared += r is not None
            if r is not None and r < TRAIN_TARGETS[peer]:
                misses.append(f"{model} b{batch}: ours/{NAMES[peer]} {fmt_ratio(r)} < {TRAIN_TARGETS[peer]:g}")
        plans = "; ".join(plan_text(i, rows[i]) for i in present if i in rows)
        lines.append(f"| {model} | {batch} | " + " | ".join(cells)
                     + f" | {fmt_ratio(r_dl4j)} | {fmt_ratio(r_pt)} | {fmt_ratio(r_bf16)} | {plans} |")
    return lines, (misses if compared else None)


def latency_table(manifest, present):
    groups = grouped(manifest, "latency")
    if not groups:
        return [], []
    head = "| model | " + " | ".join(f"{NAMES[i]} p50 | {NAMES[i]} p99" for i in present)
    lines = [head + " | ours/DL4J p50 | ours/PyTorch p50 | ours/PyTorch p99 | ours/ORT p50 | ours bf16/ORT p50"
             " | ours p99/p50 | samples |",
             "|---|" + "---:|---:|" * len(present) + "---:|---:|---:|---:|---:|---:|---|"]
    misses = []
    compared = 0
    for (model, _), rows in groups.items():
        v = {}
        cells = []
        for impl in present:
            p50, t50 = cell(rows, impl, "p50")
            p99, t99 = cell(rows, impl, "p99")
            v[impl] = (p50, p99)
            cells += [t50, t99]
        ours = v.get("ours", (None, None))
        r_dl4j = ratio(ours[0], v.get("dl4j", (None, None))[0])
        r_pt50 = ratio(ours[0], v.get("pytorch", (None, None))[0])
        r_pt99 = ratio(ours[1], v.get("pytorch", (None, None))[1])
        r_ort = ratio(ours[0], v.get("ort", (None, None))[0])
        r_bf16_ort = ratio(v.get("ours-bf16", (None, None))[0], v.get("ort", (None, None))[0])
        tail = ratio(ours[1], ours[0])
        compared += r_pt50 is not None and model in LATENCY_TARGETS
        if r_pt50 is not None and model in LATENCY_TARGETS and r_pt50 > LATENCY_TARGETS[model]:
            misses.append(f"{model}: ours/PyTorch p50 {fmt_ratio(r_pt50)} > {LATENCY_TARGETS[model]:g}")
        samples = []
        for impl in present:
            m = measure(rows[impl]) if impl in rows else None
            if m and m.get("n"):
                samples.append(f"{NAMES[impl]} {m['n']} ({plan_text(impl, rows[impl]).split(' ', 1)[1]})")
        lines.append(f"| {model} | " + " | ".join(cells) + f" | {fmt_ratio(r_dl4j)} | {fmt_ratio(r_pt50)} | {fmt_ratio(r_pt99)} | "
                     + f"{fmt_ratio(r_ort)} | {fmt_ratio(r_bf16_ort)} | {fmt_ratio(tail)} | "
                     + "; ".join(samples) + " |")
    return lines, (misses if compared else None)


def memory_table(manifest):
    groups = grouped(manifest, "memory")
    if not groups:
        return []
    jvms = [i for i in IMPLS if i != "pytorch"]
    lines = ["| model | batch | steps | " + " | ".join(f"{NAMES[i]} VmHWM MiB" for i in jvms)
             + " | ours pool peak MiB | ours/DL4J |",
             "|---|---:|---:|" + "---:|" * len(jvms) + "---:|---:|"]
    for (model, batch), rows in groups.items():
        v = {}
        cells = []
        for impl in jvms:
            v[impl], text = cell(rows, impl, "mib")
            cells.append(text)
        pool, pool_text = cell(rows, "ours", "pool_mib")
        steps = next(iter(rows.values()))["plan"].split()[0]
        lines.append(f"| {model} | {batch} | {steps} | " + " | ".join(cells)
                     + f" | {pool_text} | {fmt_ratio(ratio(v.get('ours'), v.get('dl4j')))} |")
    return lines


def kernel_table(manifest):
    rows = [r for r in manifest if r["kind"] == "kernels"]
    if not rows:
        return []
    row = rows[0]
    if row["status"] != "ok":
        return [f"Per-kernel run: {row['status']} (see {os.path.basename(row['base'])}.log)."]
    table = []
    with open(row["base"] + ".log", errors="replace") as f:
        for line in f:
            if line.startswith("| benchmark ") or (table and line.startswith("|")):
                table.append(line.rstrip("\n"))
    return [f"JMH AverageTime, 1 fork, `{row['plan']}`; shapes at batch 32 from bench/.../Shapes.java.", ""] + table


def versions(manifest, out):
    found = {}
    for row in manifest:
        if row["impl"] == "pytorch":
            m = measure(row)
            if m and "info" in m:
                i = m["info"]
                found["pytorch"] = (f"PyTorch {i.get('version')} ({i.get('variant', '')}), BLAS {i.get('blas')}, "
                                    f"{i.get('threads')} threads, {i.get('device', 'cpu')}")
        elif row["impl"] in ("ours", "dl4j", "dl4j-onednn") and row["kind"] in ("train", "latency") and "jmh" not in found:
            b = jmh(row["base"] + ".json")
            if b:
                found["jmh"] = f"JMH {b['jmhVersion']}, {b['vmName']} {b['vmVersion']}"
    for key, jar in read_pairs(os.path.join(out, "machine.txt"), ": "):
        if key == "dl4j_jar" and os.path.exists(jar):
            found.setdefault("dl4j", []).append(f"{os.path.basename(jar)}: DL4J {dl4j_version(jar)}")
    return found


def dl4j_version(jar):
    """deeplearning4j-nn's version from the shaded jar's Maven metadata."""
    try:
        with zipfile.ZipFile(jar) as z:
            for name in z.namelist():
                if re.search(r"META-INF/maven/org\.deeplearning4j/deeplearning4j-nn/pom\.properties$", name):
                    for line in z.read(name).decode().splitlines():
                        if line.startswith("version="):
                            return line.split("=", 1)[1]
    except (OSError, zipfile.BadZipFile):
        pass
    return "(version not found in the jar)"


def verdict(misses):
    """misses: None when no ratio could be computed (a peer missing), else the targets missed."""
    if misses is None:
        return "not checked (no peer figures)."
    return "met wherever both were measured." if not misses else "missed: " + "; ".join(misses) + "."


def main(out):
    manifest = read_manifest(out)
    machine = dict(read_pairs(os.path.join(out, "machine.txt"), ": "))
    skipped = read_pairs(os.path.join(out, "skipped.tsv"), "\t")
    SKIPPED.update(impl for impl, _ in skipped)
    present = IMPLS
    v = versions(manifest, out)

    p = print
    p(f"# convnet4j vs DL4J vs PyTorch{' (QUICK CHECK: tiny iteration counts, not measurements)' if machine.get('quick') == '1' else ''}")
    p()
    p(f"- date: {machine.get('date', '?')}; command: `{machine.get('command', '?')}`; results: `{out}`")
    p(f"- machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, {machine.get('memory', '?')}; "
      f"{machine.get('os', '?')}; load average {machine.get('load_at_start', '?')} at start, "
      f"{machine.get('load_at_end', '?')} at end")
    p(f"- ours: commit {machine.get('commit', '?')}; {machine.get('java', '?')}; {v.get('jmh', 'JMH ?')}")
    for line in v.get("dl4j", []):
        p(f"- {line}")
    p(f"- {v.get('pytorch', 'PyTorch: not run')}")
    for impl, reason in skipped:
        p(f"- skipped {NAMES.get(impl, impl)}: {reason}")
    if "seconds" in machine:
        s = int(machine["seconds"])
        p(f"- whole run: {s // 60} min {s % 60} s")
    p()

    lines, train_misses = train_table(manifest, present)
    if lines:
        p("## Training throughput (images/s, one step: forward, loss, backward, Adam)")
        p()
        p("Higher is better; ratios > 1 favour ours. Plans: `avgt WxT IxT` = JMH AverageTime, W warm-up and "
          "I measured iterations of T each; `ss W+I` = single-shot steps; PyTorch `W+N` = warm-up and timed steps. "
          "Each figure is the median step.")
        p()
        p("\n".join(lines))
        p()
        p("Targets (issue 6): ours/PyTorch >= 1.2 and ours/DL4J >= 10 on every model: " + verdict(train_misses))
        p()
    lines, latency_misses = latency_table(manifest, present)
    if lines:
        p("## Batch-1 inference latency (ms)")
        p()
        p("Lower is better; ratios < 1 favour ours.")
        p()
        p("\n".join(lines))
        p()
        p("Targets (issue 6): ours/PyTorch p50 <= 0.5 for lenet5, <= 0.7 for resnet50: " + verdict(latency_misses))
        p()
    lines = memory_table(manifest)
    if lines:
        p("## Peak resident memory of training (VmHWM, MiB)")
        p()
        p("\n".join(lines))
        p()
    lines = kernel_table(manifest)
    if lines:
        p("## Our kernels (BenchMain)")
        p()
        p("\n".join(lines))
        p()
    p("## Every measurement")
    p()
    p("| kind | model | batch | impl | status | plan | wall s | raw |")
    p("|---|---|---:|---|---|---|---:|---|")
    for r in manifest:
        p(f"| {r['kind']} | {r['model']} | {r['batch']} | {NAMES.get(r['impl'], r['impl'])} | {r['status']} | "
          f"{r['plan']} | {r['seconds']} | {os.path.basename(r['base'])}.* |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bench_summary.py RESULTS_DIR")
    main(sys.argv[1])
