"""Activation functions by name, as Keras/TF.js layers use them (``activation='relu'``).

Every function maps a Tensor to a Tensor of the same shape; ``get`` turns an
identifier (a name in snake_case, camelCase or PascalCase, a function, or None) into one.

Example:
    >>> import webtensor as wt
    >>> wt.activations.get("hardSigmoid")(wt.tensor([-3.0, 0.0, 1.0])).numpy().tolist()
    [0.0, 0.5, 0.699999988079071]
"""

from __future__ import annotations

import math
from collections.abc import Callable

from . import ops
from .identifiers import resolve
from .tensor import Tensor, convert

_o = ops  # the op modules, imported through the package so every op is registered


def _t(x) -> Tensor:
    return convert(x, dtype="float32", op="activation")


def elu(x, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Example:
        >>> import webtensor as wt
        >>> wt.activations.elu(wt.tensor([1.0, 0.0])).numpy().tolist()
        [1.0, 0.0]
    """
    from .ops.elementwise import elu as _elu
    from .ops.elementwise import expm1, greater, mul, where

    x = _t(x)
    if alpha == 1.0:
        return _elu(x)
    return where(greater(x, 0.0), x, mul(expm1(x), float(alpha)))


def selu(x) -> Tensor:
    """Scaled exponential linear unit (Klambauer et al.).

    Example:
        >>> import webtensor as wt
        >>> wt.activations.selu(wt.tensor([1.0])).numpy().astype(float).round(4).tolist()
        [1.0507]
    """
    from .ops.elementwise import selu as _selu

    return _selu(_t(x))


def relu(x) -> Tensor:
    """``max(x, 0)``.

    Example:
        >>> import webtensor as wt
        >>> wt.activations.relu(wt.tensor([-1.0, 2.0])).numpy().tolist()
        [0.0, 2.0]
    """
    from .ops.elementwise import relu as _relu

    return _relu(_t(x))


def relu6(x) -> Tensor:
    """``min(max(x, 0), 6)``.

    Example:
        >>> import webtensor as wt
        >>> wt.activations.relu6(wt.tensor([-1.0, 8.0])).numpy().tolist()
        [0.0, 6.0]
    """
    from .ops.elementwise import relu6 as _relu6

    return _relu6(_t(x))


def linear(x) -> Tensor:
    """The identity.

    Example:
        >>> import webtensor as wt
        >>> wt.activations.linear(wt.tensor([-1.0])).numpy().tolist()
        [-1.0]
    """
    return _t(x)


def sigmoid(x) -> Tensor:
    """``1 / (1 + exp(-x))``.

    Example:
        >>> import webtensor as wt
        >>> wt.activations.sigmoid(wt.tensor([0.0])).numpy().tolist()
        [0.5]
    """
    from .ops.elementwise import sigmoid as _sigmoid

    return _sigmoid(_t(x))


def hard_sigmoid(x) -> Tensor:
    """TF.js's hard sigmoid: ``clip(0.2 * x + 0.5, 0, 1)``.

    Example:
        >>> import webtensor as wt
        >>> wt.activations.hard_sigmoid(wt.tensor([-5.0, 0.0, 5.0])).numpy().tolist()
        [0.0, 0.5, 1.0]
    """
    from .ops.elementwise import add, clip_by_value, mul

    return clip_by_value(add(mul(_t(x), 0.2), 0.5), 0.0, 1.0)


def softplus(x) -> Tensor:
    """``log(1 + exp(x))``.

    Example:
        >>> import webtensor as wt
        >>> wt.activations.softplus(wt.tensor([0.0])).numpy().astype(float).round(4).tolist()
        [0.6931]
    """
    from .ops.elementwise import softplus as _softplus

    return _softplus(_t(x))


def softsign(x) -> Tensor:
    """``x / (1 + |x|)``.

    Example:
        >>> import webtensor as wt
        >>> wt.activations.softsign(wt.tensor([1.0, -3.0])).numpy().tolist()
        [0.5, -0.75]
    """
    from .ops.elementwise import abs as _abs
    from .ops.elementwise import add, div

    x = _t(x)
    return div(x, add(_abs(x), 1.0))


def tanh(x) -> Tensor:
    """Hyperbolic tangent.

    Example:
        >>> import webtensor as wt
        >>> wt.activations.tanh(wt.tensor([1.0])).numpy().astype(float).round(4).tolist()
        [0.7616]
    """
    from .ops.elementwise import tanh as _tanh

    return _tanh(_t(x))


def softmax(x, axis: int = -1) -> Tensor:
    """Softmax along ``axis`` (default the last).

    Example:
        >>> import webtensor as wt
        >>> wt.activations.softmax(wt.tensor([[0.0, 0.0]])).numpy().tolist()
        [[0.5, 0.5]]
    """
    from .ops.nn import softmax as _softmax

    return _softmax(_t(x), axis)


def log_softmax(x, axis: int = -1) -> Tensor:
    """Log of the softmax along ``axis``.

    Example:
        >>> import webtensor as wt
        >>> y = wt.activations.log_softmax(wt.tensor([[0.0, 0.0]]))
        >>> y.numpy().astype(float).round(4).tolist()
        [[-0.6931, -0.6931]]
    """
    from .ops.nn import log_softmax as _log_softmax

    return _log_softmax(_t(x), axis)


def gelu(x, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit: ``0.5 x (1 + erf(x / sqrt(2)))`` (tanh form if approximate).

    Example:
        >>> import webtensor as wt
        >>> wt.activations.gelu(wt.tensor([0.0, 1.0])).numpy().astype(float).round(4).tolist()
        [0.0, 0.8413]
    """
    from .ops.elementwise import add, erf, mul
    from .ops.elementwise import pow as _pow
    from .ops.elementwise import tanh as _tanh

    x = _t(x)
    if approximate:
        inner = mul(add(x, mul(_pow(x, 3.0), 0.044715)), math.sqrt(2.0 / math.pi))
        return mul(mul(x, 0.5), add(_tanh(inner), 1.0))
    return mul(mul(x, 0.5), add(erf(mul(x, 1.0 / math.sqrt(2.0))), 1.0))


def swish(x) -> Tensor:
    """``x * sigmoid(x)`` (also called SiLU).

    Example:
        >>> import webtensor as wt
        >>> wt.activations.swish(wt.tensor([0.0, 1.0])).numpy().astype(float).round(4).tolist()
        [0.0, 0.7311]
    """
    from .ops.elementwise import mul
    from .ops.elementwise import sigmoid as _sigmoid

    x = _t(x)
    return mul(x, _sigmoid(x))


def mish(x) -> Tensor:
    """``x * tanh(softplus(x))``.

    Example:
        >>> import webtensor as wt
        >>> wt.activations.mish(wt.tensor([1.0])).numpy().astype(float).round(4).tolist()
        [0.8651]
    """
    from .ops.elementwise import mul
    from .ops.elementwise import softplus as _softplus
    from .ops.elementwise import tanh as _tanh

    x = _t(x)
    return mul(x, _tanh(_softplus(x)))


ACTIVATIONS: dict[str, Callable] = {
    "elu": elu, "selu": selu, "relu": relu, "relu6": relu6, "linear": linear,
    "sigmoid": sigmoid, "hard_sigmoid": hard_sigmoid, "softplus": softplus,
    "softsign": softsign, "tanh": tanh, "softmax": softmax, "log_softmax": log_softmax,
    "gelu": gelu, "swish": swish, "mish": mish,
}
_ALIASES = {"silu": "swish"}


def get(identifier) -> Callable:
    """The activation function an identifier names (None means ``linear``).

    Args:
        identifier: a name ('relu', 'hardSigmoid', 'LogSoftmax', ...), a callable, or None.

    Raises:
        ValueError: an unknown name (the message lists the valid ones).

    Example:
        >>> import webtensor as wt
        >>> wt.activations.get("ReLU") is wt.activations.relu
        True
    """
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    return resolve("activation", identifier, ACTIVATIONS, _ALIASES)


def serialize(fn: Callable) -> str:
    """The snake_case name of an activation function (for ``get_config``).

    Example:
        >>> import webtensor as wt
        >>> wt.activations.serialize(wt.activations.get("logSoftmax"))
        'log_softmax'
    """
    for name, f in ACTIVATIONS.items():
        if f is fn:
            return name
    name = getattr(fn, "__name__", None)
    if not isinstance(name, str):
        raise ValueError(f"activation {fn!r} cannot be serialized: it has no name")
    return name


__all__ = [*ACTIVATIONS, "get", "serialize"]
