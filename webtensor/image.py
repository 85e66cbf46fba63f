"""Image ops: ``wt.image.resize_bilinear`` and ``wt.image.resize_nearest_neighbor``.

Both take NHWC (or unbatched HWC) images and compute source coordinates exactly as
TF.js does: with ``align_corners`` the corner pixels of input and output line up
(scale ``(in - 1) / (out - 1)``), with ``half_pixel_centers`` pixel centres do
(``(y + 0.5) * scale - 0.5`` for bilinear, ``(y + 0.5) * scale`` for nearest);
nearest rounds half up with ``align_corners`` and floors otherwise.
"""

from __future__ import annotations

import math

import numpy as np

from .ops.movement import reshape
from .registry import register
from .tensor import Tensor, apply, convert, draw


def _effective(in_size: int, out_size: int, align: bool) -> tuple[int, int]:
    if align and out_size > 1:
        return in_size - 1, out_size - 1
    return in_size, out_size


def _uniforms(in_shape: tuple, size: tuple, align: bool, half: bool, grid: tuple) -> dict:
    _, h, w, c = in_shape
    oh, ow = size
    ey, ex = _effective(h, oh, align), _effective(w, ow, align)
    inv_c = (4.0 if c % 4 == 0 else 1.0) / max(c, 1)  # c == 0: an empty draw
    return {"u_h": h, "u_w": w, "u_c": c, "u_oh": oh, "u_ow": ow, "u_inv_c": inv_c,
            "u_inv_h": 1.0 / grid[0], "u_inv_w": 1.0 / grid[1], "u_ry": ey[0] / ey[1],
            "u_rx": ex[0] / ex[1], "u_half": int(half), "u_align": int(align),
            "u_eff_y": ey, "u_eff_x": ex}


def _resize_forward(shader: str):
    def forward(x, size, align_corners, half_pixel_centers):
        out = (x.shape[0], size[0], size[1], x.shape[3])
        unis = _uniforms(x.shape, size, align_corners, half_pixel_centers, size)
        vec = int(x.shape[3] % 4 == 0)
        unis["u_size"] = math.prod(out) // (4 if vec else 1)
        return draw(shader, [("X", x)], out, "float32", unis, (("VEC", vec),))

    return forward


def _resize_grad_forward(shader: str):
    def forward(dy, input_shape, align_corners, half_pixel_centers):
        size = dy.shape[1:3]
        unis = _uniforms(input_shape, size, align_corners, half_pixel_centers,
                         input_shape[1:3])
        vec = int(input_shape[3] % 4 == 0)
        unis["u_size"] = math.prod(input_shape) // (4 if vec else 1)
        return draw(shader, [("DY", dy)], tuple(input_shape), "float32", unis,
                    (("VEC", vec),))

    return forward


# -- numpy references (float64, TF.js's CPU formulas) -------------------------------
def _ref_bilinear(x, size, align_corners=False, half_pixel_centers=False):
    _, h, w, _ = x.shape

    def axis(n_in, n_out):
        e_in, e_out = _effective(n_in, n_out, align_corners)
        r = e_in / e_out
        o = np.arange(n_out, dtype=np.float64)
        s = (o + 0.5) * r - 0.5 if half_pixel_centers else o * r
        lo = np.maximum(s, 0).astype(int)
        hi = np.minimum(n_in - 1, np.ceil(s)).astype(int)
        return lo, hi, s - lo

    ylo, yhi, fy = axis(h, size[0])
    xlo, xhi, fx = axis(w, size[1])
    fx = fx[None, None, :, None]
    top = x[:, ylo][:, :, xlo] + (x[:, ylo][:, :, xhi] - x[:, ylo][:, :, xlo]) * fx
    bot = x[:, yhi][:, :, xlo] + (x[:, yhi][:, :, xhi] - x[:, yhi][:, :, xlo]) * fx
    return top + (bot - top) * fy[None, :, None, None]


def _ref_nearest(x, size, align_corners=False, half_pixel_centers=False):
    _, h, w, _ = x.shape

    def axis(n_in, n_out):
        e_in, e_out = _effective(n_in, n_out, align_corners)
        r = e_in / e_out
        o = np.arange(n_out, dtype=np.float64)
        s = (o + 0.5) * r if half_pixel_centers else o * r
        idx = np.floor(s + 0.5) if align_corners else np.floor(s)
        return np.minimum(n_in - 1, np.maximum(idx, 0)).astype(int)

    return x[:, axis(h, size[0])][:, :, axis(w, size[1])]


def _transpose_ref(ref):
    """The gradient (transpose) of a linear resize, column by column (small inputs)."""

    def grad(dy, input_shape, align_corners=False, half_pixel_centers=False):
        size = math.prod(input_shape)
        out = np.zeros(size)
        for i in range(size):
            e = np.zeros(size)
            e[i] = 1.0
            out[i] = np.sum(ref(e.reshape(input_shape), dy.shape[1:3], align_corners,
                                half_pixel_centers) * dy)
        return out.reshape(input_shape)

    return grad


_CASES = [((1, 3, 4, 2), (5, 7), False, False), ((2, 4, 4, 3), (3, 2), True, False),
          ((1, 5, 3, 4), (8, 5), False, True), ((1, 2, 6, 1), (5, 4), True, False),
          ((1, 1, 3, 2), (4, 1), True, False)]


def _cases():
    rng = np.random.default_rng(5)
    return [([rng.normal(size=s).astype(np.float32)],
             {"size": z, "align_corners": a, "half_pixel_centers": hp})
            for s, z, a, hp in _CASES]


def _grad_cases():
    rng = np.random.default_rng(6)
    return [([rng.normal(size=(s[0], *z, s[3])).astype(np.float32)],
             {"input_shape": s, "align_corners": a, "half_pixel_centers": hp})
            for s, z, a, hp in _CASES]


def _attrs(a: dict) -> dict:
    return {"align_corners": a["align_corners"], "half_pixel_centers": a["half_pixel_centers"]}


for _name, _ref in (("resize_bilinear", _ref_bilinear),
                    ("resize_nearest_neighbor", _ref_nearest)):
    register(_name, _resize_forward(_name),
             grad=(lambda n: lambda dy, i, y, a: [
                 apply(n + "_grad", [dy], input_shape=i[0].shape, **_attrs(a))])(_name),
             reference=_ref, shaders=(_name,), cases=_cases, tolerance=(1e-5, 1e-6),
             doc=f"{_name.split('_', 1)[1].replace('_', ' ')} resize of NHWC images")
    register(_name + "_grad", _resize_grad_forward(_name + "_grad"),
             grad=(lambda n: lambda dy, i, y, a: [
                 apply(n, [dy], size=i[0].shape[1:3], **_attrs(a))])(_name),
             reference=_transpose_ref(_ref), shaders=(_name + "_grad",), cases=_grad_cases,
             tolerance=(1e-5, 1e-5), doc=f"gradient of {_name}")


def _resize(op: str, images, size, align_corners: bool, half_pixel_centers: bool) -> Tensor:
    x = convert(images, op=op)
    if x.dtype != "float32":
        x = apply("cast", [x], dtype="float32")
    if x.rank not in (3, 4):
        raise ValueError(f"{op}: images must be rank 3 (HWC) or 4 (NHWC), got shape "
                         f"{list(x.shape)}")
    size = tuple(int(d) for d in np.asarray(size).reshape(-1))
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"{op}: size must be [new_height, new_width] > 0, got {list(size)}")
    if align_corners and half_pixel_centers:
        raise ValueError(f"{op}: align_corners and half_pixel_centers cannot both be true")
    x4 = x if x.rank == 4 else reshape(x, (1, *x.shape))
    if x4.shape[1] == 0 or x4.shape[2] == 0:
        raise ValueError(f"{op}: images of shape {list(x.shape)} have no pixels to sample")
    y = apply(op, [x4], size=size, align_corners=bool(align_corners),
              half_pixel_centers=bool(half_pixel_centers))
    return y if x.rank == 4 else reshape(y, y.shape[1:])


def resize_bilinear(images, size, align_corners: bool = False,
                    half_pixel_centers: bool = False) -> Tensor:
    """Resize NHWC (or HWC) images to ``size = [new_height, new_width]`` bilinearly.

    Example:
        >>> import webtensor as wt
        >>> x = wt.tensor([[[0.0], [1.0]]])   # HWC: 1 x 2 x 1
        >>> wt.image.resize_bilinear(x, [1, 4]).numpy().reshape(-1).tolist()
        [0.0, 0.5, 1.0, 1.0]
    """
    return _resize("resize_bilinear", images, size, align_corners, half_pixel_centers)


def resize_nearest_neighbor(images, size, align_corners: bool = False,
                            half_pixel_centers: bool = False) -> Tensor:
    """Resize NHWC (or HWC) images to ``size = [new_height, new_width]``, nearest pixel.

    Example:
        >>> import webtensor as wt
        >>> x = wt.tensor([[[0.0], [1.0]]])   # HWC: 1 x 2 x 1
        >>> wt.image.resize_nearest_neighbor(x, [1, 4]).numpy().reshape(-1).tolist()
        [0.0, 0.0, 1.0, 1.0]
    """
    return _resize("resize_nearest_neighbor", images, size, align_corners,
                   half_pixel_centers)


__all__ = ["resize_bilinear", "resize_nearest_neighbor"]
