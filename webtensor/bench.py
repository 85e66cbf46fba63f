"""The benchmark suite of ``bench_spec.json``: webtensor and numpy in one process.

The workloads, seeds and timing rules are those every peer of the project is
measured with (``shared/peers/bench_spec.json``, copied into the package so
``webtensor bench`` works from a wheel). Inputs come from the spec's hash
generator, so the checksums and errors are comparable with the other peers.

Timing: each run is one call of the workload that reads its result back to
the host (inside the timed region, as the peers do), so every draw really
runs; a chain (``dispatch``) feeds each op's distinct output to the next.
The very first call is reported on its own (compile, upload, JIT), then
``warmup`` more calls, then the median and min of ``runs`` calls.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SPEC_PATH = Path(__file__).with_name("bench_spec.json")
_GOLDEN = 0x9E3779B9
_U32 = 0xFFFFFFFF


def load_spec(path: str | Path | None = None) -> dict:
    """The benchmark spec (the packaged copy unless ``path`` is given).

    Example:
        >>> from webtensor.bench import load_spec
        >>> load_spec()["timing"]["runs"]
        20
    """
    with open(path or SPEC_PATH) as fh:
        return json.load(fh)


# -- inputs ------------------------------------------------------------------------
def fmix32(h: np.ndarray) -> np.ndarray:
    """The murmur3 finalizer on uint32 values (wrapping arithmetic).

    Example:
        >>> import numpy as np
        >>> from webtensor.bench import fmix32
        >>> int(fmix32(np.array([1], np.uint32))[0])
        1364076727
    """
    h = np.asarray(h, dtype=np.uint32).copy()
    with np.errstate(over="ignore"):
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h


def hashes(n: int, seed: int) -> np.ndarray:
    """``fmix32((seed * 0x9E3779B9 + i) mod 2^32)`` for ``i`` in ``range(n)``.

    Example:
        >>> from webtensor.bench import hashes
        >>> hashes(3, 0).tolist()
        [0, 1364076727, 821347078]
    """
    base = (int(seed) * _GOLDEN) & _U32
    idx = (np.arange(n, dtype=np.uint64) + np.uint64(base)) & np.uint64(_U32)
    return fmix32(idx.astype(np.uint32))


def bench_input(shape, seed: int, scale: float = 1.0) -> np.ndarray:
    """The spec's input: ``(hash / 2^32 * 2 - 1) * scale`` rounded to float32.

    Example:
        >>> from webtensor.bench import bench_input
        >>> bench_input([2, 2], 11).astype(float).round(4).tolist()
        [[0.1365, -0.0361], [-0.8599, -0.3639]]
    """
    shape = tuple(int(d) for d in shape)
    u = hashes(math.prod(shape), seed).astype(np.float64) / 4294967296.0
    return ((u * 2.0 - 1.0) * scale).astype(np.float32).reshape(shape)


def labels_of(n: int, seed: int, classes: int) -> np.ndarray:
    """``hash mod classes``: the MLP workload's labels.

    Example:
        >>> from webtensor.bench import labels_of
        >>> labels_of(4, 52, 10).shape
        (4,)
    """
    return (hashes(n, seed) % np.uint32(classes)).astype(np.int64)


# -- results -----------------------------------------------------------------------------
@dataclass
class Case:
    """A ready workload for one engine: ``run()`` returns host values (one timed call)."""

    run: Callable[[], np.ndarray | float]
    cleanup: Callable[[], None] = lambda: None
    steps: bool = False  # an MLP: timed per step with the mlp_* counts


class Missing(Exception):
    """The engine lacks what the workload needs (reported as n/a)."""


def stats(times_ms: list[float]) -> dict:
    """Median, min, mean and max of per-run times in ms.

    Example:
        >>> from webtensor.bench import stats
        >>> stats([3.0, 1.0, 2.0])["median_ms"]
        2.0
    """
    t = np.sort(np.asarray(times_ms, dtype=np.float64))
    if t.size == 0:
        return {"median_ms": float("nan"), "min_ms": float("nan"), "n": 0}
    return {"median_ms": float(np.median(t)), "min_ms": float(t[0]), "mean_ms": float(t.mean()),
            "max_ms": float(t[-1]), "n": int(t.size)}


def measure(case: Case, warmup: int, runs: int) -> tuple[dict, object]:
    """First call, ``warmup - 1`` more, then ``runs`` timed calls; stats and last result.

    Example:
        >>> import numpy as np
        >>> from webtensor.bench import Case, measure
        >>> res, last = measure(Case(lambda: np.ones(3)), warmup=2, runs=4)
        >>> res["n"], res["checksum"], res["first_ms"] >= 0
        (4, 3.0, True)
    """
    t0 = time.perf_counter()
    last = case.run()
    first = (time.perf_counter() - t0) * 1000
    for _ in range(max(0, warmup - 1)):
        last = case.run()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        last = case.run()
        times.append((time.perf_counter() - t0) * 1000)
    res = stats(times)
    res["first_ms"] = first
    if isinstance(last, float):
        res["loss_last"] = last
    else:
        res["checksum"] = float(np.asarray(last, dtype=np.float64).sum())
    return res, last


# -- numpy -------------------------------------------------------------------------------
def numpy_case(w: dict) -> Case:
    """The numpy version of workload ``w`` (as the numpy peer runs it).

    Example:
        >>> from webtensor.bench import numpy_case
        >>> numpy_case({"op": "add", "shape": [2], "seeds": [1, 2]}).run().shape
        (2,)
    """
    op, sd = w["op"], w["seeds"]
    if op in ("matmul", "first_call_matmul"):
        a, b = bench_input(w["a"], sd[0]), bench_input(w["b"], sd[1])
        return Case(lambda: (a @ b).copy())
    if op == "chain_add":
        x0, one = bench_input(w["shape"], sd[0]), np.ones(w["shape"], np.float32)

        def chain():
            x = x0
            for _ in range(w["n_ops"]):
                x = x + one
            return x.copy()
        return Case(chain)
    if op == "add":
        a, b = bench_input(w["shape"], sd[0]), bench_input(w["shape"], sd[1])
        return Case(lambda: (a + b).copy())
    if op in ("exp", "relu", "sum", "softmax", "upload_download"):
        a = bench_input(w["shape"], sd[0])
        if op == "exp":
            return Case(lambda: np.exp(a).copy())
        if op == "relu":
            return Case(lambda: np.maximum(a, np.float32(0)).copy())
        if op == "sum":
            axis = w["axis"]
            return Case(lambda: np.asarray(a.sum(axis=axis)).copy())
        if op == "softmax":
            def softmax():
                e = np.exp(a - a.max(axis=-1, keepdims=True))
                return (e / e.sum(axis=-1, keepdims=True)).copy()
            return Case(softmax)
        return Case(lambda: (np.array(a, dtype=np.float32, copy=True) * np.float32(1)).copy())
    if op == "conv2d":
        x = bench_input(w["input"], sd[0])
        f = bench_input(w["filter"], sd[1], w["filter_scale"])
        kh, kw = f.shape[:2]
        from numpy.lib.stride_tricks import sliding_window_view

        def conv():
            xp = np.pad(x, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
            win = sliding_window_view(xp, (kh, kw), axis=(1, 2))
            return np.tensordot(win, f, axes=([4, 5, 3], [0, 1, 2])).copy()
        return Case(conv)
    if op == "maxpool":
        x = bench_input(w["input"], sd[0])
        n, h, wd, c = x.shape
        k = w["window"]
        return Case(lambda: x.reshape(n, h // k, k, wd // k, k, c).max(axis=(2, 4)).copy())
    if op == "mlp_train":
        return _numpy_mlp(w)
    raise Missing(f"no numpy version of {op}")


def _mlp_data(w: dict):
    n_in, n_hidden, n_out = w["layers"]
    b, sd = w["batch"], w["seeds"]
    x = bench_input((b, n_in), sd["x"], w["x_scale"])
    y = np.eye(n_out, dtype=np.float32)[labels_of(b, sd["labels"], n_out)]
    w1 = bench_input((n_in, n_hidden), sd["w1"], w["w1_scale"])
    w2 = bench_input((n_hidden, n_out), sd["w2"], w["w2_scale"])
    return x, y, w1, w2


def _numpy_mlp(w: dict) -> Case:
    x, y, w1, w2 = _mlp_data(w)
    b1, b2 = np.zeros(w1.shape[1], np.float32), np.zeros(w2.shape[1], np.float32)
    lr, n = np.float32(w["lr"]), np.float32(w["batch"])

    def step() -> float:
        nonlocal w1, b1, w2, b2
        z1 = x @ w1 + b1
        h = np.maximum(z1, np.float32(0))
        z2 = h @ w2 + b2
        e = np.exp(z2 - z2.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        loss = float(-(y * np.log(np.clip(p, 1e-7, 1.0))).sum(axis=1).mean())
        d2 = (p - y) / n
        gw2, gb2 = h.T @ d2, d2.sum(axis=0)
        dh = d2 @ w2.T
        dh[z1 <= 0] = 0
        gw1, gb1 = x.T @ dh, dh.sum(axis=0)
        w1, b1, w2, b2 = w1 - lr * gw1, b1 - lr * gb1, w2 - lr * gw2, b2 - lr * gb2
        return loss
    return Case(step, steps=True)


# -- webtensor --------------------------------------------------------------------------
_NEEDS = {
    "first_call_matmul": ("matmul",), "matmul": ("matmul",), "chain_add": ("add",),
    "add": ("add",), "exp": ("exp",), "relu": ("relu",), "sum": ("sum",),
    "softmax": ("softmax",), "conv2d": ("conv2d",), "maxpool": ("max_pool",),
    "upload_download": ("mul",),
    "mlp_train": ("fused_matmul", "softmax_cross_entropy", "train.sgd"),
    "lstm": ("sequential", "layers.lstm"), "simple_rnn": ("sequential", "layers.simple_rnn"),
}


def missing_ops(wt, op: str) -> list[str]:
    """The names ``op`` needs that ``wt`` does not have (yet).

    Example:
        >>> import webtensor as wt
        >>> from webtensor.bench import missing_ops
        >>> missing_ops(wt, "add")
        []
    """
    out = []
    for name in _NEEDS.get(op, (op,)):
        obj = wt
        for part in name.split("."):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                out.append(name)
                break
    return out


def webtensor_case(w: dict, wt) -> Case:
    """The webtensor version of workload ``w``; ``Missing`` if an op is not there yet.

    ``cleanup()`` disposes the tensors the workload holds.

    Example:
        >>> import webtensor as wt
        >>> from webtensor.bench import numpy_case, webtensor_case
        >>> w = {"op": "exp", "shape": [3], "seeds": [5]}
        >>> case = webtensor_case(w, wt)
        >>> bool(abs(case.run() - numpy_case(w).run()).max() < 1e-6)
        True
        >>> case.cleanup()
    """
    op, sd = w["op"], w["seeds"]
    missing = missing_ops(wt, op)
    if missing:
        raise Missing("op missing: " + ", ".join(missing))
    held: list = []

    def T(arr):  # noqa: N802 - a tensor held for the whole workload
        t = wt.keep(wt.tensor(arr))
        held.append(t)
        return t

    def timed(fn) -> Callable[[], np.ndarray]:
        return lambda: wt.tidy(lambda: fn().numpy())

    cleanup = lambda: wt.dispose(held)  # noqa: E731
    if op in ("matmul", "first_call_matmul"):
        a, b = T(bench_input(w["a"], sd[0])), T(bench_input(w["b"], sd[1]))
        return Case(timed(lambda: wt.matmul(a, b)), cleanup)
    if op == "chain_add":
        x0, one = T(bench_input(w["shape"], sd[0])), T(np.ones(w["shape"], np.float32))

        def chain():
            x = x0
            for _ in range(w["n_ops"]):
                x = x.add(one)
            return x
        return Case(timed(chain), cleanup)
    if op == "add":
        a, b = T(bench_input(w["shape"], sd[0])), T(bench_input(w["shape"], sd[1]))
        return Case(timed(lambda: wt.add(a, b)), cleanup)
    if op == "upload_download":
        host = bench_input(w["shape"], sd[0])
        return Case(timed(lambda: wt.tensor(host).mul(1.0)), cleanup)
    if op in ("exp", "relu", "sum", "softmax"):
        a = T(bench_input(w["shape"], sd[0]))
        if op == "sum":
            return Case(timed(lambda: wt.sum(a, axis=w["axis"])), cleanup)
        if op == "softmax":
            return Case(timed(lambda: wt.softmax(a, w["axis"])), cleanup)
        fn = getattr(wt, op)
        return Case(timed(lambda: fn(a)), cleanup)
    if op == "conv2d":
        x = T(bench_input(w["input"], sd[0]))
        f = T(bench_input(w["filter"], sd[1], w["filter_scale"]))
        return Case(timed(lambda: wt.conv2d(x, f, w["stride"], w["padding"])), cleanup)
    if op == "maxpool":
        x = T(bench_input(w["input"], sd[0]))
        return Case(timed(lambda: wt.max_pool(x, w["window"], w["stride"], w["padding"])),
                    cleanup)
    if op == "mlp_train":
        return _webtensor_mlp(w, wt, T, held)
    if op in ("lstm", "simple_rnn"):
        return _webtensor_rnn(w, wt, T, held)
    raise Missing(f"no webtensor version of {op}")


def _webtensor_mlp(w: dict, wt, T, held: list) -> Case:  # noqa: N803
    x_np, y_np, w1_np, w2_np = _mlp_data(w)
    x, y = T(x_np), T(y_np)
    params = [wt.variable(w1_np), wt.variable(np.zeros(w1_np.shape[1], np.float32)),
              wt.variable(w2_np), wt.variable(np.zeros(w2_np.shape[1], np.float32))]
    held.extend(params)
    w1, b1, w2, b2 = params
    opt = wt.train.sgd(w["lr"])

    def loss_fn():
        # Dense layers as fused matmul + bias (+ relu), and softmax + categorical
        # cross-entropy (probabilities clipped to [1e-7, 1] as Keras/TF.js do) as one
        # fused loss whose gradient is one pass: (softmax - labels) / batch.
        h = wt.fused_matmul(x, w1, b1, activation="relu")
        logits = wt.fused_matmul(h, w2, b2)
        return wt.softmax_cross_entropy(y, logits, epsilon=1e-7)

    def step() -> float:
        return float(wt.tidy(lambda: opt.minimize(loss_fn, return_cost=True,
                                                  var_list=params).numpy()))

    def cleanup():
        if hasattr(opt, "dispose"):
            opt.dispose()
        wt.dispose(held)
    return Case(step, cleanup, steps=True)


def _webtensor_rnn(w: dict, wt, T, held: list) -> Case:  # noqa: N803
    batch, steps, feat = w["input"]
    units, sd, scale = w["units"], w["seeds"], w["w_scale"]
    gates = 4 if w["op"] == "lstm" else 1
    x = T(bench_input(w["input"], sd["x"]))
    if w["op"] == "lstm":
        layer = wt.layers.lstm(units=units, recurrent_activation=w["recurrent_activation"],
                               input_shape=(steps, feat))
    else:
        layer = wt.layers.simple_rnn(units=units, activation=w["activation"],
                                     input_shape=(steps, feat))
    model = wt.sequential()
    model.add(layer)
    model.set_weights([bench_input((feat, gates * units), sd["kernel"], scale),
                       bench_input((units, gates * units), sd["recurrent"], scale),
                       bench_input((gates * units,), sd["bias"], scale)])

    def predict() -> np.ndarray:
        out = model.predict(x)
        return out.numpy() if getattr(out, "_is_tensor", False) else np.asarray(out)

    def run():
        return wt.tidy(predict)

    def cleanup():
        if hasattr(model, "dispose"):
            model.dispose()
        wt.dispose(held)
    return Case(run, cleanup)


# -- driver --------------------------------------------------------------------------------
def run_suite(spec: dict, only: list[str] | None = None, warmup: int | None = None,
              runs: int | None = None, with_numpy: bool = True,
              log: Callable[[str], None] | None = None) -> dict:
    """Run the workloads (those named in ``only``, in spec order) on webtensor and numpy.

    Returns ``{"meta": {...}, "results": {name: {"webtensor": ..., "numpy": ..., ...}}}``;
    an engine's entry is a stats dict, ``{"na": reason}`` or ``{"error": message}``.
    An unknown name in ``only`` raises ``ValueError``.

    Example:
        >>> from webtensor.bench import load_spec, run_suite
        >>> doc = run_suite(load_spec(), only=["add_1M"], warmup=1, runs=1)
        >>> row = doc["results"]["add_1M"]
        >>> row["webtensor"]["n"], row["numpy"]["n"], row["max_err"]
        (1, 1, 0.0)
    """
    import webtensor as wt

    timing = dict(spec["timing"])
    if warmup is not None:
        timing["warmup"] = timing["mlp_warmup_steps"] = warmup
    if runs is not None:
        timing["runs"] = timing["mlp_steps"] = runs
    workloads = [w for w in spec["workloads"] if not w.get("only")]
    if only:
        names = {w["name"] for w in spec["workloads"]}
        unknown = [n for n in only if n not in names]
        if unknown:
            raise ValueError(f"bench: unknown workload(s) {unknown}; known: {sorted(names)}")
        workloads = [w for w in spec["workloads"] if w["name"] in only]
    # Every webtensor workload first, then every numpy one: OpenBLAS's worker threads
    # keep spinning on both cores for a while after a numpy matmul or convolution,
    # and measured right after one, webtensor's next workload lost up to 40 %
    # (softmax 2.8 against 2.0 ms, maxpool 1.6 against 1.15) to threads of the other
    # column. Each ratio still comes from one run on one machine state.
    rows = {w["name"]: {"op": w["op"], "unit": w.get("unit", "ms")} for w in workloads}
    outs: dict = {w["name"]: {} for w in workloads}
    for engine_name in ("webtensor", "numpy"):
        for w in workloads:
            row, name = rows[w["name"]], w["name"]
            if engine_name == "numpy" and (not with_numpy or "numpy" in w.get("skip", [])):
                row[engine_name] = {"na": "skipped by the spec" if with_numpy else "not run"}
            else:
                row[engine_name], outs[name][engine_name] = _run_one(w, engine_name, wt, timing)
            if engine_name == "numpy":
                _compare(row, outs.pop(name), w)
                if log:
                    log(_log_line(name, row))
    results = {w["name"]: rows[w["name"]] for w in workloads}
    import webtensor

    eng = wt.engine()
    info = wt.info()
    meta = {"spec_version": spec.get("spec_version"), "timing": timing,
            "webtensor_version": webtensor.__version__, "numpy_version": np.__version__,
            "python": sys.version.split()[0], "machine": platform.machine(),
            "nproc": os.cpu_count(), "renderer": info.renderer, "gl_version": info.gl_version,
            "backend": info.backend, "programs_compiled": eng.programs.compiles,
            "env": {k: os.environ[k] for k in ("LP_NUM_THREADS", "WEBTENSOR_GL",
                                               "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
                    if k in os.environ}}
    return {"meta": meta, "results": results}


def _run_one(w: dict, engine_name: str, wt, timing: dict) -> tuple[dict, object]:
    try:
        case = webtensor_case(w, wt) if engine_name == "webtensor" else numpy_case(w)
    except Missing as exc:
        return {"na": str(exc)}, None
    try:
        if case.steps:
            res, last = measure(case, timing["mlp_warmup_steps"], timing["mlp_steps"])
        else:
            res, last = measure(case, timing["warmup"], timing["runs"])
    except Exception as exc:  # a workload's failure is reported, the suite goes on
        return {"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:200]}, None
    finally:
        case.cleanup()
    if w.get("unit") == "us_per_op":
        res["us_per_op_median"] = res["median_ms"] * 1000 / w["n_ops"]
        res["us_per_op_min"] = res["min_ms"] * 1000 / w["n_ops"]
    return res, last


def _compare(row: dict, outs: dict, w: dict) -> None:
    a, b = row.get("webtensor", {}), row.get("numpy", {})
    if "median_ms" in a and "median_ms" in b and b["median_ms"] > 0:
        row["ratio"] = a["median_ms"] / b["median_ms"]
    got, want = outs.get("webtensor"), outs.get("numpy")
    if got is None or want is None:
        return
    if isinstance(got, float) or isinstance(want, float):
        row["max_err"] = abs(float(got) - float(want)) / max(1.0, abs(float(want)))
        return
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape:
        row["max_err"] = float("inf")
        row["note"] = f"shape {list(got.shape)} != numpy's {list(want.shape)}"
        return
    scale = max(1.0, float(np.abs(want).max())) if want.size else 1.0
    row["max_err"] = float(np.abs(got - want).max() / scale) if want.size else 0.0


def _fmt(x: float) -> str:
    if x != x:
        return "-"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def _cells(res: dict, unit: str) -> tuple[str, str, str]:
    if "na" in res:
        return "n/a", "", ""
    if "error" in res:
        return "error", "", ""
    if unit == "us_per_op":
        return _fmt(res["us_per_op_median"]), _fmt(res["us_per_op_min"]), _fmt(res["first_ms"])
    return _fmt(res["median_ms"]), _fmt(res["min_ms"]), _fmt(res["first_ms"])


def _log_line(name: str, row: dict) -> str:
    parts = []
    for eng in ("webtensor", "numpy"):
        med, mn, first = _cells(row[eng], row["unit"])
        parts.append(f"{eng} {med}" + (f" (min {mn}, first {first} ms)" if mn else ""))
    return f"{name}: " + "; ".join(parts)


def format_results(doc: dict) -> str:
    """The results as an aligned table; times in ms (``dispatch``: µs per op).

    Example:
        >>> from webtensor.bench import format_results, run_suite
        >>> spec = {"timing": {"warmup": 1, "runs": 1, "mlp_warmup_steps": 1, "mlp_steps": 1},
        ...         "workloads": [{"name": "tiny", "op": "add", "shape": [4], "seeds": [1, 2]}]}
        >>> print(format_results(run_suite(spec)).splitlines()[1].split()[:4])
        ['workload', 'unit', 'webtensor', 'min']
    """
    from .profiler import format_table

    head = ("workload", "unit", "webtensor", "min", "first ms", "numpy", "min", "wt/np",
            "max err", "note")
    rows = []
    for name, row in doc["results"].items():
        unit = "us/op" if row["unit"] == "us_per_op" else "ms"
        wt_cells = _cells(row["webtensor"], row["unit"])
        np_cells = _cells(row["numpy"], row["unit"])
        ratio = f"{row['ratio']:.2f}x" if "ratio" in row else "-"
        err = f"{row['max_err']:.1e}" if "max_err" in row else "-"
        notes = []
        for eng in ("webtensor", "numpy"):
            res = row[eng]
            prefix = "" if eng == "webtensor" else "numpy "
            if "na" in res:
                notes.append(f"{prefix}n/a ({res['na']})")
            elif "error" in res:
                notes.append(f"{eng} error: {res['error']}")
        if "note" in row:
            notes.append(row["note"])
        rows.append((name, unit, *wt_cells, np_cells[0], np_cells[1], ratio, err,
                     "; ".join(notes)))
    meta = doc["meta"]
    t = meta["timing"]
    title = (f"webtensor {meta['webtensor_version']} on {meta['renderer']} ({meta['backend']}) "
             f"vs numpy {meta['numpy_version']}: median and min of {t['runs']} timed runs after "
             f"{t['warmup']} warm-up call(s), each read back; first = the very first call")
    return title + "\n" + format_table(head, rows, align="llrrrrrrrl")
