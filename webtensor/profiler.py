"""``wt.time`` and ``wt.profile``: GL timer queries per draw, grouped by kernel.

Both install a listener on the engine (``engine().listeners``), so every draw
made while they run is timed with a GL ``TIME_ELAPSED`` query. ``profile``
also wraps the forward of every registered kernel for the duration of the
call, so each draw is attributed to the innermost kernel that made it, and
the kernel's input and output shapes are known. Draws made outside any
registered kernel (e.g. ``wt.zeros``) are reported under their shader name.
"""

from __future__ import annotations

import functools
import re
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import registry
from .engine import engine

_OUT_DECL = re.compile(
    r"^\s*(?:layout\s*\([^)]*\)\s*)?out\s+(?:(?:highp|mediump|lowp)\s+)?vec4\s+\w+",
    re.MULTILINE,
)


def _num_outputs(prog) -> int:
    """Render targets of a program: its ``out vec4`` declarations (at least one)."""
    return max(1, len(_OUT_DECL.findall(prog.source.text)))


@dataclass
class Draw:
    """One program run: shader name, GL time and what it wrote."""

    shader: str
    defines: tuple
    gpu_ms: float
    wall_ms: float
    compile_ms: float
    out_size: int
    bytes: int


@dataclass
class KernelRecord:
    """One kernel call seen by ``wt.profile``.

    ``name`` is the registered kernel (``"exp"``), or the shader name for a draw
    made outside any kernel. ``gpu_ms`` sums the GL timer of its own draws
    (draws of kernels it called are theirs), ``compile_ms`` the programs it
    compiled, ``bytes`` what its draws wrote (``4 * size`` per output).
    """

    name: str
    input_shapes: list
    output_shapes: list
    output_size: int
    gpu_ms: float
    wall_ms: float
    compile_ms: float
    bytes: int
    draws: list = field(default_factory=list)

    @property
    def shaders(self) -> list[str]:
        """The shader of each of its draws, in order."""
        return [d.shader for d in self.draws]


class _Recorder:
    """Listens to engine draws; optionally wraps kernel forwards to attribute them."""

    def __init__(self, per_kernel: bool) -> None:
        self.per_kernel = per_kernel
        self.draws: list[Draw] = []
        self.kernels: list[KernelRecord] = []
        self._stack: list[list[Draw]] = []
        self._loose: list[Draw] = []
        self._known: set[int] = set()
        self._nout: dict[int, int] = {}
        self._wrapped: list[tuple[registry.Kernel, Callable]] = []
        self.peak_bytes = 0

    # -- engine listener -------------------------------------------------------
    def __call__(self, prog, inputs, out_size, gpu_ns, wall_ns) -> None:
        key = id(prog)
        compile_ms = 0.0
        if key not in self._known:
            self._known.add(key)
            compile_ms = prog.compile_ms
        nout = self._nout.get(key)
        if nout is None:
            nout = self._nout[key] = _num_outputs(prog)
        nbytes = 4 * out_size * nout
        d = Draw(prog.name, prog.defines, gpu_ns / 1e6, wall_ns / 1e6, compile_ms, out_size,
                 nbytes)
        self.draws.append(d)
        (self._stack[-1] if self._stack else self._loose).append(d)
        self.peak_bytes = max(self.peak_bytes, engine().num_bytes + nbytes)

    # -- kernel wrapping --------------------------------------------------------
    def _wrap(self, kernel: registry.Kernel) -> Callable:
        original = kernel.forward

        @functools.wraps(original)
        def forward(*args, **attrs):
            frame: list[Draw] = []
            self._stack.append(frame)
            try:
                outs = original(*args, **attrs)
            finally:
                self._stack.pop()
            self._record(kernel.name, args, outs, frame)
            return outs

        self._wrapped.append((kernel, original))
        return forward

    def _record(self, name: str, args, outs, frame: list[Draw]) -> None:
        outs_list = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        out_shapes = [tuple(o.shape) for o in outs_list if getattr(o, "_is_tensor", False)]
        size = sum(_prod(s) for s in out_shapes)
        self.kernels.append(KernelRecord(
            name, _shapes_of(args), out_shapes, size,
            sum(d.gpu_ms for d in frame), sum(d.wall_ms for d in frame),
            sum(d.compile_ms for d in frame), sum(d.bytes for d in frame), frame))
        self.peak_bytes = max(self.peak_bytes, engine().num_bytes)

    def flush_loose(self) -> None:
        """Report draws made outside any kernel under their shader's name."""
        for d in self._loose:
            self.kernels.append(KernelRecord(d.shader, [], [], d.out_size, d.gpu_ms, d.wall_ms,
                                             d.compile_ms, d.bytes, [d]))
        self._loose = []

    def __enter__(self) -> _Recorder:
        eng = engine()
        eng.ctx  # noqa: B018 - create the context before timing anything
        eng.drain()
        self._known = {id(p) for p in eng.programs.programs()}
        self.peak_bytes = eng.num_bytes
        eng.listeners.append(self)
        if self.per_kernel:
            for kernel in registry.kernels():
                kernel.forward = self._wrap(kernel)
        return self

    def __exit__(self, *exc) -> bool:
        eng = engine()
        eng.listeners.remove(self)
        for kernel, original in reversed(self._wrapped):
            kernel.forward = original
        self._wrapped = []
        self.peak_bytes = max(self.peak_bytes, eng.num_bytes)
        return False


def _prod(shape) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def _shapes_of(args) -> list:
    out = []
    for a in args:
        if getattr(a, "_is_tensor", False):
            out.append(tuple(a.shape))
        elif isinstance(a, (list, tuple)) and any(getattr(x, "_is_tensor", False) for x in a):
            out.append([tuple(x.shape) for x in a if getattr(x, "_is_tensor", False)])
        else:
            out.append(a if isinstance(a, (int, float, bool)) else type(a).__name__)
    return out


@dataclass
class Timing:
    """What ``wt.time`` measured: wall time, GPU time of the draws, compile time."""

    wall_ms: float
    kernel_ms: float
    compile_ms: float
    draws: int

    def __str__(self) -> str:
        return (f"wall {self.wall_ms:.3f} ms, kernel {self.kernel_ms:.3f} ms "
                f"({self.draws} draws, compile {self.compile_ms:.1f} ms)")


def time(fn: Callable, *args, **kwargs) -> Timing:
    """Run ``fn(*args, **kwargs)`` once; wall time and the GPU time of its kernels [time].

    ``kernel_ms`` sums a GL timer query around every draw (each query waits
    for its draw to finish, so ``wall_ms`` includes that synchronisation).
    What ``fn`` returns is dropped.

    Example:
        >>> import webtensor as wt
        >>> x = wt.ones([64, 64])
        >>> t = wt.time(lambda: x.exp().add(1).numpy())
        >>> t.draws, t.kernel_ms >= 0.0, t.wall_ms >= t.kernel_ms * 0.0
        (2, True, True)
    """
    with _Recorder(per_kernel=False) as rec:
        t0 = _time.perf_counter()
        fn(*args, **kwargs)
        wall = (_time.perf_counter() - t0) * 1000
    return Timing(wall, sum(d.gpu_ms for d in rec.draws), sum(d.compile_ms for d in rec.draws),
                  len(rec.draws))


@dataclass
class Profile:
    """What ``wt.profile`` saw: memory effects, every kernel call, and ``fn``'s result.

    ``new_tensors``/``new_bytes``: tensors and bytes alive after ``fn`` minus
    before (the result included); ``peak_bytes``: the most bytes held by
    tensors at any draw; ``kernels``: one ``KernelRecord`` per kernel call, in
    the order they finished.
    """

    new_tensors: int
    new_bytes: int
    peak_bytes: int
    kernels: list
    result: object
    wall_ms: float

    @property
    def kernel_ms(self) -> float:
        """GPU time of every draw."""
        return sum(k.gpu_ms for k in self.kernels)

    @property
    def compile_ms(self) -> float:
        """Time spent compiling programs."""
        return sum(k.compile_ms for k in self.kernels)

    def summary(self) -> list[dict]:
        """Kernel calls grouped by name, the most GPU time first.

        Each row: ``name, calls, draws, gpu_ms, mean_ms, compile_ms, bytes``.
        """
        rows: dict[str, dict] = {}
        for k in self.kernels:
            r = rows.setdefault(k.name, {"name": k.name, "calls": 0, "draws": 0, "gpu_ms": 0.0,
                                         "compile_ms": 0.0, "bytes": 0})
            r["calls"] += 1
            r["draws"] += len(k.draws)
            r["gpu_ms"] += k.gpu_ms
            r["compile_ms"] += k.compile_ms
            r["bytes"] += k.bytes
        out = sorted(rows.values(), key=lambda r: (-r["gpu_ms"], r["name"]))
        for r in out:
            r["mean_ms"] = r["gpu_ms"] / r["calls"]
        return out

    def table(self) -> str:
        """The summary as an aligned text table."""
        head = ("kernel", "calls", "draws", "gpu ms", "mean ms", "compile ms", "bytes")
        rows = [(r["name"], str(r["calls"]), str(r["draws"]), f"{r['gpu_ms']:.3f}",
                 f"{r['mean_ms']:.3f}", f"{r['compile_ms']:.1f}", format_bytes(r["bytes"]))
                for r in self.summary()]
        total = ("total", str(sum(int(r[1]) for r in rows)), str(sum(int(r[2]) for r in rows)),
                 f"{self.kernel_ms:.3f}", "", f"{self.compile_ms:.1f}",
                 format_bytes(sum(k.bytes for k in self.kernels)))
        return format_table(head, rows + [total], align="lrrrrrr")


def profile(fn: Callable, *args, **kwargs) -> Profile:
    """Run ``fn(*args, **kwargs)`` and report every kernel it ran [profile].

    Example:
        >>> import webtensor as wt
        >>> x = wt.ones([2, 3])
        >>> p = wt.profile(lambda: x.exp().add(x))
        >>> [k.name for k in p.kernels], p.new_tensors, p.new_bytes
        (['exp', 'add'], 1, 24)
        >>> p.kernels[1].input_shapes, p.result.shape
        ([(2, 3), (2, 3)], (2, 3))
    """
    eng = engine()
    with _Recorder(per_kernel=True) as rec:
        tensors0, bytes0 = eng.num_tensors, eng.num_bytes
        t0 = _time.perf_counter()
        result = fn(*args, **kwargs)
        wall = (_time.perf_counter() - t0) * 1000
        eng.drain()
        new_tensors, new_bytes = eng.num_tensors - tensors0, eng.num_bytes - bytes0
    rec.flush_loose()
    return Profile(new_tensors, new_bytes, rec.peak_bytes, rec.kernels, result, wall)


def format_bytes(n: int) -> str:
    """``1536`` -> ``'1.5 KiB'``.

    Example:
        >>> from webtensor.profiler import format_bytes
        >>> format_bytes(48), format_bytes(1536), format_bytes(3 * 2**20)
        ('48 B', '1.5 KiB', '3.0 MiB')
    """
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def format_table(head: tuple, rows: list[tuple], align: str | None = None) -> str:
    """Aligned text columns; ``align`` has one ``l`` or ``r`` per column.

    Example:
        >>> from webtensor.profiler import format_table
        >>> print(format_table(("kernel", "ms"), [("exp", "1.5"), ("matmul", "12.0")], "lr"))
        kernel    ms
        ------  ----
        exp      1.5
        matmul  12.0
    """
    cols = len(head)
    align = align or "l" * cols
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(cols)]

    def line(r) -> str:
        cells = [str(c).ljust(w) if a == "l" else str(c).rjust(w)
                 for c, w, a in zip(r, widths, align, strict=False)]
        return "  ".join(cells).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(head), sep, *(line(r) for r in rows)])
