"""Shape ops: reshape (metadata only) and the ops that move elements."""

from __future__ import annotations

import math

from ..registry import register
from ..tensor import Tensor, apply, convert, tensor_method


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


__all__ = ["reshape"]
