"""Weight constraints, applied to a weight after each optimizer step (Keras semantics).

Example:
    >>> import webtensor as wt
    >>> wt.constraints.non_neg()(wt.tensor([-1.0, 2.0])).numpy().tolist()
    [0.0, 2.0]
"""

from __future__ import annotations

from .identifiers import resolve
from .tensor import Tensor

_EPS = 1e-7


def _norm(w, axis):
    from .ops.elementwise import sqrt, square
    from .ops.reduce import sum as _sum

    return sqrt(_sum(square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: ``c(weight)`` -> the projected weight."""

    def __call__(self, w) -> Tensor:
        return w

    def get_config(self) -> dict:
        """Constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Constraint:
        """A new constraint from ``get_config()`` output."""
        return cls(**config)


class MaxNorm(Constraint):
    """Rescale slices along ``axis`` whose L2 norm exceeds ``max_value``.

    Example:
        >>> import webtensor as wt
        >>> w = wt.constraints.MaxNorm(1.0)(wt.tensor([[3.0], [4.0]]))
        >>> w.numpy().astype(float).round(4).tolist()
        [[0.6], [0.8]]
    """

    def __init__(self, max_value: float = 2.0, axis=0) -> None:
        self.max_value, self.axis = float(max_value), axis

    def __call__(self, w) -> Tensor:
        from .ops.elementwise import add, clip_by_value, div, mul

        norms = _norm(w, self.axis)
        desired = clip_by_value(norms, 0.0, self.max_value)
        return mul(w, div(desired, add(norms, _EPS)))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Negative weights become zero.

    Example:
        >>> import webtensor as wt
        >>> wt.constraints.NonNeg()(wt.tensor([-3.0, 1.0])).numpy().tolist()
        [0.0, 1.0]
    """

    def __call__(self, w) -> Tensor:
        from .ops.elementwise import relu

        return relu(w)


class UnitNorm(Constraint):
    """Slices along ``axis`` scaled to unit L2 norm.

    Example:
        >>> import webtensor as wt
        >>> w = wt.constraints.UnitNorm()(wt.tensor([[3.0], [4.0]]))
        >>> w.numpy().astype(float).round(4).tolist()
        [[0.6], [0.8]]
    """

    def __init__(self, axis=0) -> None:
        self.axis = axis

    def __call__(self, w) -> Tensor:
        from .ops.elementwise import add, div

        return div(w, add(_norm(w, self.axis), _EPS))

    def get_config(self) -> dict:
        return {"axis": self.axis}


def max_norm(max_value: float = 2.0, axis=0) -> MaxNorm:
    """A ``MaxNorm`` constraint.

    Example:
        >>> import webtensor as wt
        >>> wt.constraints.max_norm(2.0).get_config()
        {'max_value': 2.0, 'axis': 0}
    """
    return MaxNorm(max_value, axis)


def non_neg() -> NonNeg:
    """A ``NonNeg`` constraint.

    Example:
        >>> import webtensor as wt
        >>> type(wt.constraints.non_neg()).__name__
        'NonNeg'
    """
    return NonNeg()


def unit_norm(axis=0) -> UnitNorm:
    """A ``UnitNorm`` constraint.

    Example:
        >>> import webtensor as wt
        >>> wt.constraints.unit_norm(1).get_config()
        {'axis': 1}
    """
    return UnitNorm(axis)


CONSTRAINTS = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm}


def get(identifier) -> Constraint | None:
    """A constraint from None, a name ('max_norm', 'nonNeg', ...), a config dict or an instance.

    Example:
        >>> import webtensor as wt
        >>> type(wt.constraints.get("NonNeg")).__name__
        'NonNeg'
    """
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, dict):
        cls = resolve("constraint", identifier["class_name"], CONSTRAINTS)
        return cls.from_config(dict(identifier.get("config", {})))
    if isinstance(identifier, str):
        return resolve("constraint", identifier, CONSTRAINTS)()
    if callable(identifier):
        return identifier
    raise ValueError(f"Unknown constraint {identifier!r}")


def serialize(c) -> dict | None:
    """``{'class_name': ..., 'config': ...}`` or None.

    Example:
        >>> import webtensor as wt
        >>> wt.constraints.serialize(wt.constraints.non_neg())
        {'class_name': 'NonNeg', 'config': {}}
    """
    if c is None:
        return None
    return {"class_name": type(c).__name__, "config": c.get_config()}


__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "max_norm", "non_neg", "unit_norm",
           "get", "serialize"]
