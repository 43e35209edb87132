"""Training throughput and inference latency of the convnet4j zoo in PyTorch (eager, no torch.compile).

  /usr/bin/python3 bench/pytorch/bench.py --model resnet50 --batch 32 --mode train --warmup 3 --iters 10
  /usr/bin/python3 bench/pytorch/bench.py --model lenet5 --mode latency --warmup 20 --iters 200
  python3 bench/pytorch/bench.py --model resnet50 --device cuda --amp --channels-last ...
  /usr/bin/python3 bench/pytorch/bench.py --list

stdout carries exactly one line, `RESULT {json}`; everything for people goes to stderr.
Runs on torch 1.13 (Debian, CPU) and torch 2.x (CUDA).
"""

import argparse
import contextlib
import ctypes
import json
import math
import os
import re
import statistics
import sys
import time
import warnings

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--list", action="store_true", help="print the models and their parameter counts")
    p.add_argument("--model", choices=list(models.ZOO))
    p.add_argument("--mode", choices=["train", "latency"], default="train")
    p.add_argument("--batch", type=int, help="default 32 in train mode, 1 in latency mode")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    p.add_argument("--iters", type=int, default=10, help="timed steps (default 10)")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--amp", action="store_true", help="float16 autocast (+ GradScaler in train); cuda only")
    p.add_argument("--channels-last", action="store_true", help="model and input in channels_last")
    p.add_argument("--bf16", action="store_true",
                   help="bfloat16 autocast on the CPU (torch.autocast('cpu', torch.bfloat16)); fp32 master weights")
    p.add_argument("--freeze", action="store_true",
                   help="latency mode: torch.jit.trace + torch.jit.freeze + optimize_for_inference (batch norm "
                        "folded into the convolutions), PyTorch's counterpart of convnet4j's Predictor")
    p.add_argument("--threads", type=int, help="torch.set_num_threads (default: every core this process may use)")
    p.add_argument("--blas-threads", type=int,
                   help="OpenBLAS threads for the dense layers (default: --threads)")
    p.add_argument("--classes", type=int, help="default: the class count convnet4j registers")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-cudnn-benchmark", action="store_true",
                   help="leave torch.backends.cudnn.benchmark off (it is on by default here)")
    a = p.parse_args(argv)
    if a.list:
        return a
    if a.model is None:
        p.error("--model is required (or --list)")
    if a.freeze and a.mode != "latency":
        p.error("--freeze is for --mode latency (a frozen module has no backward)")
    if a.amp and a.device != "cuda":
        p.error("--amp is float16 autocast for --device cuda; on the CPU use --bf16")
    if a.bf16 and (a.device != "cpu" or a.amp):
        p.error("--bf16 is bfloat16 autocast for --device cpu (not with --amp)")
    if a.batch is None:
        a.batch = 32 if a.mode == "train" else 1
    if a.batch < 1 or a.iters < 1 or a.warmup < 0:
        p.error(f"Expected --batch >= 1, --iters >= 1, --warmup >= 0. Received "
                f"batch={a.batch}, iters={a.iters}, warmup={a.warmup}")
    return a


def list_models():
    log("Keras-style counts: total = trainable + 2 per batch-norm channel (moving mean and variance).")
    print(f"{'model':<14} {'input':<11} {'classes':>7} {'params':>13} {'trainable':>13} "
          f"{'non-train':>9} {'params@1000':>13}")
    for name, (_, (h, w, c), k) in models.ZOO.items():
        total, trainable, frozen = models.keras_counts(models.build(name))
        total1000 = models.keras_counts(models.build(name, 1000))[0]
        print(f"{name:<14} {h}x{w}x{c:<5} {k:>7} {total:>13,} {trainable:>13,} {frozen:>9,} {total1000:>13,}")


# --- What runs underneath ------------------------------------------------------------------------

def blas_info(device):
    """Which BLAS this process's dense layers use: cuBLAS on the GPU; on the CPU the BLAS library
    mapped into the process (Debian's torch calls the system libblas.so.3, which update-alternatives
    or LD_LIBRARY_PATH may point at OpenBLAS or at the slow reference BLAS), with OpenBLAS' own
    configuration when it is OpenBLAS, or torch's BLAS_INFO when the BLAS is linked in (MKL wheels)."""
    if device == "cuda":
        return "cublas", {}
    cfg = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", cfg)
    built = m.group(1) if m else "unknown"
    with open("/proc/self/maps") as f:
        paths = {fields[5] for fields in (line.split() for line in f) if len(fields) > 5}
    libs = sorted(p for p in paths if re.search(r"lib(open)?blas|libmkl|libblis", os.path.basename(p)))
    detail = {"torch_blas_info": built, "blas_libs": libs}
    if not libs:
        return f"builtin ({built})", detail
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
            get_config = lib.openblas_get_config
        except (OSError, AttributeError):
            continue
        get_config.restype = ctypes.c_char_p
        detail["openblas_config"] = get_config().decode()
        detail["openblas_lib"] = path
        return f"openblas ({path})", detail
    kind = "reference" if any("/blas/" in p or p.endswith("libblas.so.3") for p in libs) else "other"
    return f"{kind} ({', '.join(libs)})", detail


def set_openblas_threads(detail, threads):
    """Debian's torch is built with the generic BLAS interface, so torch.set_num_threads does not
    reach OpenBLAS' own pool; set it too, so that --threads bounds the dense layers as well."""
    path = detail.get("openblas_lib")
    if not path:
        return None
    lib = ctypes.CDLL(path)
    lib.openblas_set_num_threads(ctypes.c_int(threads))
    return lib.openblas_get_num_threads()


def gpu_settings():
    """The cuDNN/cuBLAS switches that change what a float32 GPU run computes, read defensively:
    their names moved between torch releases."""
    s = {"gpu": torch.cuda.get_device_name(0), "cuda": torch.version.cuda,
         "cudnn": torch.backends.cudnn.version(), "cudnn_benchmark": torch.backends.cudnn.benchmark}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, get in (("tf32_conv", lambda: torch.backends.cudnn.allow_tf32),
                         ("tf32_matmul", lambda: torch.backends.cuda.matmul.allow_tf32),
                         ("float32_matmul_precision", torch.get_float32_matmul_precision)):
            try:
                s[key] = get()
            except Exception as e:  # a switch this release lacks
                s[key] = f"n/a ({type(e).__name__})"
    return s


def variant_name(a):
    parts = ((["amp"] if a.amp else []) + (["bf16"] if getattr(a, "bf16", False) else [])
             + (["channels-last"] if a.channels_last else [])
             + (["frozen"] if getattr(a, "freeze", False) else []))
    return "-".join(parts) or "eager"


# --- The measurements ----------------------------------------------------------------------------

class Clock:
    """Wall time of one call; on the GPU, synchronized on both sides so the kernels are counted."""

    def __init__(self, device):
        self.cuda = device == "cuda"

    def time(self, fn):
        if self.cuda:
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if self.cuda:
            torch.cuda.synchronize()
        return (time.perf_counter() - t0) * 1e3


def autocast(a):
    """float16 autocast with --amp (cuda only), bfloat16 autocast with --bf16 (cpu only); otherwise
    nothing, which also spares torch 1.13's CPU autocast its warning about float16."""
    if a.amp:
        return torch.autocast(device_type="cuda", dtype=torch.float16)
    if a.bf16:
        return torch.autocast(device_type="cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def grad_scaler(enabled):
    if hasattr(torch, "amp") and hasattr(torch.amp, "GradScaler"):  # torch >= 2.3
        return torch.amp.GradScaler("cuda", enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)


def train_step_fn(a, model, x, y):
    """One full training step: zero_grad, forward, loss (GoogLeNet: 1, 0.3, 0.3 over its heads),
    backward, Adam step as Keras' Adam(1e-3, 0.9, 0.999, 1e-7)."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    scaler = grad_scaler(a.amp)
    weights = models.loss_weights(a.model)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        with autocast(a):
            out = model(x)
            outs = out if isinstance(out, tuple) else (out,)
            loss = sum(w * F.cross_entropy(o, y) for w, o in zip(weights, outs))
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        step.loss = loss.detach()

    return step


def latency_fn(a, model, x):
    """One inference call: eval mode, no autograd, the softmax included (the models end in one)."""
    model.eval()
    if a.freeze:
        with torch.no_grad():
            traced = torch.jit.trace(model, x)
            model = torch.jit.optimize_for_inference(torch.jit.freeze(traced))

    def call():
        with torch.inference_mode(), autocast(a):
            return F.softmax(model(x), dim=1)

    return call


class OtherLoad:
    """CPU time the rest of the machine used while we measured, in cores: /proc/stat's busy time
    minus this process' own. On a shared machine it tells a clean figure from a disturbed one."""

    def __init__(self):
        self.start = self._sample()

    @staticmethod
    def _sample():
        with open("/proc/stat") as f:
            v = [int(n) for n in f.readline().split()[1:9]]
        busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / os.sysconf("SC_CLK_TCK")
        t = os.times()
        return busy, t.user + t.system, time.perf_counter()

    def cores(self):
        busy, own, wall = self._sample()
        other = (busy - self.start[0]) - (own - self.start[1])
        return max(0.0, other / max(wall - self.start[2], 1e-9))


def percentile(values, q):
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def run(a):
    threads = a.threads or len(os.sched_getaffinity(0))
    torch.set_num_threads(threads)
    torch.manual_seed(a.seed)
    if a.device == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("bench.py: --device cuda, but torch.cuda.is_available() is False")
        torch.backends.cudnn.benchmark = not a.no_cudnn_benchmark

    classes = a.classes or models.ZOO[a.model][2]
    model = models.build(a.model, classes)
    total, trainable, _ = models.keras_counts(model)
    memory_format = torch.channels_last if a.channels_last else torch.contiguous_format
    model = model.to(device=a.device, memory_format=memory_format)

    g = torch.Generator().manual_seed(a.seed)
    x = torch.rand((a.batch,) + models.input_shape(a.model), generator=g)  # pixels / 255
    y = torch.randint(0, classes, (a.batch,), generator=g)
    x = x.to(a.device).contiguous(memory_format=memory_format)
    y = y.to(a.device)

    blas, blas_detail = blas_info(a.device)
    openblas_threads = set_openblas_threads(blas_detail, a.blas_threads or threads)
    variant = variant_name(a)
    log(f"pytorch {torch.__version__} on {a.device}, {variant}, {threads} threads; BLAS: {blas}")
    for k, v in blas_detail.items():
        log(f"  {k}: {v}")
    if openblas_threads is not None:
        log(f"  openblas threads: {openblas_threads}")
    extra = gpu_settings() if a.device == "cuda" else {}
    for k, v in extra.items():
        log(f"  {k}: {v}")
    log(f"{a.model}: input {models.ZOO[a.model][1]}, {classes} classes, {total:,} params "
        f"({trainable:,} trainable); {a.mode}, batch {a.batch}, warmup {a.warmup}, iters {a.iters}")

    fn = train_step_fn(a, model, x, y) if a.mode == "train" else latency_fn(a, model, x)
    clock = Clock(a.device)
    for i in range(a.warmup):
        ms = clock.time(fn)
        log(f"  warmup {i + 1}/{a.warmup}: {ms:.2f} ms")
    times = []
    other = OtherLoad()
    for i in range(a.iters):
        times.append(clock.time(fn))
        if a.mode == "train" or a.iters <= 20:
            log(f"  step {i + 1}/{a.iters}: {times[-1]:.2f} ms"
                + (f", loss {step_loss(fn):.4f}" if a.mode == "train" else ""))

    result = {"impl": "pytorch", "version": torch.__version__, "device": a.device, "variant": variant,
              "model": a.model, "batch": a.batch, "mode": a.mode, "warmup": a.warmup, "iters": a.iters}
    median = statistics.median(times)
    if a.mode == "train":
        result.update(step_ms_median=round(median, 3), img_per_s=round(a.batch / median * 1e3, 2),
                      step_ms_min=round(min(times), 3))
        log(f"{a.model} train: median step {median:.2f} ms (min {min(times):.2f}, max {max(times):.2f}), "
            f"{a.batch / median * 1e3:.1f} img/s")
    else:
        p99 = percentile(times, 99)
        result.update(p50_ms=round(median, 3), p99_ms=round(p99, 3), min_ms=round(min(times), 3))
        log(f"{a.model} latency, batch {a.batch}: p50 {median:.3f} ms, p99 {p99:.3f} ms, "
            f"min {min(times):.3f} ms")
    # On a shared machine, a figure taken while others ran says so: the cores other processes kept
    # busy during the timed steps, and the 1-minute load average at the end.
    other_cores = round(other.cores(), 2)
    load1 = round(os.getloadavg()[0], 2)
    log(f"other processes used {other_cores} cores meanwhile; load average (1 min) {load1} "
        f"on {os.cpu_count()} cpus")
    result.update(threads=torch.get_num_threads(), blas=blas, classes=classes, params=total,
                  other_cores=other_cores, load1=load1, **extra)
    print("RESULT " + json.dumps(result), flush=True)


def step_loss(fn):
    return float(fn.loss) if hasattr(fn, "loss") else float("nan")


def main(argv=None):
    a = parse_args(argv)
    if a.list:
        list_models()
    else:
        run(a)


if __name__ == "__main__":
    main()
