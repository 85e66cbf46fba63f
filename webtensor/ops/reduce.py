"""Reductions: sum, mean, prod, max, min, all, any, argmax, argmin, logsumexp, cumsum,
and the composites norm and moments.

Every reduction draws ``glsl/reduce.glsl``: the input is viewed as ``[outer, n, inner]``
(dims coalesced, size-1 dims dropped) and reduced over ``n`` in windows of about
``sqrt(n)`` elements, one pass per tree level, so long sums stay accurate and every pass
has enough fragments to keep all cores busy. Reduced axes that are not adjacent are
reduced one contiguous group at a time (innermost group first), which needs no transpose.
A window that is contiguous (``inner == 1``) or whose outputs are texel neighbours
(``inner % 4 == 0``) is read a texel (4 elements) at a time.

Gradients (registered beside each kernel, written with public ops):
sum/mean broadcast ``dy`` back; max/min send ``dy`` to every element equal to the
result (ties share: each tied element receives the full ``dy``, as TF.js does);
prod uses the product of the other elements (exact with one zero, 0 with two or more);
logsumexp gives ``dy * exp(x - y)``; cumsum gives the reverse cumsum of ``dy``.
argmax/argmin/all/any have zero gradients.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence

import numpy as np

from ..registry import register
from ..tensor import Tensor, apply, convert, draw, tensor_method
from ._elementwise_kernel import run_elementwise

_OPS = {"sum": 0, "mean": 0, "prod": 1, "max": 2, "min": 3, "all": 4, "any": 5,
        "argmax": 2, "argmin": 3}

# A pass reduces at most this many elements per output without splitting the window;
# longer axes run as a tree of windows of about sqrt(n).
_SINGLE_PASS = 256
# A pass with this many outputs already spreads over several llvmpipe tiles (64x64 texels).
_MIN_OUTPUTS = 1 << 16
# A single pass reading more than this is split in two (first pass about _SPLIT_OUTPUTS
# partials). Measured on llvmpipe: padding the partials texture to span two 64x64 tiles
# (one per thread) was slower, not faster, so partials use the plain layout. Re-measured
# (wall clock, whole op with readback, median of 30, load ~3.5 on 2 cores): sum of [1024, 1024]
# 0.86 ms plain, 1.20 ms padded to 128x33 texels, 5.4 ms padded to 256x65; the empty
# fragments of a padded pass still cost ~75 ns each, and the second thread rarely gets a
# core. GL timer queries are misleading here: on a multi-tile draw they report about one
# tile's time (a 4-tile draw read 170 us by the timer, 450-640 us by the wall clock).
_SPLIT_READS = 1 << 16
_SPLIT_OUTPUTS = 4096
# Re-measured idle (wall clock, whole op with readback, median of 3x20): a contiguous
# reduction reading at least _TWO_TILE_READS elements with n % 4 == 0 first reduces texel
# windows (MODE 3) into about _TWO_TILE_PARTIALS partials, just over 4096 texels, so the
# pass spans two 64x64 tiles with no padding, then one pass finishes a single row of up to
# _LAST_PASS partials (a second tree level costs a draw, ~0.1 ms, more than the one
# fragment's longer loop): sum of [1024, 1024] 1.00 -> 0.85 ms, over axis -1 0.98 -> 0.77 ms.
# Tried: 32768 partials (128x64 texels, 0.96 ms: the last pass reads twice as much) and
# reading the partials back to sum them on the host (0.70 ms, but it makes sum synchronous).
# prod keeps the sqrt(n) tree: its float32 products drift with chain length (a product of
# 2^20 values near 1 was 7e-4 off with a last pass of 20000 partials, 2e-4 with the tree).
# A pass of at least _TEXEL_WINDOWS outputs uses MODE 3 when its windows are whole texels.
_TEXEL_WINDOWS = 16
_TWO_TILE_READS = 1 << 18
_TWO_TILE_PARTIALS = 20000
_LAST_PASS = 32768


# -- axes ------------------------------------------------------------------------
def normalize_axes(op: str, shape: tuple, axis) -> tuple[int, ...]:
    """Sorted non-negative axes of ``axis`` (None: all), or ``ValueError`` naming ``op``."""
    rank = len(shape)
    if axis is None:
        return tuple(range(rank))
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        axes = [int(axis)]
    elif isinstance(axis, (list, tuple)) and builtins.all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis
    ):
        axes = [int(a) for a in axis]
    else:
        raise ValueError(f"{op}: axis must be None, an int or a list of ints, got {axis!r}")
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(
                f"{op}: axis {a} is out of range for a tensor of shape {list(shape)} "
                f"(rank {rank})"
            )
        a = a % rank
        if a in out:
            raise ValueError(f"{op}: axis {a} is repeated in {axis!r} (shape {list(shape)})")
        out.append(a)
    return tuple(sorted(out))


def _out_shape(shape: tuple, axes: tuple, keepdims: bool) -> tuple:
    if keepdims:
        return tuple(1 if d in axes else n for d, n in enumerate(shape))
    return tuple(n for d, n in enumerate(shape) if d not in axes)


def _kept_shape(shape: tuple, axes: tuple) -> tuple:
    return tuple(1 if d in axes else n for d, n in enumerate(shape))


def _groups(shape: tuple, axes: tuple) -> list[tuple[int, bool]]:
    """(size, reduced) runs of the shape: size-1 dims dropped, neighbours merged."""
    out: list[list] = []
    for d, n in enumerate(shape):
        if n == 1:
            continue
        red = d in axes
        if out and out[-1][1] == red:
            out[-1][0] *= n
        else:
            out.append([n, red])
    return [(n, r) for n, r in out]


# -- the pass planner ----------------------------------------------------------------
def _window(outer: int, n: int, inner: int, op: int = 0) -> int:
    """Elements per window for one pass over an axis of ``n`` (``op`` as in _OPS)."""
    rows = outer * inner
    if n <= _SINGLE_PASS or (n <= 4096 and rows * n < _SPLIT_READS):
        return n
    if rows * 4 >= _MIN_OUTPUTS and n <= 4096:
        return n
    if op != 1 and inner == 1 and n % 4 == 0 and rows * n >= _TWO_TILE_READS:
        # texel windows leaving just over 4096 texels of partials: two 64x64 tiles
        w = (rows * n // _TWO_TILE_PARTIALS) & ~3
        while w > 4 and rows * -(-n // w) <= 4 * 4096:
            w -= 4
        return builtins.max(4, w)
    if op != 1 and rows == 1 and n <= _LAST_PASS:
        return n
    # at least sqrt(n) (two passes for any n), long enough that the partials stay about
    # _SPLIT_OUTPUTS, and at most n / 4 so that a split pass feeds both threads
    w = builtins.max(math.isqrt(n - 1) + 1, -(-n // builtins.max(1, _SPLIT_OUTPUTS // rows)))
    w = builtins.min(w, -(-n // 4))
    return builtins.min(n, builtins.max(4, (w + 3) & ~3))


def _mode(inner: int) -> int:
    if inner == 1:
        return 1
    if inner % 4 == 0:
        return 2
    return 0


def _reduce_axis(x: Tensor, idx: Tensor | None, outer: int, n: int, inner: int, op: int,
                 arg: bool, scale: float, dtype: str):
    """Reduce ``x`` viewed as [outer, n, inner] over n: returns values (and indices)."""
    first = True
    while True:
        w = _window(outer, n, inner, op)
        m = -(-n // w)
        total = outer * m * inner
        uniforms = {"u_n": n, "u_inner": inner, "u_w": w, "u_m": m, "u_total": total,
                    "u_scale": scale if m == 1 else 1.0}
        argmode = 0 if not arg else (1 if idx is None else 2)
        mode = _mode(inner)
        if not arg and mode == 1 and n % 4 == 0 and w % 4 == 0 and total >= _TEXEL_WINDOWS:
            mode = 3
        defines = (("ARG", argmode), ("MODE", mode), ("OP", op))
        inputs = [("X", x)] if argmode < 2 else [("X", x), ("I", idx)]
        out_dtype = dtype if m == 1 else "float32"
        res = draw("reduce", inputs, (total,), out_dtype, uniforms, defines,
                   outputs=2 if arg else 1)
        if not first:
            x.dispose()
            if idx is not None:
                idx.dispose()
        first = False
        if arg:
            x, idx = res
        else:
            x = res
        if m == 1:
            return (x, idx) if arg else x
        n = m


def _fill(shape: tuple, dtype: str, value: float) -> Tensor:
    return run_elementwise("fill", [], dtype, {"u_value": value}, out_shape=shape)


def _run_reduce(name: str, x: Tensor, axes: tuple, keepdims: bool, dtype: str,
                mean: bool = False) -> Tensor:
    """Forward of a plain reduction over ``axes`` (sorted, non-negative)."""
    shape = _out_shape(x.shape, axes, keepdims)
    count = math.prod(x.shape[d] for d in axes)
    if count == 0 or x.size == 0:
        if count == 0 and name in ("max", "min"):
            raise ValueError(
                f"{name}: zero-size reduction over axes {list(axes)} of shape "
                f"{list(x.shape)} has no identity"
            )
        empty = {"sum": 0.0, "mean": math.nan, "prod": 1.0, "all": 1.0, "any": 0.0}
        return _fill(shape, dtype, empty.get(name, 0.0))
    groups = _groups(x.shape, axes)
    if not builtins.any(r for _, r in groups):
        return _retype(x, dtype, shape)
    op = _OPS[name]
    cur = x
    while True:
        last = builtins.max(i for i, (_, r) in enumerate(groups) if r)
        rest = builtins.any(r for _, r in groups[:last])
        n = groups[last][0]
        outer = math.prod(s for s, _ in groups[:last])
        inner = math.prod(s for s, _ in groups[last + 1:])
        scale = 1.0 / count if (mean and not rest) else 1.0
        out = _reduce_axis(cur, None, outer, n, inner, op, False, scale,
                           "float32" if rest else dtype)
        if cur is not x:
            cur.dispose()
        cur = out
        if not rest:
            break
        groups = _merge(groups[:last] + groups[last + 1:])
    return _reshaped(cur, shape)


def _reshaped(t: Tensor, shape: tuple) -> Tensor:
    """``t`` (a fresh intermediate) as a tensor of ``shape``; ``t`` is released."""
    if t.shape == shape:
        return t
    out = t._alias(shape)
    t.dispose()
    return out


def _retype(x: Tensor, dtype: str, shape: tuple) -> Tensor:
    """The values of ``x`` as ``dtype`` and ``shape`` (nothing was reduced)."""
    if dtype == x.dtype:
        return x._alias(shape)
    if x.dtype == "bool" and dtype == "int32":
        st = x.storage
        st.refs += 1
        return Tensor(st, shape, dtype)
    return _reshaped(run_elementwise("cast", [x], dtype, defines=(
        ("TO_BOOL", int(dtype == "bool")), ("TO_INT", int(dtype == "int32")))), shape)


def _merge(groups: list[tuple[int, bool]]) -> list[tuple[int, bool]]:
    out: list[list] = []
    for n, r in groups:
        if out and out[-1][1] == r:
            out[-1][0] *= n
        else:
            out.append([n, r])
    return [(n, r) for n, r in out]


def _run_arg(name: str, x: Tensor, axis: int | None, keepdims: bool) -> Tensor:
    """Forward of argmax/argmin: int32 indices (flat when ``axis`` is None)."""
    if axis is None:
        shape = tuple(1 for _ in x.shape) if keepdims else ()
        outer, n, inner = 1, x.size, 1
    else:
        shape = _out_shape(x.shape, (axis,), keepdims)
        outer = math.prod(x.shape[:axis])
        n = x.shape[axis]
        inner = math.prod(x.shape[axis + 1:])
    if n == 0:
        raise ValueError(
            f"{name}: attempt to get {name} of an empty sequence (shape {list(x.shape)}, "
            f"axis {axis})"
        )
    if x.size == 0:
        return _fill(shape, "int32", 0.0)
    vals, idx = _reduce_axis(x, None, outer, n, inner, _OPS[name], True, 1.0, "int32")
    vals.dispose()
    idx.dtype = "int32"
    return _reshaped(idx, shape)


def _run_cumsum(x: Tensor, axis: int, exclusive: bool, reverse: bool) -> Tensor:
    dtype = "int32" if x.dtype == "bool" else x.dtype
    if x.size == 0:
        return _fill(x.shape, dtype, 0.0)
    n = x.shape[axis]
    inner = math.prod(x.shape[axis + 1:])
    if inner == 1 and n % 4 == 0 and n >= _BLOCKED_SCAN:
        out = _blocked_scan(x, x.size // n, n, exclusive, reverse, dtype)
        return _reshaped(out, x.shape)
    return _hillis_steele(x, n, inner, exclusive, reverse, dtype)


# Rows at least this long (inner == 1, n % 4 == 0) use the blocked scan of cumsum_scan.glsl:
# texel sums, their exclusive scan (recursively, on rows 4x shorter), then one pass adding
# each texel's prefix: about 4 texel fetches per element in all instead of 4 per element
# and pass of the radix-4 scan. Measured on llvmpipe (2 cores, loaded), cumsum of
# [1024, 1024] along axis 1: 35-140 ms radix-4 (5 passes), ~3.5 ms blocked.
_BLOCKED_SCAN = 32


def _blocked_scan(x: Tensor, rows: int, n: int, exclusive: bool, reverse: bool,
                  dtype: str) -> Tensor:
    """Cumulative sums of ``x`` seen as [rows, n] along n (n % 4 == 0), flat result."""
    m = n // 4
    sums = draw("cumsum_scan", [("X", x)], (rows * m,), "float32", None, (("PASS", 0),))
    if m % 4 == 0 and m >= _BLOCKED_SCAN:
        prefix = _blocked_scan(sums, rows, m, True, reverse, "float32")
    else:
        prefix = _hillis_steele(sums, m, 1, True, reverse, "float32")
    sums.dispose()
    defines = (("EXCLUSIVE", int(exclusive)), ("PASS", 1), ("REVERSE", int(reverse)))
    out = draw("cumsum_scan", [("X", x), ("P", prefix)], (rows * n,), dtype, None, defines)
    prefix.dispose()
    return out


def _hillis_steele(x: Tensor, n: int, inner: int, exclusive: bool, reverse: bool,
                   dtype: str) -> Tensor:
    """Radix-4 scan of ``x`` (any layout) along an axis of ``n`` with ``inner`` after it."""
    steps = []
    step = 1
    while step < n:
        steps.append(step)
        step *= 4
    if not steps:
        steps = [n]
    defines = (("ALIGNED", int(inner % 4 == 0)), ("REVERSE", int(reverse)))
    cur = x
    for k, step in enumerate(steps):
        uniforms = {"u_n": n, "u_inner": inner, "u_step": step,
                    "u_shift": int(exclusive and k == 0)}
        out = draw("cumsum", [("X", cur)], x.shape, dtype, uniforms, defines)
        if cur is not x:
            cur.dispose()
        cur = out
    return cur


# -- numpy references ----------------------------------------------------------------
def _np_axis(axis):
    return None if axis is None else tuple(axis) if isinstance(axis, (list, tuple)) else axis


def _ref(fn):
    def ref(x, axis=None, keepdims=False):
        return fn(x, axis=_np_axis(axis), keepdims=keepdims)

    return ref


def _ref_logsumexp(x, axis=None, keepdims=False):
    axis = _np_axis(axis)
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis if axis is not None
                                           else tuple(range(x.ndim)))


def _ref_cumsum(x, axis=0, exclusive=False, reverse=False):
    y = np.flip(x, axis) if reverse else x
    c = np.cumsum(y, axis=axis)
    if exclusive:
        c = np.concatenate([np.zeros_like(np.take(c, [0], axis=axis)),
                            np.take(c, np.arange(c.shape[axis] - 1), axis=axis)], axis=axis)
    return np.flip(c, axis) if reverse else c


# -- test cases for the registry ---------------------------------------------------
_SHAPES = [((7,), (0,)), ((5, 3), (1,)), ((5, 3), (-2,)), ((4, 6, 5), (0, 2)),
           ((2, 3, 4, 5), (1, 2)), ((3, 1, 5, 2, 3), (0, 3)), ((2, 3, 1, 2, 2, 3), (-1, 1, 4)),
           ((3, 1, 4), (1,)), ((16, 12), None), ((9, 1029), (1,)), ((1030, 3), (0,)),
           ((6, 8, 9), (0,)), ((2, 700, 4), (1,)), ((33, 257), (0, 1)), ((5,), ())]


def _cases(low: float = -2.0, high: float = 2.0, dtype=np.float32, nans: bool = False):
    def cases():
        rng = np.random.default_rng(7)
        out = []
        for k, (shape, axis) in enumerate(_SHAPES):
            x = rng.uniform(low, high, size=shape).astype(dtype)
            if dtype is np.bool_:
                x = rng.uniform(size=shape) < (0.9 if k % 2 else 0.1)
            elif dtype is np.int32:
                x = rng.integers(int(low), int(high) + 1, size=shape).astype(np.int32)
            if nans and k % 3 == 1:
                x.reshape(-1)[rng.integers(0, x.size, size=2)] = np.nan
            out.append(([x], {"axis": axis, "keepdims": k % 2 == 1}))
        return out

    return cases


def _arg_cases():
    rng = np.random.default_rng(11)
    out = []
    for k, (shape, axis) in enumerate(_SHAPES):
        # few distinct values so that ties occur; NaNs in some cases
        x = rng.integers(-3, 4, size=shape).astype(np.float32)
        if k % 3 == 1:
            x.reshape(-1)[rng.integers(0, x.size, size=2)] = np.nan
        ax = None if not axis else axis[-1]
        out.append(([x], {"axis": ax, "keepdims": k % 2 == 1}))
    out.append(([np.full((5, 9), -np.inf, np.float32)], {"axis": 1, "keepdims": False}))
    out.append(([rng.normal(size=(3000,)).astype(np.float32)], {"axis": None,
                                                                "keepdims": False}))
    return out


def _cumsum_cases():
    rng = np.random.default_rng(5)
    out = []
    shapes = [((7,), 0), ((5, 3), 1), ((5, 8), 0), ((4, 6, 5), -2), ((2, 3, 4, 1, 2, 3), 2),
              ((1, 1), 0), ((1000,), 0), ((3, 4, 2, 5), 3)]
    for k, (shape, axis) in enumerate(shapes):
        x = rng.uniform(-2, 2, size=shape).astype(np.float32)
        out.append(([x], {"axis": axis, "exclusive": k % 2 == 1, "reverse": k % 3 == 1}))
    out.append(([rng.integers(-5, 5, size=(4, 9)).astype(np.int32)],
                {"axis": 1, "exclusive": True, "reverse": True}))
    return out


# -- gradients ------------------------------------------------------------------------
def _axes_attr(x: Tensor, attrs: dict) -> tuple:
    return normalize_axes("grad", x.shape, attrs.get("axis"))


def _back(t: Tensor, x: Tensor, axes: tuple) -> Tensor:
    """``t`` (a reduction's result over ``axes``) reshaped to broadcast against ``x``."""
    from .movement import reshape

    return reshape(t, _kept_shape(x.shape, axes))


def _broadcast_back(dy: Tensor, x: Tensor, axes: tuple) -> Tensor:
    from .elementwise import add, zeros_like_op

    return add(zeros_like_op(x) if x.dtype == "float32" else _fill(x.shape, "float32", 0.0),
               _back(dy, x, axes))


def _grad_sum(dy, inputs, y, attrs):
    x = inputs[0]
    return [_broadcast_back(dy, x, _axes_attr(x, attrs))]


def _grad_mean(dy, inputs, y, attrs):
    from .elementwise import mul

    x = inputs[0]
    axes = _axes_attr(x, attrs)
    count = math.prod(x.shape[d] for d in axes)
    return [mul(_broadcast_back(dy, x, axes), 1.0 / count if count else math.nan)]


def _grad_extreme(dy, inputs, y, attrs):
    from .elementwise import cast, equal, mul

    x = inputs[0]
    axes = _axes_attr(x, attrs)
    mask = cast(equal(x, _back(y, x, axes)), "float32")
    return [mul(mask, _back(dy, x, axes))]


def _grad_prod(dy, inputs, y, attrs):
    from .elementwise import cast, div, equal, logical_and, mul, where

    x = inputs[0]
    axes = _axes_attr(x, attrs)
    is_zero = equal(x, 0.0)
    nonzero = where(is_zero, 1.0, x)
    p_nz = prod(nonzero, axes, keepdims=True)
    zeros = sum(cast(is_zero, "float32"), axes, keepdims=True)
    no_zero = equal(zeros, 0.0)
    one_zero = logical_and(is_zero, equal(zeros, 1.0))
    others = where(no_zero, div(p_nz, nonzero), where(one_zero, p_nz, 0.0))
    return [mul(others, _back(dy, x, axes))]


def _grad_logsumexp(dy, inputs, y, attrs):
    from .elementwise import exp, mul, sub

    x = inputs[0]
    axes = _axes_attr(x, attrs)
    return [mul(exp(sub(x, _back(y, x, axes))), _back(dy, x, axes))]


def _grad_zero(dy, inputs, y, attrs):
    from .elementwise import zeros_like_op

    return [zeros_like_op(inputs[0])]


def _grad_cumsum(dy, inputs, y, attrs):
    return [cumsum(dy, attrs["axis"], attrs["exclusive"], not attrs["reverse"])]


# -- registrations ----------------------------------------------------------------
def _numeric(dtype: str) -> str:
    return "int32" if dtype == "bool" else dtype


_DTYPE_RULES = {
    "sum": _numeric, "prod": _numeric, "mean": lambda d: "float32",
    "max": lambda d: d, "min": lambda d: d, "all": lambda d: "bool", "any": lambda d: "bool",
}


def _make_forward(name: str):
    rule = _DTYPE_RULES[name]

    def forward(x, axis=None, keepdims=False):
        axes = normalize_axes(name, x.shape, axis)
        return _run_reduce(name, x, axes, keepdims, rule(x.dtype), mean=name == "mean")

    return forward


_TOL = (1e-5, 1e-4)
register("sum", _make_forward("sum"), grad=_grad_sum, reference=_ref(np.sum),
         shaders=("reduce",), cases=_cases(), tolerance=_TOL, doc="sum over axes")
register("mean", _make_forward("mean"), grad=_grad_mean, reference=_ref(np.mean),
         shaders=("reduce",), cases=_cases(), tolerance=_TOL, doc="mean over axes")
register("prod", _make_forward("prod"), grad=_grad_prod, reference=_ref(np.prod),
         shaders=("reduce",), cases=_cases(0.7, 1.3), tolerance=_TOL, doc="product over axes")
register("max", _make_forward("max"), grad=_grad_extreme, reference=_ref(np.max),
         shaders=("reduce",), cases=_cases(nans=True), doc="maximum over axes (NaN wins)")
register("min", _make_forward("min"), grad=_grad_extreme, reference=_ref(np.min),
         shaders=("reduce",), cases=_cases(nans=True), doc="minimum over axes (NaN wins)")
register("all", _make_forward("all"), grad=_grad_zero, reference=_ref(np.all),
         shaders=("reduce",), cases=_cases(dtype=np.bool_), doc="logical and over axes")
register("any", _make_forward("any"), grad=_grad_zero, reference=_ref(np.any),
         shaders=("reduce",), cases=_cases(dtype=np.bool_), doc="logical or over axes")


def _arg_forward(name: str):
    def forward(x, axis=None, keepdims=False):
        if axis is not None:
            (axis,) = normalize_axes(name, x.shape, axis)
        return _run_arg(name, x, axis, keepdims)

    return forward


for _name, _np_fn in (("argmax", np.argmax), ("argmin", np.argmin)):
    register(_name, _arg_forward(_name), grad=_grad_zero,
             reference=lambda x, axis=None, keepdims=False, _f=_np_fn: _f(
                 x, axis=axis, keepdims=keepdims),
             shaders=("reduce",), cases=_arg_cases, tolerance=(0, 0),
             doc=f"index of the {_name[3:]}imum (first on ties, first NaN)")


def _logsumexp_forward(x, axis=None, keepdims=False):
    from .. import autodiff, scope
    from .elementwise import add, exp, is_finite, log, sub, where

    axes = normalize_axes("logsumexp", x.shape, axis)
    shape = _out_shape(x.shape, axes, keepdims)
    if math.prod(x.shape[d] for d in axes) == 0:
        return _fill(shape, "float32", -math.inf)
    with autodiff.paused(), scope.tidy():
        m = _run_reduce("max", x, axes, True, x.dtype)
        m = where(is_finite(m), m, 0.0)
        s = _run_reduce("sum", exp(sub(x, m)), axes, True, "float32")
        out = _reshaped(add(log(s), m), shape)
        scope.keep(out)
    return out


register("logsumexp", _logsumexp_forward, grad=_grad_logsumexp, reference=_ref_logsumexp,
         shaders=("reduce",), cases=_cases(-5, 5), tolerance=_TOL,
         doc="log(sum(exp(x))) over axes, computed stably")


def _cumsum_forward(x, axis=0, exclusive=False, reverse=False):
    (axis,) = normalize_axes("cumsum", x.shape, axis)
    return _run_cumsum(x, axis, bool(exclusive), bool(reverse))


register("cumsum", _cumsum_forward, grad=_grad_cumsum, reference=_ref_cumsum,
         shaders=("cumsum",), cases=_cumsum_cases, tolerance=_TOL,
         doc="cumulative sum along an axis")


# -- public functions ----------------------------------------------------------------
Axis = int | Sequence[int] | None


def _apply_reduce(name: str, x, axis, keepdims: bool) -> Tensor:
    x = convert(x, op=name)
    axes = normalize_axes(name, x.shape, axis)
    return apply(name, [x], axis=axes, keepdims=bool(keepdims))


@tensor_method()
def sum(x, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (None: all axes); int32 stays int32, bool gives int32.

    Example:
        >>> import webtensor as wt
        >>> wt.sum(wt.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=1).numpy().tolist()
        [3.0, 7.0]
    """
    return _apply_reduce("sum", x, axis, keepdims)


@tensor_method()
def mean(x, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis`` (float32 result; NaN over an empty axis).

    Example:
        >>> import webtensor as wt
        >>> wt.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(axis=0).numpy().tolist()
        [2.0, 3.0]
    """
    return _apply_reduce("mean", x, axis, keepdims)


@tensor_method()
def prod(x, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Product over ``axis``; int32 stays int32, bool gives int32; empty gives 1.

    Example:
        >>> import webtensor as wt
        >>> wt.prod(wt.tensor([[1.0, 2.0], [3.0, 4.0]])).item()
        24.0
    """
    return _apply_reduce("prod", x, axis, keepdims)


@tensor_method()
def max(x, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Maximum over ``axis``, keeping the dtype; NaN propagates (numpy).

    The gradient flows to every element equal to the maximum (ties each get the
    full ``dy``, as in TF.js).

    Example:
        >>> import webtensor as wt
        >>> wt.max(wt.tensor([[1.0, 5.0], [3.0, 4.0]]), axis=-1).numpy().tolist()
        [5.0, 4.0]
    """
    return _apply_reduce("max", x, axis, keepdims)


@tensor_method()
def min(x, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Minimum over ``axis``, keeping the dtype; NaN propagates (numpy).

    Example:
        >>> import webtensor as wt
        >>> wt.tensor([[1.0, 5.0], [3.0, 4.0]]).min(axis=0, keepdims=True).numpy().tolist()
        [[1.0, 4.0]]
    """
    return _apply_reduce("min", x, axis, keepdims)


@tensor_method()
def all(x, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Whether every element over ``axis`` is nonzero (bool result).

    Example:
        >>> import webtensor as wt
        >>> wt.all(wt.tensor([[True, False], [True, True]]), axis=1).numpy().tolist()
        [False, True]
    """
    return _apply_reduce("all", x, axis, keepdims)


@tensor_method()
def any(x, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Whether some element over ``axis`` is nonzero (bool result).

    Example:
        >>> import webtensor as wt
        >>> wt.any(wt.tensor([[True, False], [False, False]]), axis=1).numpy().tolist()
        [True, False]
    """
    return _apply_reduce("any", x, axis, keepdims)


def _apply_arg(name: str, x, axis, keepdims: bool) -> Tensor:
    x = convert(x, op=name)
    if axis is not None:
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise ValueError(
                    f"{name}: axis must be None or one int, got {axis!r} "
                    f"(shape {list(x.shape)})"
                )
            axis = axis[0]
        (axis,) = normalize_axes(name, x.shape, axis)
    return apply(name, [x], axis=axis, keepdims=bool(keepdims))


@tensor_method()
def argmax(x, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the maximum along ``axis`` (int32; None: flat index, as numpy).

    Ties give the first index; a NaN counts as the maximum (the first NaN wins).

    Example:
        >>> import webtensor as wt
        >>> wt.argmax(wt.tensor([[1.0, 5.0, 5.0], [7.0, 4.0, 0.0]]), axis=1).numpy().tolist()
        [1, 0]
    """
    return _apply_arg("argmax", x, axis, keepdims)


@tensor_method()
def argmin(x, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the minimum along ``axis`` (int32; None: flat index, as numpy).

    Ties give the first index; a NaN counts as the minimum (the first NaN wins).

    Example:
        >>> import webtensor as wt
        >>> wt.tensor([[1.0, 5.0], [7.0, 0.0]]).argmin().item()
        3
    """
    return _apply_arg("argmin", x, axis, keepdims)


@tensor_method()
def logsumexp(x, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis``, computed without overflow.

    Example:
        >>> import webtensor as wt
        >>> round(wt.logsumexp(wt.tensor([1000.0, 1000.0])).item(), 2)
        1000.69
    """
    return _apply_reduce("logsumexp", x, axis, keepdims)


@tensor_method()
def cumsum(x, axis: int = 0, exclusive: bool = False, reverse: bool = False) -> Tensor:
    """Cumulative sum along ``axis`` (TF.js flags: ``exclusive`` starts at 0,
    ``reverse`` sums from the end). int32 stays int32, bool gives int32.

    Example:
        >>> import webtensor as wt
        >>> wt.cumsum(wt.tensor([1.0, 2.0, 3.0])).numpy().tolist()
        [1.0, 3.0, 6.0]
        >>> wt.cumsum(wt.tensor([1.0, 2.0, 3.0]), exclusive=True, reverse=True).numpy().tolist()
        [5.0, 3.0, 0.0]
    """
    x = convert(x, op="cumsum")
    if x.rank == 0:
        raise ValueError("cumsum: needs a tensor of rank >= 1, got shape []")
    if isinstance(axis, (list, tuple)) or axis is None:
        raise ValueError(f"cumsum: axis must be an int, got {axis!r} (shape {list(x.shape)})")
    (axis,) = normalize_axes("cumsum", x.shape, axis)
    return apply("cumsum", [x], axis=axis, exclusive=bool(exclusive), reverse=bool(reverse))


_VECTOR_ORDS = (1, 2, math.inf, -math.inf, "euclidean", "fro")


@tensor_method()
def norm(x, ord="euclidean", axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A002
    """Vector or matrix norm (TF.js ``norm``).

    ``axis=None`` takes the vector norm of all elements (as TF.js does); an int
    gives vector norms along that axis; a pair of axes gives matrix norms.
    Vector ords: 1, 2, ``inf``, ``-inf``, ``'euclidean'`` (= 2), ``'fro'`` (= 2)
    and any other positive number p (``sum(|x|**p)**(1/p)``). Matrix ords:
    ``'fro'``/``'euclidean'``, 1 (max column sum), -1, ``inf`` (max row sum), ``-inf``.

    Example:
        >>> import webtensor as wt
        >>> wt.norm(wt.tensor([3.0, -4.0])).item()
        5.0
        >>> wt.norm(wt.tensor([[1.0, -2.0], [3.0, 4.0]]), 1, axis=(0, 1)).item()
        6.0
    """
    from .elementwise import abs as abs_
    from .elementwise import pow as pow_
    from .elementwise import sqrt, square
    from .movement import reshape

    x = convert(x, op="norm")
    if axis is None:
        axes = tuple(range(x.rank))
        matrix = False
    else:
        axes_list = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
        if len(axes_list) not in (1, 2):
            raise ValueError(f"norm: axis must be None, an int or a pair, got {axis!r} "
                             f"(shape {list(x.shape)})")
        normalize_axes("norm", x.shape, axes_list)
        axes = tuple(a % x.rank for a in axes_list)
        matrix = len(axes) == 2
    out_shape = _out_shape(x.shape, tuple(sorted(axes)), keepdims)
    if not matrix:
        if ord in ("euclidean", "fro", 2):
            y = sqrt(sum(square(x), axes, keepdims))
        elif ord == 1:
            y = sum(abs_(x), axes, keepdims)
        elif ord == math.inf:
            y = max(abs_(x), axes, keepdims)
        elif ord == -math.inf:
            y = min(abs_(x), axes, keepdims)
        elif isinstance(ord, (int, float)) and not isinstance(ord, bool) and ord > 0:
            y = pow_(sum(pow_(abs_(x), float(ord)), axes, keepdims), 1.0 / ord)
        else:
            raise ValueError(f"norm: unsupported vector norm ord {ord!r} "
                             f"(shape {list(x.shape)}, axis {axis!r})")
        return y
    rows, cols = axes
    if ord in ("euclidean", "fro"):
        return sqrt(sum(square(x), axes, keepdims))
    if ord in (1, -1):
        inner, outer = rows, cols
    elif ord in (math.inf, -math.inf):
        inner, outer = cols, rows
    else:
        raise ValueError(f"norm: unsupported matrix norm ord {ord!r} (shape {list(x.shape)}, "
                         f"axis {axis!r}); use 'fro', 1, -1, inf or -inf")
    sums = sum(abs_(x), inner, keepdims=True)
    ext = max if ord in (1, math.inf) else min
    return reshape(ext(sums, outer, keepdims=True), out_shape)


def moments(x, axes: Axis = None, keepdims: bool = False) -> tuple[Tensor, Tensor]:
    """Mean and variance over ``axes`` (population variance, as TF.js).

    Example:
        >>> import webtensor as wt
        >>> m, v = wt.moments(wt.tensor([1.0, 2.0, 3.0, 4.0]))
        >>> m.item(), v.item()
        (2.5, 1.25)
    """
    from .elementwise import squared_difference
    from .movement import reshape

    x = convert(x, op="moments")
    ax = normalize_axes("moments", x.shape, axes)
    m = mean(x, ax, keepdims=True)
    v = mean(squared_difference(x, m), ax, keepdims=keepdims)
    out = _out_shape(x.shape, ax, keepdims)
    return (m if keepdims else reshape(m, out)), v


tensor_method("moments")(moments)

__all__ = ["sum", "mean", "prod", "max", "min", "all", "any", "argmax", "argmin", "logsumexp",
           "norm", "moments", "cumsum"]
