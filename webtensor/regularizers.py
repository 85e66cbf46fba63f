"""Weight regularizers: a penalty added to the training loss (``kernel_regularizer='l2'``).

Example:
    >>> import webtensor as wt
    >>> wt.regularizers.l2(0.5)(wt.tensor([1.0, 2.0])).item()
    2.5
"""

from __future__ import annotations

from .identifiers import resolve
from .tensor import Tensor


class Regularizer:
    """Base class: ``reg(weight)`` -> a scalar penalty tensor."""

    def __call__(self, x) -> Tensor:
        raise TypeError(f"{type(self).__name__} does not compute a penalty")

    def get_config(self) -> dict:
        """Constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        """A new regularizer from ``get_config()`` output."""
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``.

    Example:
        >>> import webtensor as wt
        >>> wt.regularizers.L1L2(l1=1.0, l2=1.0)(wt.tensor([-1.0, 2.0])).item()
        8.0
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x) -> Tensor:
        from .ops.creation import scalar
        from .ops.elementwise import abs as _abs
        from .ops.elementwise import add, mul, square
        from .ops.reduce import sum as _sum

        total = scalar(0.0)
        if self.l1:
            total = add(total, mul(_sum(_abs(x)), self.l1))
        if self.l2:
            total = add(total, mul(_sum(square(x)), self.l2))
        return total

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


def l1(l1: float = 0.01) -> L1L2:  # noqa: E741
    """An L1 penalty ``l1 * sum(|x|)`` (Keras default 0.01).

    Example:
        >>> import webtensor as wt
        >>> wt.regularizers.l1(0.5)(wt.tensor([-2.0])).item()
        1.0
    """
    return L1L2(l1=l1)


def l2(l2: float = 0.01) -> L1L2:
    """An L2 penalty ``l2 * sum(x ** 2)`` (Keras default 0.01).

    Example:
        >>> import webtensor as wt
        >>> wt.regularizers.l2(0.5)(wt.tensor([-2.0])).item()
        2.0
    """
    return L1L2(l2=l2)


def l1l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:  # noqa: E741
    """L1 plus L2 penalty (Keras defaults 0.01 each).

    Example:
        >>> import webtensor as wt
        >>> wt.regularizers.l1l2(1.0, 1.0)(wt.tensor([-2.0])).item()
        6.0
    """
    return L1L2(l1=l1, l2=l2)


_BY_NAME = {"l1": l1, "l2": l2, "l1l2": l1l2, "l1_l2": l1l2}


def get(identifier) -> Regularizer | None:
    """A regularizer from None, a name ('l1', 'l2', 'l1l2'), a config dict or an instance.

    Example:
        >>> import webtensor as wt
        >>> wt.regularizers.get("L2").get_config()
        {'l1': 0.0, 'l2': 0.01}
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict):
        name = identifier["class_name"]
        if name in ("L1L2", "l1l2", "L1L2Regularizer"):
            return L1L2.from_config(dict(identifier.get("config", {})))
        return resolve("regularizer", name, _BY_NAME)(**identifier.get("config", {}))
    if isinstance(identifier, str):
        return resolve("regularizer", identifier, _BY_NAME)()
    if callable(identifier):
        return identifier
    raise ValueError(f"Unknown regularizer {identifier!r}")


def serialize(reg) -> dict | None:
    """``{'class_name': 'L1L2', 'config': {...}}`` or None.

    Example:
        >>> import webtensor as wt
        >>> wt.regularizers.serialize(wt.regularizers.l1(0.5))
        {'class_name': 'L1L2', 'config': {'l1': 0.5, 'l2': 0.0}}
    """
    if reg is None:
        return None
    return {"class_name": type(reg).__name__, "config": reg.get_config()}


__all__ = ["Regularizer", "L1L2", "l1", "l2", "l1l2", "get", "serialize"]
