"""Drawing an elementwise kernel: broadcasting, input modes, dims coalesced into few."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, draw

_NAMES = "ABC"
SAME, HOST, BROADCAST, ONE = 0, 1, 2, 3


def is_host_scalar(x) -> bool:
    """A Python number: weak in promotion, passed as a uniform."""
    return isinstance(x, (bool, int, float)) and not isinstance(x, np.generic)


def broadcast_shapes(op: str, *shapes: tuple) -> tuple:
    """numpy's broadcast shape, or ``ValueError`` naming ``op`` and the shapes."""
    first = shapes[0] if shapes else ()
    if all(s == first for s in shapes):
        return first
    try:
        return tuple(int(d) for d in np.broadcast_shapes(*shapes))
    except ValueError:
        shown = " and ".join(str(list(s)) for s in shapes)
        raise ValueError(f"{op}: shapes {shown} cannot be broadcast together") from None


def _strides(shape: tuple) -> list[int]:
    out, acc = [], 1
    for d in reversed(shape):
        out.append(acc)
        acc *= d
    return out[::-1]


def _coalesce(out_shape: tuple, in_strides: list[list[int]]) -> tuple[list[int], list[list[int]]]:
    """Drop size-1 dims and merge neighbours that every input walks contiguously."""
    dims = [d for d in range(len(out_shape)) if out_shape[d] != 1]
    shape = [out_shape[d] for d in dims]
    strides = [[s[d] for d in dims] for s in in_strides]
    i = len(shape) - 1
    while i > 0:
        if all(s[i - 1] == s[i] * shape[i] for s in strides):
            shape[i - 1] *= shape[i]
            del shape[i]
            for s in strides:
                s[i - 1] = s[i]
                del s[i]
        i -= 1
    if not shape:
        shape, strides = [1], [[0] for _ in strides]
    return shape, strides


def run_elementwise(
    shader: str,
    operands: list,
    out_dtype: str,
    uniforms: dict | None = None,
    defines: tuple = (),
    out_shape: tuple | None = None,
) -> Tensor:
    """Draw ``shader`` (an op() plus ``_elementwise.glsl``) over broadcast ``operands``."""
    tensors = [x for x in operands if not is_host_scalar(x)]
    if out_shape is None:
        out_shape = broadcast_shapes(shader, *(t.shape for t in tensors))
    modes, inputs, unis = [], [], dict(uniforms or {})
    bcast = []
    for name, x in zip(_NAMES, operands):
        if is_host_scalar(x):
            modes.append(HOST)
            unis["u_" + name] = float(x)
        elif x.shape == out_shape:
            modes.append(SAME)
            inputs.append((name, x))
        elif x.size == 1:
            modes.append(ONE)
            inputs.append((name, x))
        else:
            modes.append(BROADCAST)
            inputs.append((name, x))
            bcast.append((name, x))
    defs = {"ARITY": len(operands), **dict(defines)}
    for name, mode in zip(_NAMES, modes):
        defs["MODE_" + name] = mode
    if bcast:
        rank = len(out_shape)
        per_input = []
        for _, x in bcast:
            xs = [1] * (rank - x.rank) + list(x.shape)
            st = _strides(tuple(xs))
            per_input.append([0 if xs[d] == 1 else st[d] for d in range(rank)])
        shape, strides = _coalesce(out_shape, [_strides(out_shape), *per_input])
        defs["RANK"] = len(shape)
        unis["u_out_strides"] = strides[0]
        for (name, _), st in zip(bcast, strides[1:]):
            unis[f"u_{name}_strides"] = st
    return draw(shader, inputs, out_shape, out_dtype, unis, tuple(sorted(defs.items())))
