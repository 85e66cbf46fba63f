"""Shape ops: reshape (metadata only) and the ops that move elements.

Most ops here are one program, ``glsl/strided.glsl`` ("gather by strides"): an output
element's multi-index maps to an input flat index through per-dim strides (0 for
broadcast, negative for reverse, step-multiplied for strided slices) plus an offset.
Dims are coalesced first (size-1 dims dropped, neighbours that walk the input
contiguously merged), so the rank the shader sees is small; the rank is a define, the
shapes and strides are uniforms. The same shader in its ``PAD`` mode scatters back
(``pad`` and the gradient of ``strided_slice``). ``concat``, ``gather`` (with its
segment-sum gradient ``gather_grad``) and ``one_hot`` have their own shaders.
"""

from __future__ import annotations

import builtins
import math
import operator
from collections.abc import Sequence

import numpy as np

from .. import dtypes
from ..registry import register
from ..tensor import Tensor, apply, convert, draw, from_host, tensor_method
from ._elementwise_kernel import run_elementwise

_pyslice = builtins.slice  # this module's ``slice`` is the op
_MAX_CONCAT = 8  # inputs per concat draw (texture units are plentiful, branches are not)


# -- helpers ---------------------------------------------------------------------------
def _row_strides(shape: Sequence[int]) -> list[int]:
    out, acc = [], 1
    for d in reversed(shape):
        out.append(acc)
        acc *= d
    return out[::-1]


def _int(op: str, what: str, value) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{op}: {what} must be an int, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise ValueError(f"{op}: {what} must be an int, got {value!r}") from None


def _ints(op: str, what: str, values) -> list[int]:
    if isinstance(values, (int, np.integer)) and not isinstance(values, bool):
        return [int(values)]
    if getattr(values, "_is_tensor", False):
        values = values.numpy().tolist()
    try:
        return [_int(op, what, v) for v in values]
    except TypeError:
        raise ValueError(f"{op}: {what} must be a list of ints, got {values!r}") from None


def _axis(op: str, axis, rank: int, shape: tuple) -> int:
    a = _int(op, "axis", axis)
    if not -rank <= a < rank:
        raise ValueError(f"{op}: axis {a} is out of range for shape {list(shape)} (rank {rank})")
    return a % rank


def _axes(op: str, axis, rank: int, shape: tuple) -> list[int]:
    axes = [_axis(op, a, rank, shape) for a in _ints(op, "axis", axis)]
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: repeated axis in {axis} for shape {list(shape)}")
    return axes


def _fill(shape: tuple, dtype: str, value: float = 0.0) -> Tensor:
    return run_elementwise("fill", [], dtype, {"u_value": float(value)}, out_shape=tuple(shape))


def _coalesce(shape: Sequence[int], strides: Sequence[int]) -> tuple[list[int], list[int]]:
    """Drop size-1 dims and merge neighbours whose input strides are contiguous."""
    dims = [(n, s) for n, s in zip(shape, strides, strict=True) if n != 1]
    out: list[list[int]] = []
    for n, s in reversed(dims):
        if out and s == out[-1][1] * out[-1][0]:
            out[-1][0] *= n
        else:
            out.append([n, s])
    out.reverse()
    if not out:
        return [1], [0]
    return [n for n, _ in out], [s for _, s in out]


def _gather_strided(x: Tensor, out_shape: Sequence[int], strides: Sequence[int],
                    offset: int = 0, view: Sequence[int] | None = None) -> Tensor:
    """Output element ``idx`` = ``x.flat[offset + sum(idx * strides)]`` (one draw).

    ``idx`` indexes ``view`` (default ``out_shape``), a shape of the same size.
    """
    out_shape = tuple(int(d) for d in out_shape)
    size = math.prod(out_shape)
    shape, st = _coalesce(out_shape if view is None else view, strides)
    unis = {"u_size": size, "u_offset": offset, "u_shape": shape, "u_strides": st}
    contig = int(st[-1] == 1 and shape[-1] % 4 == 0)
    short = int(not contig and shape[-1] < 4)
    return draw("strided", [("A", x)], out_shape, x.dtype, unis,
                (("CONTIG", contig), ("PAD", 0), ("RANK", len(shape)), ("SHORT", short)))


def _scatter_strided(x: Tensor, out_shape: Sequence[int], lo: Sequence[int],
                     step: Sequence[int], count: Sequence[int], strides: Sequence[int],
                     offset: int, value: float) -> Tensor:
    """Per dim, output ``lo + q * step`` (``0 <= q < count``) holds ``x`` at ``q``; else value.

    ``strides`` map ``q`` to ``x``'s flat index (plus ``offset``); negative strides read
    ``x`` backwards (the gradient of a negative-step slice).
    """
    out_shape = tuple(int(d) for d in out_shape)
    size = math.prod(out_shape)
    if size == 0:
        return _fill(out_shape, x.dtype, value)
    if x.size == 0 or 0 in count:
        return _fill(out_shape, x.dtype, value)
    dims = []
    for n, a, s, c, st in zip(out_shape, lo, step, count, strides, strict=True):
        if n == 1:  # idx is always 0: decide here
            q, r = divmod(-a, s)
            if -a < 0 or r or q >= c:
                return _fill(out_shape, x.dtype, value)
            offset += q * st
            continue
        dims.append([n, a, s, c, st])
    merged: list[list[int]] = []
    for d in reversed(dims):
        if merged:
            n, a, s, c, st = merged[-1]
            if a == 0 and s == 1 and c == n and d[2] == 1 and d[4] == st * n:
                merged[-1] = [d[0] * n, d[1] * n, 1, d[3] * n, st]
                continue
        merged.append(d)
    merged.reverse()
    if not merged:
        merged = [[1, 0, 1, 1, 0]]
    cols = list(zip(*merged, strict=True))
    unis = {"u_size": size, "u_offset": offset, "u_shape": list(cols[0]),
            "u_lo": list(cols[1]), "u_step": list(cols[2]), "u_in": list(cols[3]),
            "u_strides": list(cols[4]), "u_value": float(value)}
    steps = int(any(v != 1 for v in cols[2]))
    return draw("strided", [("A", x)], out_shape, x.dtype, unis,
                (("PAD", 1), ("RANK", len(merged)), ("STEPS", steps)))


def _rand(shape, seed: int, dtype=np.float32) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-2, 2, size=shape).astype(dtype)


# -- reshape, expand_dims, squeeze ------------------------------------------------------
def _reshape_forward(x: Tensor, shape: tuple) -> Tensor:
    return x._alias(shape)


register("reshape", _reshape_forward,
         grad=lambda dy, i, y, a: [reshape(dy, i[0].shape)],
         reference=lambda x, shape: x.reshape(shape), doc="same values, another shape")


def _resolve_shape(op: str, size: int, shape, old: tuple) -> tuple:
    if isinstance(shape, int):
        shape = (shape,)
    shape = [int(d) for d in shape]
    unknown = [i for i, d in enumerate(shape) if d == -1]
    if len(unknown) > 1 or any(d < -1 for d in shape):
        raise ValueError(f"{op}: invalid shape {shape}")
    if unknown:
        rest = math.prod(d for d in shape if d != -1)
        if rest == 0 or size % rest:
            raise ValueError(f"{op}: cannot reshape {list(old)} ({size} elements) to {shape}")
        shape[unknown[0]] = size // rest
    if math.prod(shape) != size:
        raise ValueError(
            f"{op}: cannot reshape {list(old)} ({size} elements) to {shape} "
            f"({math.prod(shape)} elements)"
        )
    return tuple(shape)


@tensor_method()
def reshape(x, shape) -> Tensor:
    """The same values with another shape (no copy; one dimension may be -1).

    Example:
        >>> import webtensor as wt
        >>> wt.reshape(wt.range(6), [2, -1]).shape
        (2, 3)
    """
    x = convert(x, op="reshape")
    new = _resolve_shape("reshape", x.size, shape, x.shape)
    return apply("reshape", [x], shape=new)


@tensor_method()
def expand_dims(x, axis: int = 0) -> Tensor:
    """Insert a dimension of size 1 at ``axis`` (``-rank - 1 <= axis <= rank``; no copy).

    Example:
        >>> import webtensor as wt
        >>> wt.expand_dims(wt.ones([2, 3]), 1).shape
        (2, 1, 3)
    """
    x = convert(x, op="expand_dims")
    a = _int("expand_dims", "axis", axis)
    if not -x.rank - 1 <= a <= x.rank:
        raise ValueError(
            f"expand_dims: axis {a} is out of range for shape {list(x.shape)} "
            f"(allowed {-x.rank - 1}..{x.rank})"
        )
    a %= x.rank + 1
    return apply("reshape", [x], shape=x.shape[:a] + (1,) + x.shape[a:])


@tensor_method()
def squeeze(x, axis=None) -> Tensor:
    """Remove dimensions of size 1: all of them, or those in ``axis`` (int or list).

    Example:
        >>> import webtensor as wt
        >>> wt.squeeze(wt.ones([1, 3, 1])).shape, wt.ones([1, 3, 1]).squeeze(-1).shape
        ((3,), (1, 3))
    """
    x = convert(x, op="squeeze")
    if axis is None:
        axes = [i for i, d in enumerate(x.shape) if d == 1]
    else:
        axes = _axes("squeeze", axis, x.rank, x.shape)
        bad = [a for a in axes if x.shape[a] != 1]
        if bad:
            raise ValueError(
                f"squeeze: cannot squeeze axis {bad[0]} of shape {list(x.shape)}: "
                f"its size is {x.shape[bad[0]]}, not 1"
            )
    shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    return apply("reshape", [x], shape=shape)


# -- transpose ---------------------------------------------------------------------------
def _perm(op: str, perm, shape: tuple) -> list[int]:
    r = len(shape)
    p = _ints(op, "perm", perm)
    if len(p) != r or sorted(v % r if -r <= v < r else -1 for v in p) != list(range(r)):
        raise ValueError(
            f"{op}: perm {list(p)} is not a permutation of the {r} axes of shape {list(shape)}"
        )
    return [v % r for v in p]


def _transpose_forward(x: Tensor, perm: tuple) -> Tensor:
    perm = _perm("transpose", perm, x.shape)
    xs = _row_strides(x.shape)
    return _gather_strided(x, [x.shape[p] for p in perm], [xs[p] for p in perm])


def _transpose_grad(dy, inputs, y, attrs):
    perm = _perm("transpose", attrs["perm"], inputs[0].shape)
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return [transpose(dy, inv)]


def _transpose_cases():
    return [
        ((_rand((3, 5), 1),), {"perm": (1, 0)}),
        ((_rand((2, 3, 5), 2),), {"perm": (2, 0, 1)}),
        ((_rand((2, 1, 3, 5), 3),), {"perm": (-1, 1, 0, 2)}),
        ((_rand((2, 3, 1, 2, 3, 2), 4),), {"perm": (5, 3, 1, 0, 2, 4)}),
        ((_rand((7, 9, 4), 5),), {"perm": (0, 2, 1)}),
        ((np.arange(24, dtype=np.int32).reshape(2, 3, 4),), {"perm": (1, 2, 0)}),
    ]


register("transpose", _transpose_forward, grad=_transpose_grad,
         reference=lambda x, perm: np.transpose(x, perm), shaders=("strided",),
         cases=_transpose_cases, tolerance=(0, 0), doc="permute the axes")


@tensor_method()
def transpose(x, perm=None) -> Tensor:
    """Permute the axes: output axis ``i`` is input axis ``perm[i]`` (default: reversed).

    Example:
        >>> import webtensor as wt
        >>> wt.transpose(wt.tensor([[1, 2, 3], [4, 5, 6]])).numpy().tolist()
        [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    """
    x = convert(x, op="transpose")
    p = list(range(x.rank))[::-1] if perm is None else _perm("transpose", perm, x.shape)
    if p == sorted(p):
        return x.clone()
    out_shape = tuple(x.shape[i] for i in p)
    moved = [i for i in p if x.shape[i] != 1]
    if moved == sorted(moved):  # only size-1 axes move: the layout is unchanged
        return apply("reshape", [x], shape=out_shape)
    return apply("transpose", [x], perm=tuple(p))


# -- slice -------------------------------------------------------------------------------
def _slice_forward(x: Tensor, begin: tuple, size: tuple) -> Tensor:
    xs = _row_strides(x.shape)
    return _gather_strided(x, size, xs, sum(b * s for b, s in zip(begin, xs, strict=True)))


def _slice_grad(dy, inputs, y, attrs):
    shape = inputs[0].shape
    pads = [[b, n - b - s] for b, s, n in zip(attrs["begin"], attrs["size"], shape, strict=True)]
    return [pad(dy, pads)]


def _slice_ref(x, begin, size):
    return x[tuple(_pyslice(b, b + s) for b, s in zip(begin, size, strict=True))]


def _slice_cases():
    return [
        ((_rand((9,), 1),), {"begin": (2,), "size": (5,)}),
        ((_rand((5, 7), 2),), {"begin": (1, 3), "size": (3, 4)}),
        ((_rand((3, 1, 6, 5), 3),), {"begin": (1, 0, 2, 0), "size": (2, 1, 3, 5)}),
        ((_rand((2, 3, 2, 3, 2, 5), 4),), {"begin": (1, 1, 0, 1, 1, 1),
                                             "size": (1, 2, 2, 2, 1, 3)}),
        ((_rand((4, 33), 5),), {"begin": (1, 5), "size": (3, 27)}),
        ((_rand((4, 6), 6),), {"begin": (0, 2), "size": (4, 0)}),
    ]


register("slice", _slice_forward, grad=_slice_grad, reference=_slice_ref,
         shaders=("strided",), cases=_slice_cases, tolerance=(0, 0),
         doc="a contiguous box: begin, size per dim")


@tensor_method("slice")
def slice_(x, begin, size=None) -> Tensor:
    """The box of ``x`` starting at ``begin`` with extent ``size`` (``-1``: to the end).

    ``begin`` and ``size`` may be ints (the first axis) or lists shorter than the rank;
    missing entries start at 0 and run to the end.

    Example:
        >>> import webtensor as wt
        >>> wt.slice(wt.tensor([[1, 2, 3], [4, 5, 6]]), [0, 1], [2, -1]).numpy().tolist()
        [[2.0, 3.0], [5.0, 6.0]]
    """
    x = convert(x, op="slice")
    b = _ints("slice", "begin", begin)
    s = [-1] * len(b) if size is None else _ints("slice", "size", size)
    if len(b) > x.rank or len(s) > x.rank:
        raise ValueError(
            f"slice: begin {b} / size {s} have more entries than shape {list(x.shape)}"
        )
    b = b + [0] * (x.rank - len(b))
    s = s + [-1] * (x.rank - len(s))
    out = []
    for i, (bi, si, n) in enumerate(zip(b, s, x.shape, strict=True)):
        if si == -1:
            si = n - bi
        if bi < 0 or si < 0 or bi + si > n:
            raise ValueError(
                f"slice: begin {b} and size {s} do not fit in shape {list(x.shape)} "
                f"(axis {i})"
            )
        out.append(si)
    if tuple(out) == x.shape:
        return x.clone()
    return apply("slice", [x], begin=tuple(b), size=tuple(out))


# -- strided slice ------------------------------------------------------------------------
def _strided_forward(x: Tensor, begin: tuple, size: tuple, strides: tuple) -> Tensor:
    xs = _row_strides(x.shape)
    if 0 in size:
        return _gather_strided(x, size, xs)
    offset = sum(b * s for b, s in zip(begin, xs, strict=True))
    return _gather_strided(x, size, [s * st for s, st in zip(xs, strides, strict=True)], offset)


def _strided_grad(dy, inputs, y, attrs):
    return [apply("strided_slice_grad", [dy], shape=inputs[0].shape, begin=attrs["begin"],
                  strides=attrs["strides"])]


def _strided_ref(x, begin, size, strides):
    idx = [b + np.arange(n) * s for b, n, s in zip(begin, size, strides, strict=True)]
    return x[np.ix_(*idx)] if idx else x


def _strided_cases():
    return [
        ((_rand((11,), 1),), {"begin": (1,), "size": (4,), "strides": (3,)}),
        ((_rand((11,), 2),), {"begin": (9,), "size": (4,), "strides": (-2,)}),
        ((_rand((5, 7), 3),), {"begin": (4, 0), "size": (5, 4), "strides": (-1, 2)}),
        ((_rand((3, 1, 6, 5), 4),), {"begin": (2, 0, 1, 4), "size": (2, 1, 3, 5),
                                       "strides": (-2, 1, 2, -1)}),
        ((_rand((2, 3, 4, 3, 2, 5), 5),), {"begin": (0, 2, 3, 0, 1, 1),
                                             "size": (2, 2, 2, 3, 1, 2),
                                             "strides": (1, -2, -3, 1, 1, 3)}),
        ((np.arange(30, dtype=np.int32).reshape(5, 6),),
         {"begin": (0, 5), "size": (3, 6), "strides": (2, -1)}),
    ]


register("strided_slice", _strided_forward, grad=_strided_grad, reference=_strided_ref,
         shaders=("strided",), cases=_strided_cases, tolerance=(0, 0),
         doc="elements begin + k * strides (k < size) per dim")


def _strided_grad_forward(dy: Tensor, shape: tuple, begin: tuple, strides: tuple) -> Tensor:
    lo, step, st, offset = [], [], [], 0
    ds = _row_strides(dy.shape)
    for b, s, n, d in zip(begin, strides, dy.shape, ds, strict=True):
        if s > 0:
            lo.append(b)
            step.append(s)
            st.append(d)
        else:  # walk the positions upwards and dy backwards
            lo.append(b + (n - 1) * s)
            step.append(-s)
            st.append(-d)
            offset += (n - 1) * d
    return _scatter_strided(dy, shape, lo, step, dy.shape, st, offset, 0.0)


def _strided_grad_ref(dy, shape, begin, strides):
    out = np.zeros(shape, dy.dtype)
    idx = [b + np.arange(n) * s for b, n, s in zip(begin, dy.shape, strides, strict=True)]
    out[np.ix_(*idx)] = dy
    return out


def _strided_grad_cases():
    return [
        ((_rand((4,), 1),), {"shape": (11,), "begin": (1,), "strides": (3,)}),
        ((_rand((4,), 2),), {"shape": (11,), "begin": (9,), "strides": (-2,)}),
        ((_rand((5, 4), 3),), {"shape": (5, 7), "begin": (4, 0), "strides": (-1, 2)}),
        ((_rand((2, 1, 3, 5), 4),), {"shape": (3, 1, 6, 5), "begin": (2, 0, 1, 4),
                                       "strides": (-2, 1, 2, -1)}),
        ((_rand((2, 2, 2, 3, 1, 2), 5),), {"shape": (2, 3, 4, 3, 2, 5),
                                             "begin": (0, 2, 3, 0, 1, 1),
                                             "strides": (1, -2, -3, 1, 1, 3)}),
    ]


register("strided_slice_grad", _strided_grad_forward,
         grad=lambda dy, i, y, a: [apply("strided_slice", [dy], begin=a["begin"],
                                         size=i[0].shape, strides=a["strides"])],
         reference=_strided_grad_ref, shaders=("strided",), cases=_strided_grad_cases,
         tolerance=(0, 0), doc="scatter a strided slice back into zeros of the input shape")


def _canonical(x: int, c: int, masked: int, stride: int, n: int) -> int:
    """TF's canonical begin (c=0) or end (c=1) of a range along a dim of size n."""
    lo_hi = (0, n) if stride > 0 else (-1, n - 1)
    if masked:
        return lo_hi[c] if stride > 0 else lo_hi[(c + 1) & 1]
    x = x + n if x < 0 else x
    return min(max(x, lo_hi[0]), lo_hi[1])


def _dense_strided_spec(shape, begin, end, strides, begin_mask, end_mask, ellipsis_mask,
                        new_axis_mask, shrink_axis_mask):
    """TF's StridedSlice canonicalisation: dense (begin, size, strides) and the final shape."""
    op = "strided_slice"
    rank = len(shape)
    if not len(begin) == len(end) == len(strides):
        raise ValueError(
            f"{op}: begin {begin}, end {end} and strides {strides} must have one length"
        )
    if ellipsis_mask & (ellipsis_mask - 1):
        raise ValueError(f"{op}: multiple ellipses in slice are not allowed "
                         f"(ellipsis_mask {ellipsis_mask})")
    sparse = len(begin)
    seen, after = False, 0
    for i in range(sparse):
        if seen and new_axis_mask >> i & 1:
            after += 1
        if ellipsis_mask >> i & 1:
            seen = True
    if not seen:
        ellipsis_mask |= 1 << sparse
        sparse += 1
    d_begin, d_end, d_strides = [0] * rank, [0] * rank, [1] * rank
    d_bmask = d_emask = d_shrink = 0
    final: list = []  # dense index, "new" or "shrink"
    full = 0
    for i in range(sparse):
        if ellipsis_mask >> i & 1:
            nxt = min(rank - (sparse - i) + 1 + after, rank)
            while full < nxt:
                d_bmask |= 1 << full
                d_emask |= 1 << full
                final.append(full)
                full += 1
        elif new_axis_mask >> i & 1:
            final.append("new")
        else:
            if full == rank:
                raise ValueError(
                    f"{op}: index {i} is out of range for shape {list(shape)} (rank {rank})"
                )
            d_begin[full], d_end[full], d_strides[full] = begin[i], end[i], strides[i]
            if begin_mask >> i & 1:
                d_bmask |= 1 << full
            if end_mask >> i & 1:
                d_emask |= 1 << full
            if shrink_axis_mask >> i & 1:
                final.append("shrink")
                d_shrink |= 1 << full
            else:
                final.append(full)
            full += 1
    out_begin, out_size = [], []
    for i, n in enumerate(shape):
        s = d_strides[i]
        if s == 0:
            raise ValueError(f"{op}: strides[{i}] must be non-zero (strides {strides})")
        if d_shrink >> i & 1:
            b = d_begin[i] + n if d_begin[i] < 0 else d_begin[i]
            if not 0 <= b < n:
                raise ValueError(
                    f"{op}: slice index {d_begin[i]} of dimension {i} is out of bounds "
                    f"for shape {list(shape)}"
                )
            d_strides[i] = 1
            out_begin.append(b)
            out_size.append(1)
            continue
        b = _canonical(d_begin[i], 0, d_bmask >> i & 1, s, n)
        e = _canonical(d_end[i], 1, d_emask >> i & 1, s, n)
        length = e - b
        size = 0 if length == 0 or (length < 0) != (s < 0) else -(-length // s)
        out_begin.append(b if size else 0)
        out_size.append(size)
    final_shape = []
    for f in final:
        if f == "new":
            final_shape.append(1)
        elif f != "shrink":
            final_shape.append(out_size[f])
    return out_begin, out_size, d_strides, tuple(final_shape)


@tensor_method()
def strided_slice(x, begin, end, strides=None, begin_mask: int = 0, end_mask: int = 0,
                  ellipsis_mask: int = 0, new_axis_mask: int = 0,
                  shrink_axis_mask: int = 0) -> Tensor:
    """A strided slice with TF.js's masks [stridedSlice].

    Bit ``i`` of ``begin_mask``/``end_mask`` ignores ``begin[i]``/``end[i]`` (the widest
    range), of ``ellipsis_mask`` makes entry ``i`` an ellipsis, of ``new_axis_mask``
    inserts a size-1 axis, of ``shrink_axis_mask`` takes the single index ``begin[i]``
    and drops the axis. Negative indices count from the end; ``strides`` may be negative.

    Example:
        >>> import webtensor as wt
        >>> x = wt.tensor([[1, 2, 3, 4], [5, 6, 7, 8]])
        >>> wt.strided_slice(x, [0, 3], [2, 0], [1, -2]).numpy().tolist()
        [[4.0, 2.0], [8.0, 6.0]]
        >>> x.strided_slice([1], [2], shrink_axis_mask=1).numpy().tolist()
        [5.0, 6.0, 7.0, 8.0]
    """
    x = convert(x, op="strided_slice")
    b = _ints("strided_slice", "begin", begin)
    e = _ints("strided_slice", "end", end)
    s = [1] * len(b) if strides is None else _ints("strided_slice", "strides", strides)
    masks = [_int("strided_slice", "mask", m) for m in
             (begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask)]
    ob, osz, ost, final = _dense_strided_spec(x.shape, b, e, s, *masks)
    return _strided_apply(x, ob, osz, ost, final)


def _strided_apply(x: Tensor, begin, size, strides, final) -> Tensor:
    if all(b == 0 and n == d and (st == 1 or d <= 1)
           for b, n, st, d in zip(begin, size, strides, x.shape, strict=True)):
        out = x
    else:
        out = apply("strided_slice", [x], begin=tuple(begin), size=tuple(size),
                    strides=tuple(strides))
    if out.shape != final or out is x:
        out = apply("reshape", [out], shape=tuple(final))
    return out


# -- __getitem__ -----------------------------------------------------------------------------
def _index_error(key) -> IndexError:
    return IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and one integer array "
        f"(list, numpy array or int32 tensor) are valid indices, got {key!r}"
    )


def _is_array_index(k) -> bool:
    if getattr(k, "_is_tensor", False):
        return k.rank > 0 or k.dtype == "float32"
    return isinstance(k, (list, np.ndarray))


def _getitem(x: Tensor, key) -> Tensor:
    x = x._check()
    key = key if isinstance(key, tuple) else (key,)
    arrays = [i for i, k in enumerate(key) if _is_array_index(k)]
    if len(arrays) > 1:
        raise IndexError("indexing with more than one integer array is not supported")
    basic, where = [], None
    for i, k in enumerate(key):
        if i in arrays:
            where = len(basic)
            basic.append(_pyslice(None))
        else:
            basic.append(k)
    if where is None:
        return _basic_index(x, basic)[0]
    out, dims = _basic_index(x, basic)
    axis = dims[where]
    k = key[arrays[0]]
    idx = k if getattr(k, "_is_tensor", False) else np.asarray(k)
    if getattr(idx, "_is_tensor", False):
        if idx.dtype == "float32":
            raise _index_error(k)
        if idx.dtype == "bool":
            raise IndexError("boolean mask indexing is not supported")
        host = idx.storage.host
        values = None if host is None else host
    else:
        if idx.dtype == bool:
            raise IndexError("boolean mask indexing is not supported")
        if idx.size and idx.dtype.kind not in "iu":
            raise _index_error(k)
        values = idx.astype(np.int64)
        idx = convert(values.astype(np.int32), dtype="int32", op="getitem")
    n = out.shape[axis]
    if values is not None and values.size:
        v = np.asarray(values)
        bad = v[(v < -n) | (v >= n)]
        if bad.size:
            raise IndexError(f"index {int(bad[0])} is out of bounds for axis {axis} "
                             f"with size {n}")
    if n == 0 and idx.size:
        raise IndexError(f"index 0 is out of bounds for axis {axis} with size 0")
    res = apply("gather", [out, idx], axis=axis, batch_dims=0)
    adv = [i for i, k in enumerate(key) if i in arrays or _is_int_index(k)]
    if adv != list(range(adv[0], adv[-1] + 1)) and axis != 0:
        # advanced indices separated by a slice, ... or None: their dims go first (numpy)
        lead = list(range(axis, axis + idx.rank))
        rest = [d for d in range(res.rank) if d not in lead]
        res = transpose(res, lead + rest)
    return res


def _is_int_index(k) -> bool:
    if isinstance(k, (bool, np.bool_)) or k is None or k is Ellipsis or isinstance(k, _pyslice):
        return False
    if getattr(k, "_is_tensor", False):
        return k.rank == 0 and k.dtype != "float32"
    return hasattr(k, "__index__")


def _basic_index(x: Tensor, key: list) -> tuple[Tensor, list[int]]:
    """x[key] for ints, slices, None and one Ellipsis; also where each key item's dim went."""
    if sum(k is Ellipsis for k in key) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = sum(k is not None and k is not Ellipsis for k in key)
    if consumed > x.rank:
        raise IndexError(
            f"too many indices for tensor: tensor is {x.rank}-dimensional, "
            f"but {consumed} were indexed"
        )
    if not any(k is Ellipsis for k in key):
        key = [*key, Ellipsis]
    begin, size, strides, final, where = [], [], [], [], []
    d = 0
    for k in key:
        where.append(len(final))
        if k is None:
            final.append(1)
        elif k is Ellipsis:
            for _ in range(x.rank - consumed):
                n = x.shape[d]
                begin.append(0), size.append(n), strides.append(1), final.append(n)
                d += 1
        elif isinstance(k, _pyslice):
            n = x.shape[d]
            start, stop, step = k.indices(n)
            cnt = len(range(start, stop, step))
            begin.append(start if cnt else 0), size.append(cnt), strides.append(step)
            final.append(cnt)
            d += 1
        elif _is_int_index(k):
            i = operator.index(k)
            n = x.shape[d]
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {d} with size {n}")
            begin.append(i % n), size.append(1), strides.append(1)
            d += 1
        else:
            raise _index_error(k)
    return _strided_apply(x, begin, size, strides, tuple(final)), where


Tensor.__getitem__ = _getitem


# -- reverse ------------------------------------------------------------------------------
def _reverse_forward(x: Tensor, axis: tuple) -> Tensor:
    axes = {a % x.rank for a in axis}
    xs = _row_strides(x.shape)
    offset = sum((x.shape[a] - 1) * xs[a] for a in axes)
    return _gather_strided(x, x.shape, [-s if a in axes else s for a, s in enumerate(xs)],
                           offset if x.size else 0)


def _reverse_cases():
    return [
        ((_rand((7,), 1),), {"axis": (0,)}),
        ((_rand((3, 5), 2),), {"axis": (-1,)}),
        ((_rand((3, 5), 3),), {"axis": (0, 1)}),
        ((_rand((2, 1, 3, 5), 4),), {"axis": (0, 2)}),
        ((_rand((2, 3, 1, 2, 3, 5), 5),), {"axis": (1, -2, 5)}),
        ((np.arange(12, dtype=np.int32).reshape(3, 4),), {"axis": (1,)}),
    ]


register("reverse", _reverse_forward,
         grad=lambda dy, i, y, a: [reverse(dy, list(a["axis"]))],
         reference=lambda x, axis: np.flip(x, axis), shaders=("strided",),
         cases=_reverse_cases, tolerance=(0, 0), doc="reverse the order along axes")


@tensor_method()
def reverse(x, axis=None) -> Tensor:
    """Reverse the order of elements along ``axis`` (an int, a list, or None: all axes).

    Example:
        >>> import webtensor as wt
        >>> wt.reverse(wt.tensor([[1, 2], [3, 4]]), 1).numpy().tolist()
        [[2.0, 1.0], [4.0, 3.0]]
    """
    x = convert(x, op="reverse")
    axes = list(range(x.rank)) if axis is None else _axes("reverse", axis, x.rank, x.shape)
    axes = [a for a in axes if x.shape[a] > 1]
    if not axes:
        return x.clone()
    return apply("reverse", [x], axis=tuple(axes))


# -- broadcast_to, tile -----------------------------------------------------------------------
def _broadcast_forward(x: Tensor, shape: tuple) -> Tensor:
    lead = len(shape) - x.rank
    xs = _row_strides(x.shape)
    st = [0] * lead + [0 if d == 1 else s for d, s in zip(x.shape, xs, strict=True)]
    return _gather_strided(x, shape, st)


def _broadcast_grad(dy, inputs, y, attrs):
    from .elementwise import sum_to_shape

    return [sum_to_shape(dy, inputs[0].shape)]


def _broadcast_cases():
    return [
        ((_rand((1,), 1),), {"shape": (5,)}),
        ((_rand((3, 1), 2),), {"shape": (3, 5)}),
        ((_rand((5,), 3),), {"shape": (2, 3, 5)}),
        ((_rand((2, 1, 3, 1), 4),), {"shape": (2, 3, 3, 5)}),
        ((_rand((1, 3, 1, 2, 1, 3), 5),), {"shape": (2, 3, 2, 2, 3, 3)}),
        ((np.arange(3, dtype=np.int32).reshape(3, 1),), {"shape": (3, 4)}),
    ]


register("broadcast_to", _broadcast_forward, grad=_broadcast_grad,
         reference=lambda x, shape: np.broadcast_to(x, shape), shaders=("strided",),
         cases=_broadcast_cases, tolerance=(0, 0), doc="broadcast to a shape")


@tensor_method()
def broadcast_to(x, shape) -> Tensor:
    """Broadcast ``x`` to ``shape`` with numpy's rules (a copy) [broadcastTo].

    Example:
        >>> import webtensor as wt
        >>> wt.broadcast_to(wt.tensor([1, 2]), [2, 2]).numpy().tolist()
        [[1.0, 2.0], [1.0, 2.0]]
    """
    x = convert(x, op="broadcast_to")
    shp = tuple(_ints("broadcast_to", "shape", shape))
    lead = len(shp) - x.rank
    if lead < 0 or any(d < 0 for d in shp) or any(
            d != n and d != 1 for d, n in zip(x.shape, shp[lead:], strict=True)):
        raise ValueError(f"broadcast_to: cannot broadcast shape {list(x.shape)} to {list(shp)}")
    if shp == x.shape:
        return x.clone()
    if math.prod(shp) == x.size:  # only leading/size-1 axes appear: a reshape
        return apply("reshape", [x], shape=shp)
    return apply("broadcast_to", [x], shape=shp)


def _tile_forward(x: Tensor, reps: tuple) -> Tensor:
    xs = _row_strides(x.shape)
    shape, st = [], []
    for r, n, s in zip(reps, x.shape, xs, strict=True):
        shape += [r, n]
        st += [0, s]
    out = tuple(r * n for r, n in zip(reps, x.shape, strict=True))
    if x.size == 0 or 0 in reps:
        return _fill(out, x.dtype)
    return _gather_strided(x, out, st, view=shape)


def _tile_grad(dy, inputs, y, attrs):
    from .reduce import sum as reduce_sum

    x = inputs[0]
    reps = attrs["reps"]
    inter = []
    for r, n in zip(reps, x.shape, strict=True):
        inter += [r, n]
    axes = [2 * i for i, r in enumerate(reps) if r != 1]
    g = reshape(dy, inter)
    if axes:
        g = reduce_sum(g, axes)
    return [reshape(g, x.shape)]


def _tile_cases():
    return [
        ((_rand((3,), 1),), {"reps": (3,)}),
        ((_rand((2, 3), 2),), {"reps": (2, 3)}),
        ((_rand((3, 1, 5), 3),), {"reps": (1, 4, 1)}),
        ((_rand((2, 3, 1, 2), 4),), {"reps": (2, 1, 3, 2)}),
        ((_rand((1, 2, 3, 1, 2, 3), 5),), {"reps": (2, 1, 2, 3, 1, 1)}),
        ((np.arange(6, dtype=np.int32).reshape(2, 3),), {"reps": (2, 2)}),
    ]


register("tile", _tile_forward, grad=_tile_grad,
         reference=lambda x, reps: np.tile(x, reps), shaders=("strided",), cases=_tile_cases,
         tolerance=(0, 0), doc="repeat the whole tensor reps[i] times along axis i")


@tensor_method()
def tile(x, reps) -> Tensor:
    """Repeat ``x`` ``reps[i]`` times along axis ``i`` (numpy's rules for other lengths).

    Example:
        >>> import webtensor as wt
        >>> wt.tile(wt.tensor([1, 2]), [3]).numpy().tolist()
        [1.0, 2.0, 1.0, 2.0, 1.0, 2.0]
    """
    x = convert(x, op="tile")
    r = _ints("tile", "reps", reps)
    if any(v < 0 for v in r):
        raise ValueError(f"tile: reps {r} must not be negative (shape {list(x.shape)})")
    if len(r) > x.rank:
        x = apply("reshape", [x], shape=(1,) * (len(r) - x.rank) + x.shape)
    r = [1] * (x.rank - len(r)) + r
    if all(v == 1 for v in r):
        return x.clone()
    return apply("tile", [x], reps=tuple(r))


# -- pad --------------------------------------------------------------------------------------
def _pad_forward(x: Tensor, paddings: tuple, constant_value: float) -> Tensor:
    out = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape, paddings, strict=True))
    return _scatter_strided(x, out, [p[0] for p in paddings], [1] * x.rank, x.shape,
                            _row_strides(x.shape), 0, constant_value)


def _pad_grad(dy, inputs, y, attrs):
    x = inputs[0]
    return [slice_(dy, [p[0] for p in attrs["paddings"]], list(x.shape))]


def _pad_cases():
    return [
        ((_rand((5,), 1),), {"paddings": ((2, 3),), "constant_value": 0.0}),
        ((_rand((3, 4), 2),), {"paddings": ((1, 0), (2, 5)), "constant_value": 1.5}),
        ((_rand((2, 1, 3), 3),), {"paddings": ((0, 0), (1, 1), (0, 0)),
                                    "constant_value": -2.0}),
        ((_rand((2, 1, 3, 2, 1, 3), 4),), {"paddings": ((1, 0), (0, 1), (0, 0), (2, 1),
                                                         (0, 0), (1, 2)),
                                            "constant_value": 0.0}),
        ((_rand((1, 7), 5),), {"paddings": ((1, 1), (0, 0)), "constant_value": 3.0}),
        ((np.arange(6, dtype=np.int32).reshape(2, 3),), {"paddings": ((1, 1), (1, 1)),
                                                          "constant_value": 9.0}),
    ]


register("pad", _pad_forward, grad=_pad_grad,
         reference=lambda x, paddings, constant_value: np.pad(
             x, paddings, constant_values=constant_value),
         shaders=("strided",), cases=_pad_cases, tolerance=(0, 0),
         doc="pad with a constant: paddings [[before, after], ...]")


@tensor_method()
def pad(x, paddings, constant_value: float = 0) -> Tensor:
    """Pad with ``constant_value``: ``paddings[i] = [before, after]`` for axis ``i``.

    Example:
        >>> import webtensor as wt
        >>> wt.pad(wt.tensor([[1, 2]]), [[1, 0], [0, 1]]).numpy().tolist()
        [[0.0, 0.0, 0.0], [1.0, 2.0, 0.0]]
    """
    x = convert(x, op="pad")
    try:
        pads = [tuple(_ints("pad", "paddings", p)) for p in paddings]
    except TypeError:
        raise ValueError(f"pad: paddings must be [[before, after], ...], got {paddings!r}") \
            from None
    if len(pads) != x.rank or any(len(p) != 2 or min(p) < 0 for p in pads):
        raise ValueError(
            f"pad: paddings {[list(p) for p in pads]} must be {x.rank} non-negative "
            f"[before, after] pairs for shape {list(x.shape)}"
        )
    value = float(dtypes.to_host(constant_value, x.dtype, "pad"))
    if all(p == (0, 0) for p in pads):
        return x.clone()
    return apply("pad", [x], paddings=tuple(pads), constant_value=value)


# -- concat, stack, unstack, split ------------------------------------------------------------
def _concat_draw(parts: list, rows: int, shape: tuple, dtype: str) -> Tensor:
    cols = sum(w for _, w in parts)
    starts = np.cumsum([0] + [w for _, w in parts])[:-1].tolist()
    unis = {"u_size": rows * cols, "u_cols": cols, "u_start": starts,
            "u_width": [w for _, w in parts]}
    inputs = [(f"X{k}", t) for k, (t, _) in enumerate(parts)]
    contig = int(all(w % 4 == 0 for _, w in parts))
    return draw("concat", inputs, shape, dtype, unis, (("CONTIG", contig), ("N", len(parts))))


def _concat_forward(*xs: Tensor, axis: int) -> Tensor:
    first = xs[0]
    axis %= first.rank
    shape = list(first.shape)
    shape[axis] = sum(x.shape[axis] for x in xs)
    shape = tuple(shape)
    rows = math.prod(shape[:axis])
    inner = math.prod(shape[axis + 1:])
    parts = [(x, x.shape[axis] * inner) for x in xs if x.size]
    if not parts or math.prod(shape) == 0:
        return _fill(shape, first.dtype)
    if len(parts) == 1:
        return parts[0][0]._alias(shape)
    temps = []
    while len(parts) > _MAX_CONCAT:
        grouped = []
        for g in range(0, len(parts), _MAX_CONCAT):
            grp = parts[g:g + _MAX_CONCAT]
            if len(grp) == 1:
                grouped.append(grp[0])
                continue
            w = sum(w for _, w in grp)
            t = _concat_draw(grp, rows, (rows, w), first.dtype)
            temps.append(t)
            grouped.append((t, w))
        parts = grouped
    out = _concat_draw(parts, rows, shape, first.dtype)
    for t in temps:
        t.dispose()
    return out


def _concat_grad(dy, inputs, y, attrs):
    axis = attrs["axis"] % dy.rank
    grads, at = [], 0
    for x in inputs:
        begin = [0] * dy.rank
        begin[axis] = at
        grads.append(slice_(dy, begin, list(x.shape)))
        at += x.shape[axis]
    return grads


def _concat_cases():
    cases = [
        ((_rand((3,), 1), _rand((5,), 2)), {"axis": 0}),
        ((_rand((2, 3), 3), _rand((2, 5), 4), _rand((2, 1), 5)), {"axis": -1}),
        ((_rand((1, 3, 5), 6), _rand((3, 3, 5), 7)), {"axis": 0}),
        ((_rand((2, 3, 1, 2, 1, 3), 8), _rand((2, 3, 2, 2, 1, 3), 9)), {"axis": 2}),
        (tuple(_rand((2, k + 1, 3), 10 + k) for k in range(11)), {"axis": 1}),
        ((_rand((4, 0), 30), _rand((4, 3), 31)), {"axis": 1}),
        ((np.arange(4, dtype=np.int32).reshape(2, 2), np.ones((2, 3), np.int32)), {"axis": 1}),
    ]
    return cases


register("concat", _concat_forward, grad=_concat_grad,
         reference=lambda *xs, axis: np.concatenate(xs, axis), shaders=("concat",),
         cases=_concat_cases, tolerance=(0, 0), doc="join tensors along an axis")


def _same_dtype(op: str, items: list) -> list:
    dt = items[0].dtype
    for t in items[1:]:
        dt = dtypes.promote(dt, t.dtype)
    return [t if t.dtype == dt else apply("cast", [t], dtype=dt) for t in items]


def concat(tensors, axis: int = 0) -> Tensor:
    """Join tensors along ``axis``; the other dims must match (dtypes promote as numpy).

    As a method, ``x.concat(y_or_list, axis)`` joins ``[x, *ys]``.

    Example:
        >>> import webtensor as wt
        >>> wt.concat([wt.tensor([[1, 2]]), wt.tensor([[3, 4]])], 1).numpy().tolist()
        [[1.0, 2.0, 3.0, 4.0]]
    """
    items = [convert(t, op="concat") for t in _as_list(tensors)]
    if not items:
        raise ValueError("concat: needs at least one tensor")
    if items[0].rank == 0:
        raise ValueError("concat: rank-0 tensors cannot be concatenated (use stack)")
    r = items[0].rank
    a = _axis("concat", axis, r, items[0].shape)
    for t in items:
        if t.rank != r or any(n != m for i, (n, m) in
                              enumerate(zip(t.shape, items[0].shape, strict=True)) if i != a):
            shapes = ", ".join(str(list(u.shape)) for u in items)
            raise ValueError(
                f"concat: shapes {shapes} differ outside axis {a} (or in rank)"
            )
    if len(items) == 1:
        return items[0].clone()
    return apply("concat", _same_dtype("concat", items), axis=a)


def _as_list(tensors) -> list:
    """A list or tuple of tensors as a list; anything else (one tensor, array) as one item."""
    return list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]


def _concat_method(self, tensors, axis: int = 0) -> Tensor:
    return concat([self, *_as_list(tensors)], axis)


_concat_method.__doc__ = concat.__doc__
Tensor.concat = _concat_method


def stack(tensors, axis: int = 0) -> Tensor:
    """Stack tensors of one shape along a new axis ``axis``.

    As a method, ``x.stack(y_or_list, axis)`` stacks ``[x, *ys]``.

    Example:
        >>> import webtensor as wt
        >>> wt.stack([wt.tensor([1, 2]), wt.tensor([3, 4])], 1).numpy().tolist()
        [[1.0, 3.0], [2.0, 4.0]]
    """
    items = [convert(t, op="stack") for t in _as_list(tensors)]
    if not items:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in items}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have one shape, got "
                         f"{', '.join(str(list(s)) for s in sorted(shapes))}")
    r = items[0].rank
    a = _int("stack", "axis", axis)
    if not -r - 1 <= a <= r:
        raise ValueError(f"stack: axis {a} is out of range for shape {list(items[0].shape)} "
                         f"(allowed {-r - 1}..{r})")
    a %= r + 1
    expanded = [expand_dims(t, a) for t in items]
    if len(expanded) == 1:
        return expanded[0]
    return apply("concat", _same_dtype("stack", expanded), axis=a)


Tensor.stack = lambda self, tensors, axis=0: stack([self, *_as_list(tensors)], axis)
Tensor.stack.__doc__ = stack.__doc__


@tensor_method()
def unstack(x, axis: int = 0) -> list[Tensor]:
    """Split along ``axis`` into ``x.shape[axis]`` tensors without that axis.

    Example:
        >>> import webtensor as wt
        >>> [t.numpy().tolist() for t in wt.unstack(wt.tensor([[1, 2], [3, 4]]), 1)]
        [[1.0, 3.0], [2.0, 4.0]]
    """
    x = convert(x, op="unstack")
    if x.rank == 0:
        raise ValueError("unstack: cannot unstack a rank-0 tensor")
    a = _axis("unstack", axis, x.rank, x.shape)
    shape = x.shape[:a] + x.shape[a + 1:]
    out = []
    for i in range(x.shape[a]):
        begin = [0] * x.rank
        begin[a] = i
        size = list(x.shape)
        size[a] = 1
        out.append(reshape(slice_(x, begin, size), shape))
    return out


@tensor_method()
def split(x, num_or_size_splits, axis: int = 0) -> list[Tensor]:
    """Split along ``axis`` into equal parts (an int) or parts of given sizes (one may be -1).

    Example:
        >>> import webtensor as wt
        >>> [t.shape for t in wt.split(wt.ones([2, 7]), [2, -1, 1], 1)]
        [(2, 2), (2, 4), (2, 1)]
    """
    x = convert(x, op="split")
    if x.rank == 0:
        raise ValueError("split: cannot split a rank-0 tensor")
    a = _axis("split", axis, x.rank, x.shape)
    n = x.shape[a]
    if isinstance(num_or_size_splits, (int, np.integer)) and not isinstance(
            num_or_size_splits, bool):
        k = int(num_or_size_splits)
        if k <= 0 or n % k:
            raise ValueError(
                f"split: axis {a} of shape {list(x.shape)} (size {n}) cannot be split "
                f"into {k} equal parts"
            )
        sizes = [n // k] * k
    else:
        sizes = _ints("split", "size_splits", num_or_size_splits)
        unknown = [i for i, s in enumerate(sizes) if s == -1]
        if len(unknown) > 1 or any(s < -1 for s in sizes):
            raise ValueError(f"split: invalid sizes {sizes} (at most one -1, no other "
                             "negatives)")
        if unknown:
            sizes[unknown[0]] = n - (sum(sizes) + 1)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(
                f"split: sizes {list(num_or_size_splits)} do not add up to {n}, the size "
                f"of axis {a} of shape {list(x.shape)}"
            )
    out, at = [], 0
    for s in sizes:
        begin = [0] * x.rank
        begin[a] = at
        size = list(x.shape)
        size[a] = s
        out.append(slice_(x, begin, size))
        at += s
    return out


# -- gather and its gradient ------------------------------------------------------------------
def _gather_dims(x_shape: tuple, idx_shape: tuple, axis: int, batch_dims: int):
    B = math.prod(x_shape[:batch_dims])
    O = math.prod(x_shape[batch_dims:axis])  # noqa: E741 - the name in the shader
    A = x_shape[axis]
    N = math.prod(x_shape[axis + 1:])
    I = math.prod(idx_shape[batch_dims:])  # noqa: E741
    return B, O, A, N, I


def _gather_forward(x: Tensor, indices: Tensor, axis: int, batch_dims: int) -> Tensor:
    axis %= x.rank
    if batch_dims < 0:
        batch_dims += indices.rank
    shape = x.shape[:axis] + indices.shape[batch_dims:] + x.shape[axis + 1:]
    B, O, A, N, I = _gather_dims(x.shape, indices.shape, axis, batch_dims)
    size = math.prod(shape)
    if size and A == 0:
        raise ValueError(f"gather: axis {axis} of shape {list(x.shape)} is empty")
    unis = {"u_size": size, "u_n": N, "u_i": I, "u_o": O, "u_a": A}
    return draw("gather", [("A", x), ("I", indices)], shape, x.dtype, unis,
                (("CONTIG", int(N % 4 == 0)),))


def _gather_grad(dy, inputs, y, attrs):
    x, idx = inputs
    return [apply("gather_grad", [dy, idx], axis=attrs["axis"] % x.rank,
                  batch_dims=attrs["batch_dims"], dim_size=x.shape[attrs["axis"] % x.rank]),
            None]


def _gather_ref(x, indices, axis, batch_dims):
    axis %= x.ndim
    indices = np.asarray(indices).astype(np.int64)
    B, O, A, N, I = _gather_dims(x.shape, indices.shape, axis, batch_dims)
    xb = x.reshape(B, O, A, N)
    ib = indices.reshape(B, I)
    out = np.zeros((B, O, I, N), x.dtype)
    for b in range(B):
        out[b] = xb[b][:, ib[b], :]
    return out.reshape(x.shape[:axis] + indices.shape[batch_dims:] + x.shape[axis + 1:])


def _idx(shape, hi, seed, lo=0):
    return np.random.default_rng(seed).integers(lo, hi, size=shape).astype(np.int32)


def _gather_cases():
    return [
        ((_rand((7,), 1), _idx((5,), 7, 1)), {"axis": 0, "batch_dims": 0}),
        ((_rand((5, 3), 2), _idx((2, 3), 5, 2, -5)), {"axis": 0, "batch_dims": 0}),
        ((_rand((3, 9), 3), _idx((4,), 9, 3)), {"axis": -1, "batch_dims": 0}),
        ((_rand((2, 5, 6), 4), _idx((2, 3), 5, 4)), {"axis": 1, "batch_dims": 1}),
        ((_rand((2, 3, 4, 1, 2, 5), 5), _idx((2, 3, 2), 4, 5)), {"axis": 2, "batch_dims": 2}),
        ((_rand((10, 33), 6), _idx((6,), 10, 6)), {"axis": 0, "batch_dims": 0}),
        ((np.arange(12, dtype=np.int32).reshape(4, 3), _idx((3,), 4, 7)),
         {"axis": 0, "batch_dims": 0}),
    ]


register("gather", _gather_forward, grad=_gather_grad, reference=_gather_ref,
         shaders=("gather",), cases=_gather_cases, tolerance=(0, 0),
         doc="pick slices along an axis by index")


def _gather_grad_forward(dy: Tensor, indices: Tensor, axis: int, batch_dims: int,
                         dim_size: int) -> Tensor:
    k = indices.rank - batch_dims
    shape = dy.shape[:axis] + (dim_size,) + dy.shape[axis + k:]
    B, O, A, N, I = _gather_dims(shape, indices.shape, axis, batch_dims)
    size = math.prod(shape)
    if size == 0 or dy.size == 0:
        return _fill(shape, dy.dtype)
    unis = {"u_size": size, "u_n": N, "u_i": I, "u_o": O, "u_a": A}
    vec = int(N % 4 == 0)
    host = indices.storage.host
    if host is None and I > 64:
        host = indices.numpy().astype(np.float32)  # one readback beats an O(I) scan
    if host is None:
        return draw("gather_grad", [("D", dy), ("I", indices)], shape, dy.dtype, unis,
                    (("CSR", 0), ("VEC", vec)))
    v = np.asarray(host, np.float64).reshape(B, I).astype(np.int64)
    v = np.clip(np.where(v < 0, v + A, v), 0, A - 1)
    perm = np.argsort(v, axis=1, kind="stable")
    counts = np.bincount((v + np.arange(B)[:, None] * A).ravel(), minlength=B * A)
    seg = np.zeros((B, A + 1), np.float32)
    seg[:, 1:] = np.cumsum(counts.reshape(B, A), axis=1)
    seg_t = from_host(seg, seg.shape, "int32")
    perm_t = from_host(perm.astype(np.float32), perm.shape, "int32")
    out = draw("gather_grad", [("D", dy), ("SEG", seg_t), ("PERM", perm_t)], shape, dy.dtype,
               unis, (("CSR", 1), ("VEC", vec)))
    seg_t.dispose()
    perm_t.dispose()
    return out


def _gather_grad_ref(dy, indices, axis, batch_dims, dim_size):
    indices = np.asarray(indices).astype(np.int64)
    k = indices.ndim - batch_dims
    shape = dy.shape[:axis] + (dim_size,) + dy.shape[axis + k:]
    B, O, A, N, I = _gather_dims(shape, indices.shape, axis, batch_dims)
    out = np.zeros((B, O, A, N), np.float64)
    d = dy.reshape(B, O, I, N)
    ib = np.where(indices < 0, indices + A, indices).reshape(B, I)
    for b in range(B):
        for i in range(I):
            out[b, :, ib[b, i], :] += d[b, :, i, :]
    return out.reshape(shape)


def _gather_grad_cases():
    return [
        ((_rand((5,), 1), _idx((5,), 3, 1)), {"axis": 0, "batch_dims": 0, "dim_size": 4}),
        ((_rand((2, 3, 3), 2), _idx((2, 3), 5, 2, -5)),
         {"axis": 0, "batch_dims": 0, "dim_size": 5}),
        ((_rand((3, 70), 3), _idx((70,), 9, 3)), {"axis": 1, "batch_dims": 0, "dim_size": 9}),
        ((_rand((2, 5, 3, 6), 4), _idx((2, 3), 5, 4)),
         {"axis": 2, "batch_dims": 1, "dim_size": 5}),
        ((_rand((2, 3, 2, 1, 2, 5), 5), _idx((2, 3, 2), 4, 5)),
         {"axis": 2, "batch_dims": 2, "dim_size": 4}),
        ((_rand((6, 33), 6), _idx((6,), 4, 6)), {"axis": 0, "batch_dims": 0, "dim_size": 4}),
    ]


register("gather_grad", _gather_grad_forward,
         grad=lambda dy, i, y, a: [apply("gather", [dy, i[1]], axis=a["axis"],
                                         batch_dims=a["batch_dims"]), None],
         reference=_gather_grad_ref, shaders=("gather_grad",), cases=_gather_grad_cases,
         tolerance=(1e-5, 1e-5), doc="sum slices into their indices (gather's gradient)")


def _index_tensor(op: str, indices) -> Tensor:
    if getattr(indices, "_is_tensor", False):
        t = indices._check()
        if t.dtype != "int32":
            raise ValueError(f"{op}: indices must be int32, got a {t.dtype} tensor "
                             f"of shape {list(t.shape)}")
        return t
    arr = np.asarray(indices)
    if arr.size and arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(np.trunc(arr) == arr):
            arr = arr.astype(np.int64)
        else:
            raise ValueError(f"{op}: indices must be integers, got {arr.dtype} values")
    return convert(arr.astype(np.int64) if arr.size else arr.astype(np.int32), dtype="int32",
                   op=op)


@tensor_method()
def gather(x, indices, axis: int = 0, batch_dims: int = 0) -> Tensor:
    """Slices of ``x`` along ``axis`` picked by integer ``indices`` (numpy's ``take``).

    The result has shape ``x.shape[:axis] + indices.shape[batch_dims:] +
    x.shape[axis + 1:]``; the first ``batch_dims`` dims of ``x`` and ``indices`` are
    matched pairwise. Negative indices count from the end. Indices known on the host
    (lists, numpy arrays, uploaded or downloaded tensors) must lie in
    ``[-x.shape[axis], x.shape[axis])``, else ``ValueError``; indices that exist only on
    the GPU are clamped into range instead (a shader cannot raise).

    Example:
        >>> import webtensor as wt
        >>> wt.gather(wt.tensor([[1, 2], [3, 4], [5, 6]]), [2, 0]).numpy().tolist()
        [[5.0, 6.0], [1.0, 2.0]]
    """
    x = convert(x, op="gather")
    idx = _index_tensor("gather", indices)
    if x.rank == 0:
        raise ValueError("gather: cannot gather from a rank-0 tensor")
    a = _axis("gather", axis, x.rank, x.shape)
    bd = _int("gather", "batch_dims", batch_dims)
    if bd < 0:
        bd += idx.rank
    if not 0 <= bd <= min(a, idx.rank):
        raise ValueError(
            f"gather: batch_dims {batch_dims} must lie in [0, min(axis {a}, indices rank "
            f"{idx.rank})] (x shape {list(x.shape)}, indices shape {list(idx.shape)})"
        )
    if x.shape[:bd] != idx.shape[:bd]:
        raise ValueError(
            f"gather: the first {bd} dims of x {list(x.shape)} and indices "
            f"{list(idx.shape)} must match"
        )
    n = x.shape[a]
    host = idx.storage.host
    if host is not None and idx.size:
        bad = host[(host < -n) | (host >= n)]
        if bad.size:
            raise ValueError(
                f"gather: index {int(bad[0])} is out of range for axis {a} of shape "
                f"{list(x.shape)} (size {n})"
            )
    if n == 0 and idx.size:
        raise ValueError(f"gather: axis {a} of shape {list(x.shape)} is empty")
    return apply("gather", [x, idx], axis=a, batch_dims=bd)


# -- one_hot ----------------------------------------------------------------------------------
def _one_hot_forward(indices: Tensor, depth: int, on_value: float, off_value: float,
                     dtype: str) -> Tensor:
    shape = indices.shape + (depth,)
    unis = {"u_size": math.prod(shape), "u_depth": depth, "u_on": on_value,
            "u_off": off_value}
    return draw("one_hot", [("I", indices)], shape, dtype, unis)


def _one_hot_ref(indices, depth, on_value, off_value, dtype):
    hit = indices[..., None] == np.arange(depth)
    return np.where(hit, on_value, off_value).astype(dtypes.NUMPY[dtype])


def _one_hot_cases():
    return [
        ((_idx((5,), 4, 1),), {"depth": 4, "on_value": 1.0, "off_value": 0.0,
                               "dtype": "int32"}),
        ((_idx((3, 7), 6, 2, -1),), {"depth": 5, "on_value": 2.5, "off_value": -1.0,
                                     "dtype": "float32"}),
        ((_idx((2, 1, 3, 1, 2), 3, 3),), {"depth": 3, "on_value": 1.0, "off_value": 0.0,
                                          "dtype": "float32"}),
        ((_idx((9,), 33, 4),), {"depth": 33, "on_value": 1.0, "off_value": 0.0,
                                "dtype": "bool"}),
    ]


register("one_hot", _one_hot_forward, grad=lambda dy, i, y, a: [None],
         reference=_one_hot_ref, shaders=("one_hot",), cases=_one_hot_cases,
         tolerance=(0, 0), doc="one-hot rows from integer indices")


@tensor_method()
def one_hot(indices, depth: int, on_value: float = 1, off_value: float = 0,
            dtype="int32") -> Tensor:
    """One-hot vectors: ``on_value`` at each index along a new last axis of size ``depth``.

    Indices outside ``[0, depth)`` give a row of ``off_value`` (as TF.js).

    Example:
        >>> import webtensor as wt
        >>> wt.one_hot([0, 2], 3).numpy().tolist()
        [[1, 0, 0], [0, 0, 1]]
    """
    idx = _index_tensor("one_hot", indices)
    d = _int("one_hot", "depth", depth)
    if d < 0:
        raise ValueError(f"one_hot: depth must be >= 0, got {d}")
    dt = dtypes.normalize(dtype)
    on = float(dtypes.to_host(on_value, dt, "one_hot"))
    off = float(dtypes.to_host(off_value, dt, "one_hot"))
    return apply("one_hot", [idx], depth=d, on_value=on, off_value=off, dtype=dt)


slice = slice_  # noqa: A001 - TF.js's name; the builtin is ``_pyslice`` here

__all__ = [
    "reshape", "expand_dims", "squeeze", "transpose", "concat", "stack", "unstack", "split",
    "slice", "strided_slice", "gather", "tile", "pad", "reverse", "broadcast_to", "one_hot",
]
