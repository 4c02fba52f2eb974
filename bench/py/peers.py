#!/usr/bin/env python3
"""PyTorch peer of `npm run bench`: a server that reads one JSON request per line on stdin and
answers one JSON line on stdout, so that bench/suites/*.mjs can interleave it round by round with
the JavaScript libraries.

Requests (every reply carries "ok": true, or "ok": false with "error"):
  {"cmd": "info"}
      -> torch version, the BLAS library loaded, the thread settings
  {"cmd": "gemm", "m", "n", "k", "ta", "tb", "threads", "min_ms", "sample": [indices]}
      -> {"gflops", "iters", "sample": [C[i] for i in indices]}
         A is stored k×m when ta (else m×k), B n×k when tb (else k×n); both filled with
         bench/lib/data.mjs's pattern so that every library multiplies the same numbers.
  {"cmd": "train", "key", "model": "mlp"|"cnn", "sizes": [...], "loss": "ce"|"bce",
   "batch", "lr", "momentum", "threads", "min_ms", "min_steps", "seed"}
      -> {"samples_per_s", "losses": [...]}; the model, optimizer and batch live under "key"
         across requests, so repeated requests continue training the same model.

Threads: torch.set_num_threads(n) for torch's own kernels and, when the BLAS is OpenBLAS,
openblas_set_num_threads(n) through ctypes (OpenBLAS keeps its own pool).
"""
import ctypes
import json
import os
import sys
import time

import torch

torch.manual_seed(0)

_blas_path = None
_openblas = None


def _loaded_blas():
    """The BLAS shared library this process has mapped (after a first matmul)."""
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if ".so" in line})
    except OSError:
        return None
    for lib in libs:
        base = os.path.basename(lib)
        if "openblas" in base:
            return lib
    for lib in libs:
        base = os.path.basename(lib)
        if base.startswith(("libblas", "libmkl_rt", "libblis", "libmkl")):
            return os.path.realpath(lib)
    return None


def _init_blas():
    global _blas_path, _openblas
    a = torch.ones(8, 8)
    (a @ a).sum().item()
    _blas_path = _loaded_blas()
    if _blas_path and "openblas" in os.path.basename(_blas_path):
        try:
            lib = ctypes.CDLL(_blas_path)
            lib.openblas_set_num_threads.argtypes = [ctypes.c_int]
            _openblas = lib
        except (OSError, AttributeError):
            _openblas = None


def _openblas_config():
    if _openblas is None:
        return None
    try:
        f = _openblas.openblas_get_config
        f.restype = ctypes.c_char_p
        cfg = f().decode()
        g = _openblas.openblas_get_corename
        g.restype = ctypes.c_char_p
        return f"{cfg} core={g().decode()}"
    except AttributeError:
        return None


def set_threads(n):
    torch.set_num_threads(n)
    if _openblas is not None:
        _openblas.openblas_set_num_threads(n)


def pattern(size, seed):
    """Same numbers as bench/lib/data.mjs pattern(): ((i·7919 + seed·104729) mod 2001)/1000 − 1."""
    i = torch.arange(size, dtype=torch.int64)
    return (((i * 7919 + seed * 104729) % 2001).to(torch.float32) / 1000.0) - 1.0


def lcg_uniform(size, seed):
    """Uniform [0, 1) numbers (the same stream as bench/lib/data.mjs uniform())."""
    return pattern(size, seed).add(1.0).div(2.0)


def gemm(req):
    m, n, k, ta, tb = req["m"], req["n"], req["k"], req["ta"], req["tb"]
    set_threads(req.get("threads", 1))
    a = pattern(m * k, 1).reshape((k, m) if ta else (m, k))
    b = pattern(k * n, 2).reshape((n, k) if tb else (k, n))
    A = a.t() if ta else a
    B = b.t() if tb else b
    min_ms = req.get("min_ms", 200)
    with torch.no_grad():
        c = torch.matmul(A, B)  # warm (allocation, thread start)
        iters = 0
        t0 = time.perf_counter()
        while True:
            c = torch.matmul(A, B)
            iters += 1
            el = time.perf_counter() - t0
            if el * 1000 >= min_ms:
                break
    flat = c.reshape(-1)
    sample = [float(flat[i]) for i in req.get("sample", [])]
    return {"gflops": 2.0 * m * n * k * iters / el / 1e9, "iters": iters, "sample": sample}


_models = {}


def _build(req):
    torch.manual_seed(req.get("seed", 0))
    kind = req["model"]
    batch = req["batch"]
    if kind == "mlp":
        sizes = req["sizes"]
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(torch.nn.ReLU())
        model = torch.nn.Sequential(*layers)
        x = lcg_uniform(batch * sizes[0], 3).reshape(batch, sizes[0])
        out = sizes[-1]
    else:  # the README's cnn.json
        model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(16 * 7 * 7, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10),
        )
        x = lcg_uniform(batch * 784, 3).reshape(batch, 1, 28, 28)
        out = 10
    if req["loss"] == "ce":
        y = torch.arange(batch, dtype=torch.int64) % out
        loss_fn = torch.nn.CrossEntropyLoss()
    else:
        y = (torch.arange(batch) % 2).to(torch.float32).reshape(batch, 1)
        loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(model.parameters(), lr=req["lr"], momentum=req.get("momentum", 0.0))
    return model, opt, x, y, loss_fn


def train(req):
    set_threads(req.get("threads", 1))
    key = req["key"]
    if key not in _models:
        _models[key] = _build(req)
    model, opt, x, y, loss_fn = _models[key]
    min_ms, min_steps = req.get("min_ms", 1000), req.get("min_steps", 3)
    losses = []
    t0 = time.perf_counter()
    while True:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())  # read back each step, as the JavaScript loops do
        el = time.perf_counter() - t0
        if len(losses) >= min_steps and el * 1000 >= min_ms:
            break
    return {"samples_per_s": len(losses) * x.shape[0] / el, "losses": losses}


def info(_req):
    return {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "blas": _blas_path,
        "openblas": _openblas_config(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "threads_default": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
    }


HANDLERS = {"info": info, "gemm": gemm, "train": train}


def main():
    _init_blas()
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            if req.get("cmd") == "quit":
                break
            res = HANDLERS[req["cmd"]](req)
            res["ok"] = True
        except Exception as e:  # reported to the caller, which prints it and fails the case
            res = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(res) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
