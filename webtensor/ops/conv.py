"""Convolutions: conv1d, conv2d, depthwise_conv2d, conv2d_transpose (NHWC, as TF.js).

Six kernels make a set closed under differentiation, so gradients of any order work:
``conv2d(x, f)``, its input gradient ``conv2d_backprop_input(dy, f)`` (which is also
``conv2d_transpose``) and its filter gradient ``conv2d_backprop_filter(x, dy)``; each is
linear in both inputs and the gradients of each are the other two (likewise for the
depthwise trio). Every kernel carries the geometry of the forward convolution it belongs
to: strides, dilations and pads ``(top, bottom, left, right)``. conv1d is a conv2d of
height 1.

Programs (``glsl/``): with CO % 4 == 0 conv2d runs ``conv2d_filter_pack`` (filter
re-laid so one (tap, 4 in-channel) step is 4 adjacent texels), ``conv2d_tiled`` (8
neighbouring pixels x 4 out-channels per fragment, one render target per pixel; with
column stride 1 a window of input texels serves every kw) and ``conv2d_merge`` (targets
into NHWC). The stride-1 input gradient is the same conv2d of dy with the rotated,
transposed filter; the filter gradient with C, CO % 4 == 0 sums 4 x 4 outer products
over slices of rows (``conv2d_backprop_filter_tiled`` + ``_merge``). Other shapes use
one element (or 4 channels) per fragment: ``conv2d``, ``conv2d_backprop_input``,
``conv2d_backprop_filter`` + ``conv_sum_slices``, and the three ``depthwise_*`` kernels.

Measured on llvmpipe (2 cores, shared), bench shape x [8, 64, 64, 16], f [3, 3, 16, 32],
stride 1, 'same', result read back: 21-24 ms on a quiet machine (numpy im2col 2.9 ms in
the same minute; TF.js WebGL 83 ms); kernel CPU time: conv2d_tiled 32 ms (two threads,
16 ms wall), merge 3.5 ms wall, readback 2.8 ms. Spelling out the kw and pixel loops
with macros halved conv2d_tiled: Mesa did not unroll the nested loops, so the window
and accumulator arrays were indexed dynamically (memory, not registers).
"""

from __future__ import annotations

import math

import numpy as np

from ..registry import register
from ..tensor import Tensor, apply, convert, draw, tensor_method
from .movement import reshape

Pair = tuple[int, int]
Pads = tuple[int, int, int, int]


# -- geometry --------------------------------------------------------------------
def _pair(value, what: str, op: str) -> Pair:
    """An int or a pair of positive ints as a pair."""
    if isinstance(value, (int, np.integer)):
        pair = (int(value), int(value))
    else:
        try:
            pair = tuple(int(v) for v in value)
        except TypeError:
            raise ValueError(f"{op}: {what} must be an int or a pair of ints, got {value!r}") \
                from None
        if len(pair) == 1:
            pair = (pair[0], pair[0])
    if len(pair) != 2 or min(pair) < 1:
        raise ValueError(f"{op}: {what} must be a positive int or a pair of them, got {value!r}")
    return pair


def _same_pads(size: int, k: int, stride: int, dil: int) -> tuple[int, int]:
    """TF's 'same' rule: output ceil(size / stride), the extra pad goes after."""
    eff = (k - 1) * dil + 1
    total = max((-(-size // stride) - 1) * stride + eff - size, 0)
    return total // 2, total - total // 2


def _resolve_pads(op: str, padding, in_hw: Pair, k_hw: Pair, strides: Pair,
                  dilations: Pair) -> Pads:
    """Pads (top, bottom, left, right) for 'same' | 'valid' | int | explicit NHWC pairs."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return (0, 0, 0, 0)
        if mode == "same":
            return (*_same_pads(in_hw[0], k_hw[0], strides[0], dilations[0]),
                    *_same_pads(in_hw[1], k_hw[1], strides[1], dilations[1]))
        raise ValueError(f"{op}: padding must be 'same', 'valid', a number or explicit "
                         f"[[0, 0], [top, bottom], [left, right], [0, 0]]; got {padding!r}")
    if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
        p = int(padding)
        if p < 0:
            raise ValueError(f"{op}: padding must not be negative, got {p}")
        return (p, p, p, p)
    try:
        rows = [tuple(int(v) for v in r) for r in padding]
    except TypeError:
        rows = []
    if len(rows) != 4 or any(len(r) != 2 for r in rows) or rows[0] != (0, 0) \
            or rows[3] != (0, 0) or min(min(r) for r in rows) < 0:
        raise ValueError(f"{op}: padding must be 'same', 'valid', a number or explicit "
                         f"[[0, 0], [top, bottom], [left, right], [0, 0]] with pads >= 0; "
                         f"got {padding!r}")
    return (*rows[1], *rows[2])


def _out_dim(size: int, k: int, stride: int, dil: int, before: int, after: int) -> int:
    return (size + before + after - (k - 1) * dil - 1) // stride + 1


def _out_hw(in_hw, k_hw, strides: Pair, dilations: Pair, pads: Pads) -> Pair:
    return (_out_dim(in_hw[0], k_hw[0], strides[0], dilations[0], pads[0], pads[1]),
            _out_dim(in_hw[1], k_hw[1], strides[1], dilations[1], pads[2], pads[3]))


def _check_strides_dilations(op: str, strides: Pair, dilations: Pair) -> None:
    if strides != (1, 1) and dilations != (1, 1):
        raise ValueError(f"{op}: either strides or dilations must be 1; got strides "
                         f"{list(strides)} and dilations {list(dilations)}")


def _uniforms(x_shape, y_shape, k_hw, strides, dilations, pads, total) -> dict:
    return {
        "u_x": tuple(x_shape), "u_y": tuple(y_shape), "u_k": tuple(k_hw),
        "u_stride": tuple(strides), "u_dil": tuple(dilations), "u_pad": (pads[0], pads[2]),
        "u_c4": x_shape[3] // 4, "u_co4": y_shape[3] // 4, "u_total": total,
    }


def _filter_slices(rows: int, fsize: int) -> int:
    """How many partial sums a filter gradient splits its B * OH rows into."""
    want = max(1, 16384 // max(fsize, 1))  # aim at >= 16k output elements of work
    return max(1, min(rows // 4 if rows >= 8 else 1, want))


def _partials_shape(filter_shape: tuple, slices: int) -> tuple:
    return tuple(filter_shape) if slices == 1 else (slices, *filter_shape)


def _sum_slices(partials: Tensor, shape: tuple, slices: int) -> Tensor:
    size = math.prod(shape)
    if slices == 1:
        return partials
    out = draw("conv_sum_slices", [("P", partials)], shape, "float32",
               {"u_size": size, "u_slices": slices}, (("VEC", int(size % 4 == 0)),))
    partials.dispose()
    return out


# -- numpy references (float64) ----------------------------------------------------
def _windows(xp: np.ndarray, kh: int, kw: int, oh: int, ow: int, strides, dilations):
    """The [B, OH, OW, C] slice of padded ``xp`` that tap (kh, kw) reads."""
    h0, w0 = kh * dilations[0], kw * dilations[1]
    return xp[:, h0:h0 + (oh - 1) * strides[0] + 1:strides[0],
              w0:w0 + (ow - 1) * strides[1] + 1:strides[1], :]


def _pad_np(x: np.ndarray, pads: Pads) -> np.ndarray:
    return np.pad(x, ((0, 0), (pads[0], pads[1]), (pads[2], pads[3]), (0, 0)))


def ref_conv2d(x, f, strides=(1, 1), dilations=(1, 1), pads=(0, 0, 0, 0)) -> np.ndarray:
    """numpy conv2d: NHWC ``x``, HWIO ``f``, pads (top, bottom, left, right)."""
    x, f = np.asarray(x, np.float64), np.asarray(f, np.float64)
    oh, ow = _out_hw(x.shape[1:3], f.shape[:2], strides, dilations, pads)
    xp = _pad_np(x, pads)
    out = np.zeros((x.shape[0], oh, ow, f.shape[3]))
    for kh in range(f.shape[0]):
        for kw in range(f.shape[1]):
            out += _windows(xp, kh, kw, oh, ow, strides, dilations) @ f[kh, kw]
    return out


def ref_conv2d_backprop_input(dy, f, x_shape, strides=(1, 1), dilations=(1, 1),
                              pads=(0, 0, 0, 0)) -> np.ndarray:
    """numpy gradient of conv2d w.r.t. its input (scatter of dy through the filter)."""
    dy, f = np.asarray(dy, np.float64), np.asarray(f, np.float64)
    b, h, w, c = x_shape
    xp = np.zeros((b, h + pads[0] + pads[1], w + pads[2] + pads[3], c))
    oh, ow = dy.shape[1:3]
    for kh in range(f.shape[0]):
        for kw in range(f.shape[1]):
            _windows(xp, kh, kw, oh, ow, strides, dilations)[...] += dy @ f[kh, kw].T
    return xp[:, pads[0]:pads[0] + h, pads[2]:pads[2] + w, :]


def ref_conv2d_backprop_filter(x, dy, filter_shape, strides=(1, 1), dilations=(1, 1),
                               pads=(0, 0, 0, 0)) -> np.ndarray:
    """numpy gradient of conv2d w.r.t. its filter."""
    x, dy = np.asarray(x, np.float64), np.asarray(dy, np.float64)
    xp = _pad_np(x, pads)
    oh, ow = dy.shape[1:3]
    out = np.zeros(filter_shape)
    for kh in range(filter_shape[0]):
        for kw in range(filter_shape[1]):
            win = _windows(xp, kh, kw, oh, ow, strides, dilations)
            out[kh, kw] = np.einsum("bhwc,bhwo->co", win, dy)
    return out


def ref_depthwise_conv2d(x, f, strides=(1, 1), dilations=(1, 1),
                         pads=(0, 0, 0, 0)) -> np.ndarray:
    """numpy depthwise conv: ``f`` [KH, KW, C, M], output channel c * M + m."""
    x, f = np.asarray(x, np.float64), np.asarray(f, np.float64)
    oh, ow = _out_hw(x.shape[1:3], f.shape[:2], strides, dilations, pads)
    xp = _pad_np(x, pads)
    c, m = f.shape[2:]
    out = np.zeros((x.shape[0], oh, ow, c, m))
    for kh in range(f.shape[0]):
        for kw in range(f.shape[1]):
            out += _windows(xp, kh, kw, oh, ow, strides, dilations)[..., None] * f[kh, kw]
    return out.reshape(x.shape[0], oh, ow, c * m)


def ref_depthwise_conv2d_backprop_input(dy, f, x_shape, strides=(1, 1), dilations=(1, 1),
                                        pads=(0, 0, 0, 0)) -> np.ndarray:
    """numpy gradient of depthwise_conv2d w.r.t. its input."""
    dy, f = np.asarray(dy, np.float64), np.asarray(f, np.float64)
    b, h, w, c = x_shape
    oh, ow = dy.shape[1:3]
    d5 = dy.reshape(b, oh, ow, c, f.shape[3])
    xp = np.zeros((b, h + pads[0] + pads[1], w + pads[2] + pads[3], c))
    for kh in range(f.shape[0]):
        for kw in range(f.shape[1]):
            _windows(xp, kh, kw, oh, ow, strides, dilations)[...] += (d5 * f[kh, kw]).sum(-1)
    return xp[:, pads[0]:pads[0] + h, pads[2]:pads[2] + w, :]


def ref_depthwise_conv2d_backprop_filter(x, dy, filter_shape, strides=(1, 1),
                                         dilations=(1, 1), pads=(0, 0, 0, 0)) -> np.ndarray:
    """numpy gradient of depthwise_conv2d w.r.t. its filter."""
    x, dy = np.asarray(x, np.float64), np.asarray(dy, np.float64)
    xp = _pad_np(x, pads)
    oh, ow = dy.shape[1:3]
    d5 = dy.reshape(*dy.shape[:3], *filter_shape[2:])
    out = np.zeros(filter_shape)
    for kh in range(filter_shape[0]):
        for kw in range(filter_shape[1]):
            win = _windows(xp, kh, kw, oh, ow, strides, dilations)
            out[kh, kw] = np.einsum("bhwc,bhwcm->cm", win, d5)
    return out


# -- conv2d kernels ------------------------------------------------------------------
def _conv2d_forward(x: Tensor, f: Tensor, strides: Pair, dilations: Pair, pads: Pads) -> Tensor:
    b, _, _, c = x.shape
    co = f.shape[3]
    oh, ow = _out_hw(x.shape[1:3], f.shape[:2], strides, dilations, pads)
    shape = (b, oh, ow, co)
    total = math.prod(shape)
    unis = _uniforms(x.shape, shape, f.shape[:2], strides, dilations, pads, total)
    if co % 4 == 0 and ow >= 4 and b * oh * ow >= 64:
        return _conv2d_tiled(x, f, False, shape, unis, strides, dilations)
    defines = (("VEC_CI", int(c % 4 == 0)), ("VEC_CO", int(co % 4 == 0)))
    return draw("conv2d", [("X", x), ("F", f)], shape, "float32", unis, defines)


_TILE = 8  # pixels per fragment of conv2d_tiled (one per render target)


def _conv2d_tiled(x: Tensor, f: Tensor, transpose: bool, shape: tuple, unis: dict,
                  strides: Pair, dilations: Pair) -> Tensor:
    """conv2d as 8 pixels x 4 channels per fragment (8 render targets), then one merge.

    ``transpose``: ``f`` is the forward filter [KH, KW, shape[3], x.shape[3]] of which ``x``
    is the output gradient; its 180-degree rotation with in/out swapped is used (stride 1).
    """
    b, oh, ow, co = shape
    kh, kw = f.shape[:2]
    tpr = -(-ow // _TILE)
    tiles = b * oh * tpr
    unis.update(u_tiles=tiles, u_tpr=tpr)
    slide = strides[1] == 1 and (dilations[1] == 1 or kw == 1) and kw <= 7
    kw_max = 1 if kw == 1 else 3 if kw <= 3 else 5 if kw <= 5 else 7
    defines = (("KW_MAX", kw_max if slide else 1), ("SLIDE", int(slide)),
               ("VEC_CI", int(x.shape[3] % 4 == 0)))
    packed = draw("conv2d_filter_pack", [("F", f)], f.shape, "float32",
                  {"u_rows": kh * kw * x.shape[3], "u_co4": co // 4, "u_taps": kh * kw,
                   "u_c": f.shape[2], "u_co": f.shape[3]}, (("TRANSPOSE", int(transpose)),))
    parts = draw("conv2d_tiled", [("X", x), ("F", packed)], (tiles, co), "float32", unis,
                 defines, outputs=_TILE)
    packed.dispose()
    out = draw("conv2d_merge", [(f"T{j}", t) for j, t in enumerate(parts)], shape, "float32",
               {"u_tiles": tiles, "u_tpr": tpr, "u_y": shape, "u_co4": co // 4})
    for t in parts:
        t.dispose()
    return out

def _conv2d_backprop_input_forward(dy: Tensor, f: Tensor, x_shape: tuple, strides: Pair,
                                   dilations: Pair, pads: Pads) -> Tensor:
    c, co = x_shape[3], dy.shape[3]
    total = math.prod(x_shape)
    if strides == (1, 1) and c % 4 == 0 and x_shape[2] >= 4 and math.prod(x_shape[:3]) >= 64:
        # stride 1: a conv2d of dy with the rotated, transposed filter ("full" padding)
        kh, kw = f.shape[:2]
        tpads = ((kh - 1) * dilations[0] - pads[0], 0, (kw - 1) * dilations[1] - pads[2], 0)
        unis = _uniforms(dy.shape, x_shape, (kh, kw), strides, dilations, tpads, total)
        return _conv2d_tiled(dy, f, True, tuple(x_shape), unis, strides, dilations)
    defines = (("VEC", int(c % 4 == 0 and co % 4 == 0)), ("VEC_CO", int(co % 4 == 0)))
    return draw("conv2d_backprop_input", [("DY", dy), ("F", f)], tuple(x_shape), "float32",
                _uniforms(x_shape, dy.shape, f.shape[:2], strides, dilations, pads, total),
                defines)


def _conv2d_backprop_filter_forward(x: Tensor, dy: Tensor, filter_shape: tuple, strides: Pair,
                                    dilations: Pair, pads: Pads) -> Tensor:
    fsize = math.prod(filter_shape)
    rows = dy.shape[0] * dy.shape[1]
    if x.shape[3] % 4 == 0 and dy.shape[3] % 4 == 0:
        return _conv2d_backprop_filter_tiled(x, dy, tuple(filter_shape), strides, dilations,
                                             pads)
    slices = _filter_slices(rows, fsize)
    unis = _uniforms(x.shape, dy.shape, filter_shape[:2], strides, dilations, pads,
                     fsize * slices)
    unis.update(u_fsize=fsize, u_slice=-(-rows // slices))
    partials = draw("conv2d_backprop_filter", [("X", x), ("DY", dy)],
                    _partials_shape(filter_shape, slices), "float32", unis,
                    (("VEC_CO", int(filter_shape[3] % 4 == 0)),))
    return _sum_slices(partials, tuple(filter_shape), slices)


def _conv2d_backprop_filter_tiled(x: Tensor, dy: Tensor, filter_shape: tuple, strides: Pair,
                                  dilations: Pair, pads: Pads) -> Tensor:
    """Filter gradient as 4 x 4 channel outer products per fragment over slices of rows."""
    rows = dy.shape[0] * dy.shape[1]
    blocks = filter_shape[0] * filter_shape[1] * filter_shape[2] * filter_shape[3] // 16
    slices = max(1, min(rows, -(-4096 // blocks)))
    per = -(-rows // slices)
    slices = -(-rows // per)
    unis = _uniforms(x.shape, dy.shape, filter_shape[:2], strides, dilations, pads, 0)
    unis.update(u_slice=per, u_slices=slices)
    parts = draw("conv2d_backprop_filter_tiled", [("X", x), ("DY", dy)],
                 (slices * blocks * 4,), "float32", unis, outputs=4)
    out = draw("conv2d_backprop_filter_merge", [(f"T{j}", t) for j, t in enumerate(parts)],
               filter_shape, "float32", unis)
    for t in parts:
        t.dispose()
    return out


def _geometry(a: dict) -> dict:
    return {"strides": a["strides"], "dilations": a["dilations"], "pads": a["pads"]}


def _conv2d_grad(dy, inputs, y, a):
    x, f = inputs
    return [apply("conv2d_backprop_input", [dy, f], x_shape=x.shape, **_geometry(a)),
            apply("conv2d_backprop_filter", [x, dy], filter_shape=f.shape, **_geometry(a))]


def _conv2d_backprop_input_grad(g, inputs, y, a):
    dy, f = inputs
    return [apply("conv2d", [g, f], **_geometry(a)),
            apply("conv2d_backprop_filter", [g, dy], filter_shape=f.shape, **_geometry(a))]


def _conv2d_backprop_filter_grad(g, inputs, y, a):
    x, dy = inputs
    return [apply("conv2d_backprop_input", [dy, g], x_shape=x.shape, **_geometry(a)),
            apply("conv2d", [x, g], **_geometry(a))]


def _rng_cases(specs, kind: str):
    """Registry cases from (x_shape, filter_shape, strides, dilations, pads) specs."""
    rng = np.random.default_rng(7)
    cases = []
    for xs, fs, s, d, p in specs:
        x = rng.uniform(-1, 1, xs).astype(np.float32)
        f = rng.uniform(-1, 1, fs).astype(np.float32)
        geo = {"strides": s, "dilations": d, "pads": p}
        if kind == "forward":
            cases.append(([x, f], geo))
            continue
        depthwise = kind.startswith("depthwise")
        ref = ref_depthwise_conv2d if depthwise else ref_conv2d
        dy = rng.uniform(-1, 1, ref(x, f, **geo).shape).astype(np.float32)
        if kind.endswith("input"):
            cases.append(([dy, f], {"x_shape": xs, **geo}))
        else:
            cases.append(([x, dy], {"filter_shape": fs, **geo}))
    return cases


_CONV_SPECS = [
    ((2, 7, 6, 8), (3, 3, 8, 12), (1, 1), (1, 1), (1, 1, 1, 1)),
    ((1, 9, 8, 3), (3, 2, 3, 5), (2, 2), (1, 1), (1, 1, 0, 1)),
    ((2, 8, 7, 4), (3, 3, 4, 4), (1, 1), (2, 2), (2, 2, 2, 2)),
    ((3, 5, 5, 5), (1, 1, 5, 7), (1, 2), (1, 1), (0, 0, 0, 0)),
    ((1, 4, 3, 6), (5, 5, 6, 8), (1, 1), (1, 1), (2, 2, 2, 2)),
    ((2, 6, 5, 8), (2, 3, 8, 6), (2, 1), (1, 1), (0, 1, 1, 1)),
    ((2, 6, 5, 3), (3, 3, 3, 8), (1, 1), (1, 2), (1, 1, 2, 2)),
    ((2, 9, 11, 3), (3, 5, 3, 8), (1, 1), (1, 1), (1, 1, 2, 2)),
    ((1, 10, 12, 8), (1, 1, 8, 4), (1, 1), (1, 1), (0, 0, 0, 0)),
    ((1, 8, 9, 4), (2, 7, 4, 8), (1, 1), (1, 1), (0, 1, 3, 3)),
    ((2, 12, 17, 4), (3, 3, 4, 8), (2, 2), (1, 1), (0, 1, 0, 1)),
    ((1, 9, 10, 5), (3, 2, 5, 4), (1, 1), (2, 2), (2, 2, 1, 1)),
]
_DW_SPECS = [
    ((2, 7, 6, 8), (3, 3, 8, 1), (1, 1), (1, 1), (1, 1, 1, 1)),
    ((1, 9, 8, 3), (3, 2, 3, 2), (2, 2), (1, 1), (1, 1, 0, 1)),
    ((2, 8, 7, 4), (3, 3, 4, 3), (1, 1), (2, 2), (2, 2, 2, 2)),
    ((3, 5, 5, 5), (1, 1, 5, 1), (1, 2), (1, 1), (0, 0, 0, 0)),
    ((1, 4, 3, 2), (5, 5, 2, 2), (1, 1), (1, 1), (2, 2, 2, 2)),
]

register("conv2d", _conv2d_forward, grad=_conv2d_grad, reference=ref_conv2d,
         shaders=("conv2d", "conv2d_filter_pack", "conv2d_tiled", "conv2d_merge"),
         cases=lambda: _rng_cases(_CONV_SPECS, "forward"),
         tolerance=(1e-4, 1e-4), doc="2-D convolution, NHWC input, HWIO filter")
register("conv2d_backprop_input", _conv2d_backprop_input_forward,
         grad=_conv2d_backprop_input_grad, reference=ref_conv2d_backprop_input,
         shaders=("conv2d_backprop_input", "conv2d_filter_pack", "conv2d_tiled",
                  "conv2d_merge"),
         cases=lambda: _rng_cases(_CONV_SPECS, "conv2d_input"), tolerance=(1e-4, 1e-4),
         doc="gradient of conv2d w.r.t. its input; conv2d_transpose")
register("conv2d_backprop_filter", _conv2d_backprop_filter_forward,
         grad=_conv2d_backprop_filter_grad, reference=ref_conv2d_backprop_filter,
         shaders=("conv2d_backprop_filter", "conv_sum_slices", "conv2d_backprop_filter_tiled",
                  "conv2d_backprop_filter_merge"),
         cases=lambda: _rng_cases(_CONV_SPECS, "conv2d_filter"), tolerance=(1e-4, 1e-4),
         doc="gradient of conv2d w.r.t. its filter")


# -- depthwise kernels -----------------------------------------------------------------
def _depthwise_forward(x: Tensor, f: Tensor, strides: Pair, dilations: Pair,
                       pads: Pads) -> Tensor:
    b, _, _, c = x.shape
    m = f.shape[3]
    co = c * m
    oh, ow = _out_hw(x.shape[1:3], f.shape[:2], strides, dilations, pads)
    shape = (b, oh, ow, co)
    unis = _uniforms(x.shape, shape, f.shape[:2], strides, dilations, pads, math.prod(shape))
    unis["u_m"] = m
    defines = (("M1", int(m == 1 and c % 4 == 0)), ("VEC_CO", int(co % 4 == 0)))
    return draw("depthwise_conv2d", [("X", x), ("F", f)], shape, "float32", unis, defines)


def _depthwise_backprop_input_forward(dy: Tensor, f: Tensor, x_shape: tuple, strides: Pair,
                                      dilations: Pair, pads: Pads) -> Tensor:
    m = f.shape[3]
    unis = _uniforms(x_shape, dy.shape, f.shape[:2], strides, dilations, pads,
                     math.prod(x_shape))
    unis["u_m"] = m
    defines = (("VEC", int(m == 1 and x_shape[3] % 4 == 0)),)
    return draw("depthwise_conv2d_backprop_input", [("DY", dy), ("F", f)], tuple(x_shape),
                "float32", unis, defines)


def _depthwise_backprop_filter_forward(x: Tensor, dy: Tensor, filter_shape: tuple,
                                       strides: Pair, dilations: Pair, pads: Pads) -> Tensor:
    fsize = math.prod(filter_shape)
    rows = dy.shape[0] * dy.shape[1]
    slices = _filter_slices(rows, fsize)
    m = filter_shape[3]
    unis = _uniforms(x.shape, dy.shape, filter_shape[:2], strides, dilations, pads,
                     fsize * slices)
    unis.update(u_m=m, u_fsize=fsize, u_slice=-(-rows // slices))
    defines = (("M1", int(m == 1 and x.shape[3] % 4 == 0)),
               ("VEC_CO", int(dy.shape[3] % 4 == 0)))
    partials = draw("depthwise_conv2d_backprop_filter", [("X", x), ("DY", dy)],
                    _partials_shape(filter_shape, slices), "float32", unis, defines)
    return _sum_slices(partials, tuple(filter_shape), slices)


def _depthwise_grad(dy, inputs, y, a):
    x, f = inputs
    return [apply("depthwise_conv2d_backprop_input", [dy, f], x_shape=x.shape, **_geometry(a)),
            apply("depthwise_conv2d_backprop_filter", [x, dy], filter_shape=f.shape,
                  **_geometry(a))]


def _depthwise_backprop_input_grad(g, inputs, y, a):
    dy, f = inputs
    return [apply("depthwise_conv2d", [g, f], **_geometry(a)),
            apply("depthwise_conv2d_backprop_filter", [g, dy], filter_shape=f.shape,
                  **_geometry(a))]


def _depthwise_backprop_filter_grad(g, inputs, y, a):
    x, dy = inputs
    return [apply("depthwise_conv2d_backprop_input", [dy, g], x_shape=x.shape, **_geometry(a)),
            apply("depthwise_conv2d", [x, g], **_geometry(a))]


register("depthwise_conv2d", _depthwise_forward, grad=_depthwise_grad,
         reference=ref_depthwise_conv2d, shaders=("depthwise_conv2d",),
         cases=lambda: _rng_cases(_DW_SPECS, "forward"), tolerance=(1e-4, 1e-4),
         doc="depthwise 2-D convolution, filter [KH, KW, C, M]")
register("depthwise_conv2d_backprop_input", _depthwise_backprop_input_forward,
         grad=_depthwise_backprop_input_grad, reference=ref_depthwise_conv2d_backprop_input,
         shaders=("depthwise_conv2d_backprop_input",),
         cases=lambda: _rng_cases(_DW_SPECS, "depthwise_input"), tolerance=(1e-4, 1e-4),
         doc="gradient of depthwise_conv2d w.r.t. its input")
register("depthwise_conv2d_backprop_filter", _depthwise_backprop_filter_forward,
         grad=_depthwise_backprop_filter_grad, reference=ref_depthwise_conv2d_backprop_filter,
         shaders=("depthwise_conv2d_backprop_filter", "conv_sum_slices"),
         cases=lambda: _rng_cases(_DW_SPECS, "depthwise_filter"), tolerance=(1e-4, 1e-4),
         doc="gradient of depthwise_conv2d w.r.t. its filter")


# -- public ops --------------------------------------------------------------------------
def _batched(op: str, x: Tensor, name: str = "x") -> tuple[Tensor, bool]:
    """``x`` as rank 4 (a rank-3 image gets a batch of 1) and whether it was rank 3."""
    if x.rank == 3:
        return reshape(x, (1, *x.shape)), True
    if x.rank != 4:
        raise ValueError(f"{op}: {name} must be rank 4 (or 3), got rank {x.rank} "
                         f"with shape {list(x.shape)}")
    return x, False


def _check_filter(op: str, f: Tensor, x: Tensor, channel_axis: int) -> None:
    if f.rank != 4:
        raise ValueError(f"{op}: filter must be rank 4, got rank {f.rank} with shape "
                         f"{list(f.shape)}")
    if f.shape[channel_axis] != x.shape[3]:
        raise ValueError(f"{op}: depth of input ({x.shape[3]}, shape {list(x.shape)}) must "
                         f"match the input depth of the filter ({f.shape[channel_axis]}, "
                         f"shape {list(f.shape)})")


def _geometry_for(op: str, x: Tensor, f: Tensor, strides, padding, dilations) -> dict:
    strides = _pair(strides, "strides", op)
    dilations = _pair(dilations, "dilations", op)
    _check_strides_dilations(op, strides, dilations)
    pads = _resolve_pads(op, padding, x.shape[1:3], f.shape[:2], strides, dilations)
    oh, ow = _out_hw(x.shape[1:3], f.shape[:2], strides, dilations, pads)
    if oh < 1 or ow < 1:
        raise ValueError(f"{op}: the filter {list(f.shape)} (dilations {list(dilations)}) "
                         f"does not fit the padded input {list(x.shape)}")
    return {"strides": strides, "dilations": dilations, "pads": pads}


def _conv_public(op: str, x, filter, strides, padding, dilations) -> Tensor:  # noqa: A002
    """conv2d / depthwise_conv2d: checks, an unbatched rank-3 ``x`` batched and unbatched."""
    x = convert(x, dtype="float32", op=op)
    f = convert(filter, dtype="float32", op=op)
    x4, unbatched = _batched(op, x)
    _check_filter(op, f, x4, 2)
    y = apply(op, [x4, f], **_geometry_for(op, x4, f, strides, padding, dilations))
    return reshape(y, y.shape[1:]) if unbatched else y


@tensor_method()
def conv2d(x, filter, strides, padding, dilations=1) -> Tensor:  # noqa: A002 - TF.js name
    """2-D convolution of NHWC images with an HWIO filter [conv2d].

    Args:
        x: images [batch, height, width, in_channels] (or one image, rank 3).
        filter: [filter_height, filter_width, in_channels, out_channels].
        strides: an int or (stride_height, stride_width).
        padding: 'same' (output ceil(in / stride), TF's rule), 'valid', an int, or explicit
            [[0, 0], [top, bottom], [left, right], [0, 0]].
        dilations: an int or a pair; strides and dilations cannot both exceed 1.

    Returns:
        [batch, out_height, out_width, out_channels] (rank 3 for a rank-3 ``x``), float32.

    Example:
        >>> import webtensor as wt
        >>> x = wt.ones([1, 3, 3, 1])
        >>> wt.conv2d(x, wt.ones([2, 2, 1, 1]), 1, "same").numpy()[0, :, :, 0].tolist()
        [[4.0, 4.0, 2.0], [4.0, 4.0, 2.0], [2.0, 2.0, 1.0]]
    """
    return _conv_public("conv2d", x, filter, strides, padding, dilations)


def conv1d(x, filter, stride, padding, dilation=1) -> Tensor:  # noqa: A002 - TF.js name
    """1-D convolution of [batch, width, in_channels] with a [width, in, out] filter [conv1d].

    Computed as a conv2d of height 1.

    Args:
        x: [batch, width, in_channels] (or rank 2 [width, in_channels]).
        filter: [filter_width, in_channels, out_channels].
        stride: an int.
        padding: 'same', 'valid' or an int.
        dilation: an int; stride and dilation cannot both exceed 1.

    Returns:
        [batch, out_width, out_channels] (rank 2 for a rank-2 ``x``), float32.

    Example:
        >>> import webtensor as wt
        >>> x = wt.tensor([[[1.0], [2.0], [3.0], [4.0]]])
        >>> wt.conv1d(x, wt.tensor([[[1.0]], [[-1.0]]]), 1, "valid").numpy().ravel().tolist()
        [-1.0, -1.0, -1.0]
    """
    op = "conv1d"
    x = convert(x, dtype="float32", op=op)
    f = convert(filter, dtype="float32", op=op)
    if x.rank not in (2, 3):
        raise ValueError(f"conv1d: x must be rank 3 (or 2), got rank {x.rank} with shape "
                         f"{list(x.shape)}")
    if f.rank != 3:
        raise ValueError(f"conv1d: filter must be rank 3, got rank {f.rank} with shape "
                         f"{list(f.shape)}")
    if f.shape[1] != x.shape[-1]:
        raise ValueError(f"conv1d: depth of input ({x.shape[-1]}, shape {list(x.shape)}) must "
                         f"match the input depth of the filter ({f.shape[1]}, shape "
                         f"{list(f.shape)})")
    unbatched = x.rank == 2
    x3 = reshape(x, (1, *x.shape)) if unbatched else x
    stride = _pair(stride, "stride", op)[1]
    if isinstance(padding, str) or isinstance(padding, (int, np.integer)):
        pad2 = padding if isinstance(padding, str) else \
            [[0, 0], [0, 0], [int(padding), int(padding)], [0, 0]]
    else:
        raise ValueError(f"conv1d: padding must be 'same', 'valid' or a number, got {padding!r}")
    x4 = reshape(x3, (x3.shape[0], 1, x3.shape[1], x3.shape[2]))
    f4 = reshape(f, (1, *f.shape))
    geo = _geometry_for(op, x4, f4, (1, stride), pad2, (1, dilation))
    y = apply("conv2d", [x4, f4], **geo)
    out = (y.shape[2], y.shape[3]) if unbatched else (y.shape[0], y.shape[2], y.shape[3])
    return reshape(y, out)


@tensor_method()
def depthwise_conv2d(x, filter, strides, padding, dilations=1) -> Tensor:  # noqa: A002
    """Depthwise 2-D convolution: each input channel gets its own M filters [depthwiseConv2d].

    Args:
        x: images [batch, height, width, in_channels] (or rank 3).
        filter: [filter_height, filter_width, in_channels, channel_multiplier].
        strides: an int or a pair.
        padding: 'same', 'valid', an int or explicit NHWC pairs (as ``conv2d``).
        dilations: an int or a pair; strides and dilations cannot both exceed 1.

    Returns:
        [batch, out_height, out_width, in_channels * channel_multiplier]; output channel
        ``c * M + m`` is input channel ``c`` through filter ``[:, :, c, m]``.

    Example:
        >>> import webtensor as wt
        >>> x = wt.ones([1, 2, 2, 2])
        >>> f = wt.tensor([1.0, 2.0, 3.0, 4.0]).reshape([1, 1, 2, 2])
        >>> wt.depthwise_conv2d(x, f, 1, "valid").numpy()[0, 0, 0].tolist()
        [1.0, 2.0, 3.0, 4.0]
    """
    return _conv_public("depthwise_conv2d", x, filter, strides, padding, dilations)


def conv2d_transpose(x, filter, output_shape, strides, padding) -> Tensor:  # noqa: A002
    """Transposed 2-D convolution (the gradient of conv2d w.r.t. its input) [conv2dTranspose].

    Args:
        x: [batch, height, width, in_channels] (or rank 3).
        filter: [filter_height, filter_width, out_channels, in_channels].
        output_shape: [batch, out_height, out_width, out_channels] (or rank 3): the input
            shape of the conv2d that maps it back to ``x``'s shape.
        strides: an int or a pair.
        padding: 'same', 'valid', an int or explicit NHWC pairs, as that conv2d's.

    Returns:
        A float32 tensor of ``output_shape``.

    Example:
        >>> import webtensor as wt
        >>> x = wt.ones([1, 2, 2, 1])
        >>> y = wt.conv2d_transpose(x, wt.ones([2, 2, 1, 1]), [1, 4, 4, 1], 2, "same")
        >>> y.shape, y.numpy().sum().item()
        ((1, 4, 4, 1), 16.0)
    """
    op = "conv2d_transpose"
    x = convert(x, dtype="float32", op=op)
    f = convert(filter, dtype="float32", op=op)
    x4, unbatched = _batched(op, x)
    out_shape = tuple(int(d) for d in output_shape)
    if len(out_shape) == 3:
        out_shape = (1, *out_shape)
    if len(out_shape) != 4 or min(out_shape) < 1:
        raise ValueError(f"{op}: output_shape must be rank 4 (or 3) and positive, got "
                         f"{list(output_shape)}")
    _check_filter(op, f, x4, 3)
    if f.shape[2] != out_shape[3] or out_shape[0] != x4.shape[0]:
        raise ValueError(f"{op}: output_shape {list(output_shape)} must have the batch of x "
                         f"{list(x.shape)} and the output depth of the filter "
                         f"{list(f.shape)} ({f.shape[2]})")
    strides = _pair(strides, "strides", op)
    pads = _resolve_pads(op, padding, out_shape[1:3], f.shape[:2], strides, (1, 1))
    back = _out_hw(out_shape[1:3], f.shape[:2], strides, (1, 1), pads)
    if back != x4.shape[1:3]:
        raise ValueError(f"{op}: a conv2d of output_shape {list(output_shape)} with filter "
                         f"{list(f.shape)}, strides {list(strides)} and padding {padding!r} "
                         f"gives {list(back)} spatially, not x's {list(x4.shape[1:3])}")
    y = apply("conv2d_backprop_input", [x4, f], x_shape=out_shape, strides=strides,
              dilations=(1, 1), pads=pads)
    return reshape(y, y.shape[1:]) if unbatched else y


__all__ = ["conv1d", "conv2d", "conv2d_transpose", "depthwise_conv2d"]
