"""Merge layers: Concatenate, Add, Multiply (called on a list of tensors)."""

from __future__ import annotations

from ..ops.elementwise import add, mul
from ..ops.movement import concat
from .base import Layer


class _Merge(Layer):
    def _check(self, input_shape) -> None:
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f"{type(self).__name__} {self.name!r} must be called on a list of "
                             f"at least 2 inputs, got {input_shape!r}")

    def build(self, input_shape) -> None:
        self._check(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        out = list(input_shape[0])
        for s in input_shape[1:]:
            if len(s) != len(out):
                raise ValueError(f"{type(self).__name__} {self.name!r}: inputs of different "
                                 f"ranks {input_shape}")
            for i, d in enumerate(s):
                if out[i] is None or d is None:
                    out[i] = out[i] if d is None else d
                elif out[i] == 1:
                    out[i] = d
                elif d != 1 and d != out[i]:
                    raise ValueError(f"{type(self).__name__} {self.name!r}: input shapes "
                                     f"{input_shape} do not match")
        return tuple(out)

    def call(self, inputs, training: bool = False):
        self._check([x.shape for x in inputs] if isinstance(inputs, (list, tuple)) else inputs)
        self.compute_output_shape([x.shape for x in inputs])
        out = inputs[0]
        for x in inputs[1:]:
            out = self._op(out, x)
        return out


class Add(_Merge):
    """Elementwise sum of a list of inputs.

    Example:
        >>> import webtensor as wt
        >>> wt.layers.Add()([wt.ones([1, 2]), wt.ones([1, 2])]).numpy().tolist()
        [[2.0, 2.0]]
    """

    _op = staticmethod(add)


class Multiply(_Merge):
    """Elementwise product of a list of inputs.

    Example:
        >>> import webtensor as wt
        >>> wt.layers.Multiply()([wt.fill([1, 2], 3.0), wt.fill([1, 2], 2.0)]).numpy().tolist()
        [[6.0, 6.0]]
    """

    _op = staticmethod(mul)


class Concatenate(_Merge):
    """Concatenate a list of inputs along ``axis`` (default the last).

    Example:
        >>> import webtensor as wt
        >>> wt.layers.Concatenate()([wt.ones([1, 2]), wt.zeros([1, 1])]).numpy().tolist()
        [[1.0, 1.0, 0.0]]
    """

    def __init__(self, axis: int = -1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        rank = len(input_shape[0])
        axis = self.axis % rank
        out = list(input_shape[0])
        for s in input_shape[1:]:
            if len(s) != rank or any(a is not None and b is not None and a != b
                                     for i, (a, b) in enumerate(zip(s, out)) if i != axis):
                raise ValueError(f"Concatenate {self.name!r}: inputs {input_shape} must match "
                                 f"except along axis {self.axis}")
            out[axis] = None if out[axis] is None or s[axis] is None else out[axis] + s[axis]
        return tuple(out)

    def call(self, inputs, training: bool = False):
        self._check([x.shape for x in inputs] if isinstance(inputs, (list, tuple)) else inputs)
        self.compute_output_shape([x.shape for x in inputs])
        return concat(list(inputs), self.axis % inputs[0].rank)

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config


__all__ = ["Add", "Multiply", "Concatenate"]
