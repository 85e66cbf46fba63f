"""Neural-net ops: softmax, log_softmax, max_pool, avg_pool, batch_norm, dropout.

softmax runs in two passes (per-row max and sum of exponentials, then one
normalise pass); pooling runs one pass, its gradients two (max_pool) or one
(avg_pool). Each gradient kernel's own gradient is written with kernels of this
file, so higher-order gradients work.
"""

from __future__ import annotations

import math

import numpy as np

from ..registry import register
from ..tensor import Tensor, apply, convert, draw, tensor_method
from ._elementwise_kernel import run_elementwise
from .elementwise import add, cast, exp, mul, rsqrt, sub, sum_to_shape, zeros_like_op
from .movement import reshape


def _float(x, op: str) -> Tensor:
    x = convert(x, op=op)
    return x if x.dtype == "float32" else cast(x, "float32")


def _norm_axis(op: str, axis: int, shape: tuple) -> int:
    rank = len(shape)
    if not isinstance(axis, (int, np.integer)) or not -rank <= axis < rank:
        raise ValueError(f"{op}: axis {axis} is out of range for shape {list(shape)}")
    return int(axis) % rank


def _row_geometry(shape: tuple, axis: int) -> tuple[int, int, int]:
    """(rows, n, inner): rows of n elements along ``axis``, inner apart."""
    n = shape[axis]
    inner = math.prod(shape[axis + 1:])
    rows = math.prod(shape) // n if n else 0
    return rows, n, inner


# -- softmax ---------------------------------------------------------------------
# For inputs of at least _PAD_FROM elements the stats texture is at least _MIN_STATS
# elements (4097 texels: 128 texels wide), so that its fragments span two 64x64 raster
# tiles and a tiled rasteriser (llvmpipe) runs the per-row pass on two threads (measured:
# softmax [512, 1000] 2.27 -> 1.82 ms); the padding fragments return at once.
_MIN_STATS = 4 * 4097
_PAD_FROM = 1 << 16


def _softmax_forward(x: Tensor, axis: int, log: bool = False) -> Tensor:
    rows, n, inner = _row_geometry(x.shape, axis)
    if x.size == 0:
        return zeros_like_op(x)
    strided = int(inner != 1)
    unis = {"u_rows": rows, "u_n": n, "u_inv_n": 1.0 / n, "u_inner": inner,
            "u_inv_inner": 1.0 / inner}
    stats_size = max(2 * rows, _MIN_STATS if x.size >= _PAD_FROM else 0)
    stats = draw("softmax_stats", [("X", x)], (stats_size,), "float32", unis,
                 (("LOG", int(log)), ("STRIDED", strided)))
    aligned = int(inner == 1 and n % 4 == 0)
    out = draw("softmax", [("X", x), ("S", stats)], x.shape, "float32", unis,
               (("ALIGNED", aligned), ("MODE", int(log))))
    stats.dispose()
    return out


def _axis_sum(x: Tensor, axis: int) -> Tensor:
    from .reduce import sum as reduce_sum

    return reduce_sum(x, axis, keepdims=True)


def _ref_softmax(x, axis=-1):
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)


def _ref_log_softmax(x, axis=-1):
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        z = x - np.max(x, axis=axis, keepdims=True)
        return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def _softmax_cases():
    rng = np.random.default_rng(0)
    out = []
    for shape, axis in [((3, 5), 1), ((2, 8), -1), ((4, 3, 6), 1), ((7,), 0), ((2, 3, 4), 0)]:
        out.append(([rng.normal(0, 3, shape).astype(np.float32)], {"axis": axis % len(shape)}))
    return out


register("softmax", lambda x, axis: _softmax_forward(x, axis, False),
         grad=lambda dy, i, y, a: [mul(y, sub(dy, _axis_sum(mul(dy, y), a["axis"])))],
         reference=_ref_softmax, shaders=("softmax_stats", "softmax"), cases=_softmax_cases,
         tolerance=(1e-5, 1e-6), doc="exp(x) / sum(exp(x)) along an axis, stable")
register("log_softmax", lambda x, axis: _softmax_forward(x, axis, True),
         grad=lambda dy, i, y, a: [sub(dy, mul(exp(y), _axis_sum(dy, a["axis"])))],
         reference=_ref_log_softmax, shaders=("softmax_stats", "softmax"),
         cases=_softmax_cases, tolerance=(1e-5, 1e-5),
         doc="x - log(sum(exp(x))) along an axis, stable")


@tensor_method()
def softmax(logits, axis: int = -1) -> Tensor:
    """Softmax along ``axis``: ``exp(x - max) / sum(exp(x - max))`` (never overflows).

    A row holding NaN or +Inf gives NaN, as numpy's formula does.

    Example:
        >>> import webtensor as wt
        >>> wt.softmax(wt.tensor([[1.0, 2.0, 3.0]])).numpy().astype(float).round(4).tolist()
        [[0.09, 0.2447, 0.6652]]
    """
    x = _float(logits, "softmax")
    return apply("softmax", [x], axis=_norm_axis("softmax", axis, x.shape))


@tensor_method()
def log_softmax(logits, axis: int = -1) -> Tensor:
    """Log of the softmax along ``axis``: ``x - max - log(sum(exp(x - max)))``.

    Example:
        >>> import webtensor as wt
        >>> wt.log_softmax(wt.tensor([0.0, 0.0])).numpy().astype(float).round(4).tolist()
        [-0.6931, -0.6931]
    """
    x = _float(logits, "log_softmax")
    return apply("log_softmax", [x], axis=_norm_axis("log_softmax", axis, x.shape))


# -- softmax cross-entropy -----------------------------------------------------------
# Up to this many elements the reduced loss is one draw (one fragment walks every row);
# above, one fragment per 4 rows, then a sum.
_XENT_ONE_DRAW = 1 << 14
# Rows up to this long: the gradient recomputes its row's stats per fragment; longer rows
# get a stats pass first.
_XENT_INLINE_STATS = 32
_REDUCTIONS = ("none", "sum", "mean")


def _xent_geometry(logits: Tensor, epsilon: float) -> tuple[int, int, dict, tuple]:
    c = logits.shape[-1]
    rows = logits.size // c
    unis = {"u_c": c, "u_log_eps": math.log(epsilon) if epsilon > 0 else 0.0}
    return rows, c, unis, (("CLIP", int(epsilon > 0)),)


def _xent_scale(reduction: str, rows: int) -> float:
    return 1.0 / rows if reduction == "mean" else 1.0


def _xent_forward(labels: Tensor, logits: Tensor, epsilon: float = 0.0,
                  reduction: str = "mean") -> Tensor:
    rows, c, unis, defs = _xent_geometry(logits, epsilon)
    ins = [("Z", logits), ("Y", labels)]
    unis = {**unis, "u_rows": rows, "u_scale": _xent_scale(reduction, rows)}
    if reduction != "none" and logits.size <= _XENT_ONE_DRAW:
        return draw("softmax_cross_entropy", ins, (), "float32", unis, defs + (("MODE", 1),))
    per_row = draw("softmax_cross_entropy", ins, logits.shape[:-1], "float32", unis,
                   defs + (("MODE", 0),))
    if reduction == "none":
        return per_row
    from ..registry import get

    total = get("sum").forward(per_row, axis=None)
    per_row.dispose()
    if reduction == "sum":
        return total
    out = run_elementwise("mul", [total, 1.0 / rows], "float32")
    total.dispose()
    return out


def _xent_grad_forward(dy: Tensor, labels: Tensor, logits: Tensor, epsilon: float = 0.0,
                       reduction: str = "mean") -> Tensor:
    rows, c, unis, defs = _xent_geometry(logits, epsilon)
    ins = [("DY", dy), ("Z", logits), ("Y", labels)]
    unis = {**unis, "u_size": logits.size, "u_scale": _xent_scale(reduction, rows)}
    defs = defs + (("DY_ONE", int(reduction != "none")),)
    stats = []
    if c > _XENT_INLINE_STATS:
        stats = draw("softmax_cross_entropy", [("Z", logits), ("Y", labels)], (rows,),
                     "float32", {**unis, "u_rows": rows}, defs[:1] + (("MODE", 2),),
                     outputs=2)
        ins += [("L", stats[0]), ("M", stats[1])]
    out = draw("softmax_cross_entropy_grad", ins, logits.shape, "float32", unis,
               defs + (("STATS", int(bool(stats))),))
    for t in stats:
        t.dispose()
    return out


def _xent_dy_scale(dy: Tensor, shape: tuple, reduction: str) -> Tensor:
    """The loss gradient as a factor broadcasting against [..., classes]."""
    if reduction == "none":
        return reshape(dy, shape[:-1] + (1,))
    rows = math.prod(shape[:-1])
    return mul(dy, 1.0 / rows) if reduction == "mean" else dy


def _xent_log_probs(logits: Tensor, epsilon: float) -> tuple[Tensor, Tensor | None]:
    """log(clip(softmax, epsilon, 1)) and the clip's mask (None: nothing clipped)."""
    from .elementwise import greater_equal, maximum

    lp = apply("log_softmax", [logits], axis=logits.rank - 1)
    if epsilon <= 0:
        return lp, None
    log_eps = math.log(epsilon)
    return maximum(lp, log_eps), cast(greater_equal(lp, log_eps), "float32")


def _xent_grad(dy, inputs, y, attrs):
    from ..autodiff import input_needed

    labels, logits = inputs
    eps, red = attrs.get("epsilon", 0.0), attrs.get("reduction", "mean")
    d_labels = d_logits = None
    if input_needed(0):
        lp, _ = _xent_log_probs(logits, eps)
        d_labels = mul(_xent_dy_scale(dy, logits.shape, red), lp).neg()
    if input_needed(1):
        d_logits = apply("softmax_cross_entropy_grad", [dy, labels, logits], epsilon=eps,
                         reduction=red)
    return [d_labels, d_logits]


def _xent_grad_grad(ddz, inputs, g, attrs):
    """Gradients of dz = s * (p * ym - y * mask) (see softmax_cross_entropy_grad.glsl)."""
    from ..autodiff import input_needed
    from .reduce import sum as reduce_sum

    dy, labels, logits = inputs
    eps, red = attrs.get("epsilon", 0.0), attrs.get("reduction", "mean")
    last = logits.rank - 1
    s = _xent_dy_scale(dy, logits.shape, red)
    p = apply("softmax", [logits], axis=last)
    _, mask = _xent_log_probs(logits, eps)
    out = [None, None, None]
    if input_needed(0):
        ones = run_elementwise("fill", [], "float32", {"u_value": 1.0},
                               out_shape=logits.shape[:-1])
        big_g = apply("softmax_cross_entropy_grad", [ones, labels, logits], epsilon=eps,
                      reduction="none")
        if red == "none":
            out[0] = reduce_sum(mul(ddz, big_g), last)
        else:
            total = reduce_sum(mul(ddz, big_g))
            out[0] = mul(total, 1.0 / math.prod(logits.shape[:-1])) if red == "mean" else total
    if input_needed(1):
        t = sub(reduce_sum(mul(ddz, p), last, keepdims=True), ddz)
        out[1] = mul(s, t if mask is None else mul(t, mask))
    if input_needed(2):
        ym = reduce_sum(labels if mask is None else mul(labels, mask), last, keepdims=True)
        t = sub(ddz, reduce_sum(mul(p, ddz), last, keepdims=True))
        out[2] = mul(mul(s, ym), mul(p, t))
    return out


def _np_xent_parts(labels, logits, epsilon):
    """(log(clip(p, epsilon, 1)), mask of the unclipped, p) in float64."""
    z = logits - logits.max(axis=-1, keepdims=True)
    lp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    p = np.exp(lp)
    mask = np.ones_like(lp)
    if epsilon > 0:
        mask = (lp >= np.log(epsilon)).astype(lp.dtype)
        lp = np.maximum(lp, np.log(epsilon))
    return lp, mask, p


def _ref_xent(labels, logits, epsilon=0.0, reduction="mean"):
    lp, _, _ = _np_xent_parts(labels, logits, epsilon)
    loss = -(labels * lp).sum(axis=-1)
    if reduction == "none":
        return loss
    return loss.mean() if reduction == "mean" else loss.sum()


def _ref_xent_grad(dy, labels, logits, epsilon=0.0, reduction="mean"):
    _, mask, p = _np_xent_parts(labels, logits, epsilon)
    ym = (labels * mask).sum(axis=-1, keepdims=True)
    rows = int(np.prod(logits.shape[:-1]))
    if reduction == "none":
        s = np.asarray(dy)[..., None]
    else:
        s = np.asarray(dy) / (rows if reduction == "mean" else 1)
    return s * (p * ym - labels * mask)


def _one_hot_rows(rng, rows: int, c: int) -> np.ndarray:
    return np.eye(c, dtype=np.float32)[rng.integers(0, c, rows)]


def _xent_cases():
    rng = np.random.default_rng(21)

    def z(*shape, scale=3.0):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    soft = rng.uniform(0, 1, (5, 7)).astype(np.float32)
    return [
        ((_one_hot_rows(rng, 64, 10), z(64, 10)), {"epsilon": 1e-7}),       # the MLP's loss
        ((_one_hot_rows(rng, 6, 4), z(6, 4, scale=30.0)), {"epsilon": 1e-7}),  # clipped
        ((soft / soft.sum(-1, keepdims=True), z(5, 7)), {"reduction": "sum"}),
        ((soft, z(5, 7)), {"reduction": "none"}),
        ((_one_hot_rows(rng, 6, 3).reshape(2, 3, 3), z(2, 3, 3)), {"reduction": "none"}),
        ((_one_hot_rows(rng, 300, 100), z(300, 100)), {}),                   # sum pass
        ((_one_hot_rows(rng, 3, 1), z(3, 1)), {}),
    ]


def _xent_grad_cases():
    rng = np.random.default_rng(22)
    out = []
    for args, attrs in _xent_cases():
        labels, logits = args
        red = attrs.get("reduction", "mean")
        dy = (rng.uniform(0.5, 1.5, logits.shape[:-1]) if red == "none"
              else np.array(rng.uniform(0.5, 1.5))).astype(np.float32)
        out.append(((dy, labels, logits), attrs))
    return out


register("softmax_cross_entropy", _xent_forward, grad=_xent_grad, reference=_ref_xent,
         shaders=("softmax_cross_entropy", "reduce", "mul"), cases=_xent_cases,
         tolerance=(1e-5, 1e-5), doc="softmax cross-entropy of logits against labels, reduced")
register("softmax_cross_entropy_grad", _xent_grad_forward, grad=_xent_grad_grad,
         reference=_ref_xent_grad,
         shaders=("softmax_cross_entropy_grad", "softmax_cross_entropy"),
         cases=_xent_grad_cases, tolerance=(1e-5, 1e-6),
         doc="gradient of softmax_cross_entropy with respect to the logits")


def softmax_cross_entropy(labels, logits, epsilon: float = 0.0,
                          reduction: str = "mean") -> Tensor:
    """Cross-entropy of ``softmax(logits)`` against ``labels`` along the last axis, fused.

    Per row: ``-sum(labels * log(clip(softmax(logits), epsilon, 1)))`` (``epsilon`` 0:
    no clipping; computed from the max-shifted logits, so it never overflows), then
    ``reduction``: ``"mean"`` over the rows (the default), ``"sum"`` or ``"none"`` (one
    loss per row, shape ``logits.shape[:-1]``). Forward and gradient are one draw each
    for small inputs; the gradient with respect to the logits is
    ``dy * (softmax * sum(labels) - labels)`` where nothing is clipped, i.e.
    ``(softmax - labels) / rows`` for one-hot labels and the mean. ``epsilon=1e-7``
    matches Keras/TF.js ``categoricalCrossentropy`` applied to ``softmax(logits)``.

    Raises:
        ValueError: shapes differ, the input is empty or a scalar, a bad reduction or epsilon.

    Example:
        >>> import webtensor as wt
        >>> labels = wt.tensor([[0.0, 1.0], [1.0, 0.0]])
        >>> logits = wt.tensor([[0.0, 0.0], [2.0, 0.0]])
        >>> round(wt.softmax_cross_entropy(labels, logits).item(), 4)
        0.41
        >>> per_row = wt.softmax_cross_entropy(labels, logits, reduction="none")
        >>> [round(float(v), 4) for v in per_row.numpy()]
        [0.6931, 0.1269]
    """
    labels = _float(labels, "softmax_cross_entropy")
    logits = _float(logits, "softmax_cross_entropy")
    if labels.shape != logits.shape or logits.rank == 0 or logits.size == 0:
        raise ValueError(f"softmax_cross_entropy: labels {list(labels.shape)} and logits "
                         f"{list(logits.shape)} must have one non-empty shape of rank >= 1")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"softmax_cross_entropy: reduction {reduction!r} is not one of "
                         f"{list(_REDUCTIONS)}")
    if not 0.0 <= float(epsilon) < 1.0:
        raise ValueError(f"softmax_cross_entropy: epsilon {epsilon} is not in [0, 1)")
    return apply("softmax_cross_entropy", [labels, logits], epsilon=float(epsilon),
                 reduction=reduction)


# -- pooling ---------------------------------------------------------------------
def _pair(op: str, name: str, v) -> tuple[int, int]:
    if isinstance(v, (int, np.integer)):
        v = (int(v), int(v))
    v = tuple(int(d) for d in v)
    if len(v) != 2 or min(v) < 1:
        raise ValueError(f"{op}: {name} must be a positive int or a pair of them, got {v}")
    return v


def _same_pad(size: int, k: int, s: int) -> tuple[int, int]:
    """(output size, padding before) of TF's 'same' padding."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return out, total // 2


# Windows up to this size are compile-time constants in the pooling shaders (unrolled
# loops: about 1.5x faster on llvmpipe); larger ones loop to uniform bounds.
_UNROLL = 3


def _pool_geometry(op: str, shape: tuple, filter_size, strides, padding) -> dict:
    """Uniforms of _pool.glsl for an NHWC input of ``shape``."""
    n, h, w, c = shape
    (kh, kw), (sh, sw) = filter_size, strides
    if padding == "same":
        (oh, pt), (ow, pl) = _same_pad(h, kh, sh), _same_pad(w, kw, sw)
    else:
        oh, ow, pt, pl = (h - kh) // sh + 1, (w - kw) // sw + 1, 0, 0
        if h < kh or w < kw:
            raise ValueError(f"{op}: a {kh}x{kw} window with 'valid' padding does not fit "
                             f"an input of shape {list(shape)}")
    return {"u_batch": n, "u_h": h, "u_w": w, "u_c": c, "u_oh": oh, "u_ow": ow, "u_kh": kh,
            "u_kw": kw, "u_sh": sh, "u_sw": sw, "u_pt": pt, "u_pl": pl}


def _pool_draw(shader: str, inputs: list, out_shape: tuple, geom: dict, grid: tuple,
               mode: int | None = None) -> Tensor:
    c = geom["u_c"]
    vec = int(c % 4 == 0)
    # an empty input or output (batch, height, width or channels 0) draws nothing
    unis = dict(geom, u_size=math.prod(out_shape), u_inv_c=(4.0 if vec else 1.0) / max(c, 1),
                u_inv_h=1.0 / max(grid[0], 1), u_inv_w=1.0 / max(grid[1], 1))
    defines = [("VEC", vec)]
    if shader in ("max_pool", "avg_pool"):
        kh, kw = geom["u_kh"], geom["u_kw"]
        inside = (geom["u_pt"] == 0 and geom["u_pl"] == 0
                  and (geom["u_oh"] - 1) * geom["u_sh"] + kh <= geom["u_h"]
                  and (geom["u_ow"] - 1) * geom["u_sw"] + kw <= geom["u_w"])
        small = kh <= _UNROLL and kw <= _UNROLL
        defines += [("INSIDE", int(inside)), ("KH", kh if small else 0),
                    ("KW", kw if small else 0)]
    if mode is not None:
        defines.append(("MODE", mode))
    return draw(shader, inputs, out_shape, "float32", unis, tuple(sorted(defines)))


def _pool_out_shape(geom: dict) -> tuple:
    return (geom["u_batch"], geom["u_oh"], geom["u_ow"], geom["u_c"])


def _max_pool_forward(x, filter_size, strides, padding, mode=0, g=None):
    geom = _pool_geometry("max_pool", x.shape, filter_size, strides, padding)
    inputs = [("X", x)] if g is None else [("X", x), ("G", g)]
    return _pool_draw("max_pool", inputs, _pool_out_shape(geom), geom,
                      (geom["u_oh"], geom["u_ow"]), mode)


def _max_pool_grad_forward(dy, x, filter_size, strides, padding):
    geom = _pool_geometry("max_pool", x.shape, filter_size, strides, padding)
    pos = _pool_draw("max_pool", [("X", x)], _pool_out_shape(geom), geom,
                     (geom["u_oh"], geom["u_ow"]), 2)
    out = _pool_draw("max_pool_grad", [("DY", dy), ("P", pos)], x.shape, geom,
                     (geom["u_h"], geom["u_w"]))
    pos.dispose()
    return out


def _avg_pool_forward(x, filter_size, strides, padding):
    geom = _pool_geometry("avg_pool", x.shape, filter_size, strides, padding)
    return _pool_draw("avg_pool", [("X", x)], _pool_out_shape(geom), geom,
                      (geom["u_oh"], geom["u_ow"]))


def _avg_pool_grad_forward(dy, input_shape, filter_size, strides, padding):
    geom = _pool_geometry("avg_pool", input_shape, filter_size, strides, padding)
    return _pool_draw("avg_pool_grad", [("DY", dy)], input_shape, geom,
                      (geom["u_h"], geom["u_w"]))


def _ref_windows(x, filter_size, strides, padding, fill):
    """numpy: [n, oh, ow, kh*kw, c] windows of x (padding filled with ``fill``), valid mask."""
    geom = _pool_geometry("reference", x.shape, filter_size, strides, padding)
    kh, kw, sh, sw = geom["u_kh"], geom["u_kw"], geom["u_sh"], geom["u_sw"]
    oh, ow, pt, pl = geom["u_oh"], geom["u_ow"], geom["u_pt"], geom["u_pl"]
    n, h, w, c = x.shape
    big = np.full((n, h + 2 * kh + sh * oh, w + 2 * kw + sw * ow, c), fill, np.float64)
    big[:, pt:pt + h, pl:pl + w] = x
    ok = np.zeros(big.shape[1:3], bool)
    ok[pt:pt + h, pl:pl + w] = True
    wins, oks = [], []
    for dh in range(kh):
        for dw in range(kw):
            ys, xs = slice(dh, dh + sh * oh, sh), slice(dw, dw + sw * ow, sw)
            wins.append(big[:, ys, xs])
            oks.append(ok[ys, xs])
    return np.stack(wins, 3), np.stack(oks, 2)[None, :, :, :, None]


def _ref_max_pool(x, filter_size, strides, padding):
    wins, _ = _ref_windows(x, filter_size, strides, padding, -np.inf)
    return np.max(wins, axis=3)


def _ref_max_pool_select(g, x, filter_size, strides, padding):
    wins, _ = _ref_windows(x, filter_size, strides, padding, -np.inf)
    gw, _ = _ref_windows(g, filter_size, strides, padding, 0.0)
    first = np.argmax(wins, axis=3)
    return np.take_along_axis(gw, first[:, :, :, None], 3)[:, :, :, 0]


def _ref_avg_pool(x, filter_size, strides, padding):
    wins, ok = _ref_windows(x, filter_size, strides, padding, 0.0)
    return wins.sum(3) / ok.sum(3)


def _pool_cases():
    rng = np.random.default_rng(1)
    out = []
    for shape, k, s, pad in [((1, 5, 6, 4), (2, 2), (2, 2), "valid"),
                             ((2, 7, 5, 3), (3, 3), (2, 1), "same"),
                             ((1, 6, 6, 8), (3, 2), (1, 2), "same"),
                             ((2, 4, 9, 1), (1, 3), (3, 3), "valid")]:
        out.append(([rng.normal(0, 1, shape).astype(np.float32)],
                    {"filter_size": k, "strides": s, "padding": pad}))
    return out


def _select_cases():
    return [([np.random.default_rng(2).normal(size=a[0].shape).astype(np.float32), a[0]], at)
            for a, at in _pool_cases()]


def _avg_grad_cases():
    out = []
    for (x,), at in _pool_cases():
        geom = _pool_geometry("avg_pool", x.shape, at["filter_size"], at["strides"],
                              at["padding"])
        dy = np.random.default_rng(3).normal(size=_pool_out_shape(geom)).astype(np.float32)
        out.append(([dy], dict(at, input_shape=x.shape)))
    return out


def _ref_avg_pool_grad(dy, input_shape, filter_size, strides, padding):
    """The transpose of avg_pool, column by column (small inputs)."""
    size = math.prod(input_shape)
    out = np.zeros(size)
    for i in range(size):
        e = np.zeros(size)
        e[i] = 1.0
        out[i] = np.sum(_ref_avg_pool(e.reshape(input_shape), filter_size, strides,
                                      padding) * dy)
    return out.reshape(input_shape)


def _ref_max_pool_grad(dy, x, filter_size, strides, padding):
    size = x.size
    out = np.zeros(size)
    for i in range(size):
        e = np.zeros(size)
        e[i] = 1.0
        out[i] = np.sum(_ref_max_pool_select(e.reshape(x.shape), x, filter_size, strides,
                                             padding) * dy)
    return out.reshape(x.shape)


def _max_grad_cases():
    out = []
    for (x,), at in _pool_cases():
        geom = _pool_geometry("max_pool", x.shape, at["filter_size"], at["strides"],
                              at["padding"])
        dy = np.random.default_rng(4).normal(size=_pool_out_shape(geom)).astype(np.float32)
        out.append(([dy, x], at))
    return out


def _geo(a: dict) -> dict:
    return {k: a[k] for k in ("filter_size", "strides", "padding")}


register("max_pool", _max_pool_forward,
         grad=lambda dy, i, y, a: [apply("max_pool_grad", [dy, i[0]], **_geo(a))],
         reference=_ref_max_pool, shaders=("max_pool",), cases=_pool_cases,
         tolerance=(0.0, 0.0), doc="max over each window (NHWC)")
register("max_pool_select",
         lambda g, x, **a: _max_pool_forward(x, mode=1, g=g, **a),
         grad=lambda dy, i, y, a: [apply("max_pool_grad", [dy, i[1]], **_geo(a)), None],
         reference=_ref_max_pool_select, shaders=("max_pool",), cases=_select_cases,
         tolerance=(0.0, 0.0), doc="g at the first max of each window of x")
register("max_pool_grad", _max_pool_grad_forward,
         grad=lambda dy, i, y, a: [apply("max_pool_select", [dy, i[1]], **_geo(a)), None],
         reference=_ref_max_pool_grad, shaders=("max_pool", "max_pool_grad"),
         cases=_max_grad_cases, tolerance=(1e-6, 1e-6),
         doc="gradient of max_pool: dy to the first max of each window")
register("avg_pool", _avg_pool_forward,
         grad=lambda dy, i, y, a: [apply("avg_pool_grad", [dy], input_shape=i[0].shape,
                                         **_geo(a))],
         reference=_ref_avg_pool, shaders=("avg_pool",), cases=_pool_cases,
         tolerance=(1e-6, 1e-6), doc="mean over each window's input elements (NHWC)")
register("avg_pool_grad", _avg_pool_grad_forward,
         grad=lambda dy, i, y, a: [apply("avg_pool", [dy], **_geo(a))],
         reference=_ref_avg_pool_grad, shaders=("avg_pool_grad",), cases=_avg_grad_cases,
         tolerance=(1e-6, 1e-6), doc="gradient of avg_pool: dy spread over each window")


def _pool_public(op: str, x, filter_size, strides, padding) -> Tensor:
    x = _float(x, op)
    if x.rank not in (3, 4):
        raise ValueError(f"{op}: input must be rank 3 (HWC) or 4 (NHWC), got shape "
                         f"{list(x.shape)}")
    if not isinstance(padding, str) or padding.lower() not in ("same", "valid"):
        raise ValueError(f"{op}: padding must be 'same' or 'valid', got {padding!r}")
    attrs = {"filter_size": _pair(op, "filter_size", filter_size),
             "strides": _pair(op, "strides", strides), "padding": padding.lower()}
    x4 = x if x.rank == 4 else reshape(x, (1, *x.shape))
    _pool_geometry(op, x4.shape, attrs["filter_size"], attrs["strides"], attrs["padding"])
    y = apply(op, [x4], **attrs)
    return y if x.rank == 4 else reshape(y, y.shape[1:])


@tensor_method()
def max_pool(x, filter_size, strides, padding: str) -> Tensor:
    """2-D max pooling of an NHWC (or HWC) input [maxPool].

    ``padding`` is ``'same'`` (TF's rule: output ``ceil(in / stride)``) or ``'valid'``.
    A window holding NaN gives NaN (numpy semantics).

    Example:
        >>> import webtensor as wt
        >>> x = wt.reshape(wt.range(16), [1, 4, 4, 1])
        >>> wt.max_pool(x, 2, 2, "valid").numpy().reshape(-1).tolist()
        [5.0, 7.0, 13.0, 15.0]
    """
    return _pool_public("max_pool", x, filter_size, strides, padding)


@tensor_method()
def avg_pool(x, filter_size, strides, padding: str) -> Tensor:
    """2-D average pooling of an NHWC (or HWC) input [avgPool].

    With ``'same'`` padding each window averages only its elements inside the input (TF).

    Example:
        >>> import webtensor as wt
        >>> x = wt.reshape(wt.range(16), [1, 4, 4, 1])
        >>> wt.avg_pool(x, 2, 2, "valid").numpy().reshape(-1).tolist()
        [2.5, 4.5, 10.5, 12.5]
    """
    return _pool_public("avg_pool", x, filter_size, strides, padding)


# -- batch_norm, dropout ---------------------------------------------------------
def _bn_grad(dy, inputs, y, attrs):
    x, k, shift = inputs
    return [sum_to_shape(mul(dy, k), x.shape), sum_to_shape(mul(dy, x), k.shape),
            sum_to_shape(dy, shift.shape)]


def _ref_bn(x, k, shift):
    return x * k + shift


def _bn_cases():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3, 4)).astype(np.float32)
    p = [rng.normal(size=(4,)).astype(np.float32) for _ in range(2)]
    q = [rng.normal(size=(3, 1)).astype(np.float32) for _ in range(2)]
    return [([x, *p], {}), ([x, *q], {}), ([x, x * 2, p[0]], {})]


register("batch_norm", lambda x, k, shift: run_elementwise("batch_norm", [x, k, shift],
                                                           "float32"),
         grad=_bn_grad, reference=_ref_bn, shaders=("batch_norm",), cases=_bn_cases,
         tolerance=(1e-5, 1e-6), doc="x * k + shift (the full-size pass of batch_norm)")


@tensor_method()
def batch_norm(x, mean, variance, offset=None, scale=None,
               variance_epsilon: float = 1e-3) -> Tensor:
    """Batch normalisation: ``(x - mean) / sqrt(variance + eps) * scale + offset`` [batchNorm].

    All operands broadcast against ``x``. Computed as ``x * k + (offset - mean * k)`` with
    ``k = scale * rsqrt(variance + eps)`` on the parameters' (small) shapes, then one
    full-size pass; gradients flow to every input.

    Example:
        >>> import webtensor as wt
        >>> x = wt.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> wt.batch_norm(x, wt.tensor([2.0, 3.0]), wt.tensor([1.0, 4.0]),
        ...               variance_epsilon=0.0).numpy().tolist()
        [[-1.0, -0.5], [1.0, 0.5]]
    """
    x = _float(x, "batch_norm")
    parts = {"mean": mean, "variance": variance, "offset": offset, "scale": scale}
    ts = {k: (None if v is None else _float(v, "batch_norm")) for k, v in parts.items()}
    for k, t in ts.items():
        if t is not None:
            try:
                np.broadcast_shapes(x.shape, t.shape)
            except ValueError:
                raise ValueError(f"batch_norm: {k} of shape {list(t.shape)} does not "
                                 f"broadcast to x of shape {list(x.shape)}") from None
    k = rsqrt(add(ts["variance"], float(variance_epsilon)))
    if ts["scale"] is not None:
        k = mul(k, ts["scale"])
    shift = mul(ts["mean"], k)
    shift = sub(ts["offset"], shift) if ts["offset"] is not None else mul(shift, -1.0)
    return apply("batch_norm", [x, k, shift])


@tensor_method()
def dropout(x, rate: float, seed: int | None = None) -> Tensor:
    """Zero each element with probability ``rate``, scale the rest by ``1 / (1 - rate)``.

    The mask comes from ``numpy.random.default_rng(seed)``, so a seed reproduces it.
    ``rate == 0`` returns ``x``. The gradient is ``mask * dy / (1 - rate)``.

    Example:
        >>> import webtensor as wt
        >>> y = wt.dropout(wt.ones([1000]), 0.5, seed=1)
        >>> sorted(set(y.numpy().tolist()))
        [0.0, 2.0]
    """
    x = _float(x, "dropout")
    rate = float(rate)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout: rate must be in [0, 1), got {rate}")
    if rate == 0.0:
        return x
    keep = np.random.default_rng(seed).random(x.shape) >= rate
    mask = convert(keep.astype(np.float32) * np.float32(1.0 / (1.0 - rate)), op="dropout")
    return mul(x, mask)


__all__ = ["softmax", "log_softmax", "max_pool", "avg_pool", "batch_norm", "dropout",
           "softmax_cross_entropy"]
