#!/usr/bin/env python3
"""Summary of a scripts/gpu-check.sh run: each step's status, then one comparison table of our JMH
numbers against PyTorch's on the same machine. Reads, in the folder given:

  steps.tsv         step, status, rc, seconds, note (written by gpu-check.sh), one row per step in the
                    order run (info, probe, smoke, tests, bench-*); every row is shown, whatever its name.
                    A smoke step that did not pass also gets its note in full below the table: the op
                    counts and each BAD op, which gpu-check.sh joins with " | "
  jmh-train.json    JMH results of TrainStep (params model, batch, backend); one op = one training step
  jmh-latency.json  JMH results of InferLatency (SampleTime; params model, backend); one op = one batch-1 inference
  pytorch.jsonl     one line per bench/pytorch/bench.py run: model, batch, mode (train|latency),
                    variant (eager|amp_cl), result (its RESULT json: img_per_s, step_ms_median, p50_ms, p99_ms)

Usage: gpu_summary.py OUT_DIR [MODE] [ELAPSED_S]. Missing or broken inputs become notes, never a crash.
Standard library only (the GPU machine's Python 3.12, or any Python 3.8+).
"""
import csv
import json
import os
import sys

# JMH score units as (seconds per op) or (ops per second) factors.
TIME_UNITS = {"s/op": 1.0, "ms/op": 1e-3, "us/op": 1e-6, "ns/op": 1e-9}
RATE_UNITS = {"ops/s": 1.0, "ops/ms": 1e3, "ops/us": 1e6, "ops/ns": 1e9}


def load_json(path, notes):
    if not os.path.exists(path):
        notes.append(f"{os.path.basename(path)}: not written")
        return []
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        notes.append(f"{os.path.basename(path)}: unreadable ({e})")
        return []


def load_jsonl(path, notes):
    rows = []
    if not os.path.exists(path):
        notes.append(f"{os.path.basename(path)}: not written")
        return rows
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except ValueError as e:
                notes.append(f"{os.path.basename(path)} line {n}: unreadable ({e})")
    return rows


def seconds_per_op(score, unit):
    if unit in TIME_UNITS:
        return score * TIME_UNITS[unit]
    if unit in RATE_UNITS and score > 0:
        return 1.0 / (score * RATE_UNITS[unit])
    return None


def ours_train(results, notes):
    """(model, batch) -> (img/s, step ms) from TrainStep; the benchmark method with the most results wins."""
    out = {}
    for r in results:
        p = r.get("params", {})
        m = r.get("primaryMetric", {})
        try:
            model, batch = p["model"], int(p["batch"])
            s = seconds_per_op(float(m["score"]), m["scoreUnit"])
        except (KeyError, ValueError, TypeError):
            notes.append(f"jmh-train.json: a result without model/batch/score: {r.get('benchmark')}")
            continue
        if s is None or s <= 0:
            notes.append(f"jmh-train.json: unit {m.get('scoreUnit')} of {r.get('benchmark')} not understood")
            continue
        out[(model, batch)] = (batch / s, s * 1e3)
    return out


def ours_latency(results, notes):
    """model -> (p50 ms, p99 ms) from InferLatency's SampleTime percentiles."""
    out = {}
    for r in results:
        p = r.get("params", {})
        m = r.get("primaryMetric", {})
        unit = m.get("scoreUnit", "")
        pct = m.get("scorePercentiles", {})
        model = p.get("model")
        if model is None or unit not in TIME_UNITS:
            notes.append(f"jmh-latency.json: {r.get('benchmark')} has no model or a unit not understood ({unit})")
            continue
        try:
            p50, p99 = float(pct["50.0"]), float(pct["99.0"])
        except (KeyError, ValueError, TypeError):
            # Not SampleTime: the mean stands in for both.
            p50 = p99 = float(m.get("score", "nan"))
        f = TIME_UNITS[unit] * 1e3
        out[model] = (p50 * f, p99 * f)
    return out


def fmt(x, spec="{:.1f}"):
    return "-" if x is None else spec.format(x)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def table(header, rows, align=None):
    """Plain text table; align holds one letter per column, l or r (default: first left, rest right)."""
    align = align or "l" + "r" * (len(header) - 1)
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)] if rows else [len(h) for h in header]

    def line(cells):
        return "  ".join(str(c).ljust(w) if a == "l" else str(c).rjust(w)
                         for c, w, a in zip(cells, widths, align)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "."
    mode = sys.argv[2] if len(sys.argv) > 2 else "gpu"
    elapsed = sys.argv[3] if len(sys.argv) > 3 else "?"
    notes = []

    steps = []
    steps_path = os.path.join(out_dir, "steps.tsv")
    if os.path.exists(steps_path):
        with open(steps_path) as f:
            steps = list(csv.DictReader(f, delimiter="\t"))
    print(f"gpu-check summary ({mode} run, {elapsed}s)")
    print(table(["step", "status", "rc", "s", "note"],
                [[s.get("step") or "?", s.get("status") or "?", s.get("rc") or "", s.get("seconds") or "",
                  (s.get("note") or "")[:110]] for s in steps], "llrrl"))
    # The smoke step's verdict per op is the first thing to read after a failed GPU run: in full here.
    for s in steps:
        if s.get("step") == "smoke" and s.get("status") not in ("ok", "skipped") and s.get("note"):
            parts = s["note"].split(" | ")
            print(f"\nsmoke {s.get('status')}:")
            for part in parts[:40]:
                print("  " + part[:300])
            if len(parts) > 40:
                print(f"  ... {len(parts) - 40} more in steps.tsv")

    train = ours_train(load_json(os.path.join(out_dir, "jmh-train.json"), notes), notes)
    latency = ours_latency(load_json(os.path.join(out_dir, "jmh-latency.json"), notes), notes)
    torch = {}
    for r in load_jsonl(os.path.join(out_dir, "pytorch.jsonl"), notes):
        key = (r.get("model"), int(r.get("batch", 0)), r.get("mode"), r.get("variant"))
        if "result" in r:
            torch[key] = r["result"]
        else:
            notes.append(f"pytorch {key}: {r.get('error', 'no result')}")

    def torch_ips(model, batch, variant):
        r = torch.get((model, batch, "train", variant))
        return None if r is None else r.get("img_per_s")

    def torch_lat(model, variant):
        r = torch.get((model, 1, "latency", variant))
        return (None, None) if r is None else (r.get("p50_ms"), r.get("p99_ms"))

    # Rows in the order the runs were made (the models and batches as gpu-check.sh was given them).
    keys = list(dict.fromkeys(list(train) + [(k[0], k[1]) for k in torch if k[2] == "train"]))
    rows = []
    for model, batch in keys:
        ips, step_ms = train.get((model, batch), (None, None))
        eager, amp = torch_ips(model, batch, "eager"), torch_ips(model, batch, "amp_cl")
        rows.append([model, batch, fmt(ips), fmt(step_ms, "{:.2f}"), fmt(eager), fmt(amp),
                     fmt(ratio(ips, eager), "{:.2f}x"), fmt(ratio(ips, amp), "{:.2f}x")])
    lat_rows = []
    for model in dict.fromkeys(list(latency) + [k[0] for k in torch if k[2] == "latency"]):
        o50, o99 = latency.get(model, (None, None))
        e50, e99 = torch_lat(model, "eager")
        a50, a99 = torch_lat(model, "amp_cl")
        lat_rows.append([model, fmt(o50, "{:.2f}"), fmt(o99, "{:.2f}"), fmt(e50, "{:.2f}"), fmt(e99, "{:.2f}"),
                         fmt(a50, "{:.2f}"), fmt(a99, "{:.2f}"), fmt(ratio(e50, o50), "{:.2f}x")])

    if notes:
        print("\nnotes:")
        for n in notes:
            print("  " + n)
    print("\ntraining throughput, img/s (one JMH op = one training step of `batch` images; ratio = ours / PyTorch)")
    print(table(["model", "batch", "ours", "ours step ms", "torch eager", "torch AMP+CL", "vs eager", "vs AMP+CL"], rows)
          if rows else "  (no training results)")
    print("\nbatch-1 inference latency, ms (speed-up = PyTorch eager p50 / ours p50)")
    print(table(["model", "ours p50", "ours p99", "eager p50", "eager p99", "AMP+CL p50", "AMP+CL p99", "speed-up"], lat_rows)
          if lat_rows else "  (no latency results)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
