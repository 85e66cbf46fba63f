"""Losses as Keras defines them: ``f(y_true, y_pred)`` -> per-sample loss (last axis reduced).

Training averages the per-sample values over the batch. Probabilities are clipped to
``[1e-7, 1 - 1e-7]`` where a log is taken, as Keras does.

Example:
    >>> import webtensor as wt
    >>> wt.losses.mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]]).numpy().tolist()
    [0.5]
"""

from __future__ import annotations

from collections.abc import Callable

from .identifiers import canonical_name, resolve
from .ops.elementwise import (
    abs as _abs,
)
from .ops.elementwise import (
    add,
    cast,
    clip_by_value,
    div,
    equal,
    log,
    logical_or,
    maximum,
    minimum,
    mul,
    neg,
    relu,
    rsqrt,
    square,
    sub,
    where,
)
from .ops.movement import one_hot, reshape
from .ops.reduce import all as _all
from .ops.reduce import mean
from .ops.reduce import sum as _sum
from .tensor import Tensor, convert

EPSILON = 1e-7


def _pair(y_true, y_pred, op: str) -> tuple[Tensor, Tensor]:
    yt = convert(y_true, dtype="float32", op=op)
    yp = convert(y_pred, dtype="float32", op=op)
    if yt.dtype != "float32":
        yt = cast(yt, "float32")
    if yp.dtype != "float32":
        yp = cast(yp, "float32")
    if yt.shape != yp.shape:
        raise ValueError(f"{op}: y_true shape {list(yt.shape)} and y_pred shape "
                         f"{list(yp.shape)} differ")
    return yt, yp


def mean_squared_error(y_true, y_pred) -> Tensor:
    """``mean((y_pred - y_true) ** 2, axis=-1)``.

    Example:
        >>> import webtensor as wt
        >>> wt.losses.mean_squared_error([[1.0, 2.0]], [[1.0, 4.0]]).numpy().tolist()
        [2.0]
    """
    yt, yp = _pair(y_true, y_pred, "mean_squared_error")
    return mean(square(sub(yp, yt)), axis=-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """``mean(|y_pred - y_true|, axis=-1)``.

    Example:
        >>> import webtensor as wt
        >>> wt.losses.mean_absolute_error([[1.0, 2.0]], [[2.0, 4.0]]).numpy().tolist()
        [1.5]
    """
    yt, yp = _pair(y_true, y_pred, "mean_absolute_error")
    return mean(_abs(sub(yp, yt)), axis=-1)


def categorical_crossentropy(y_true, y_pred) -> Tensor:
    """``-sum(y_true * log(p), -1)``, ``p`` = y_pred scaled to sum 1, clipped to [eps, 1-eps].

    Example:
        >>> import webtensor as wt
        >>> wt.losses.categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]]).numpy().round(4)
        array([0.6931], dtype=float32)
    """
    yt, yp = _pair(y_true, y_pred, "categorical_crossentropy")
    p = div(yp, _sum(yp, axis=-1, keepdims=True))
    p = clip_by_value(p, EPSILON, 1.0 - EPSILON)
    return neg(_sum(mul(yt, log(p)), axis=-1))


def sparse_categorical_crossentropy(y_true, y_pred) -> Tensor:
    """Categorical crossentropy with integer class labels (shape [n] or [n, 1]).

    Example:
        >>> import webtensor as wt
        >>> wt.losses.sparse_categorical_crossentropy([1], [[0.5, 0.5]]).numpy().round(4)
        array([0.6931], dtype=float32)
    """
    op = "sparse_categorical_crossentropy"
    yp = convert(y_pred, dtype="float32", op=op)
    yt = convert(y_true, op=op)
    if yt.rank == yp.rank and yt.shape[-1] == 1:
        yt = reshape(yt, yt.shape[:-1])
    if yt.shape != yp.shape[:-1]:
        raise ValueError(f"{op}: labels of shape {list(yt.shape)} do not match predictions "
                         f"of shape {list(yp.shape)} (expected labels {list(yp.shape[:-1])})")
    if yt.dtype != "int32":
        yt = cast(yt, "int32")
    return categorical_crossentropy(one_hot(yt, yp.shape[-1], dtype="float32"), yp)


def binary_crossentropy(y_true, y_pred) -> Tensor:
    """``-mean(y log(p + eps) + (1 - y) log(1 - p + eps), -1)``, ``p`` clipped to [eps, 1-eps].

    Example:
        >>> import webtensor as wt
        >>> wt.losses.binary_crossentropy([[1.0, 0.0]], [[0.5, 0.5]]).numpy().round(4)
        array([0.6931], dtype=float32)
    """
    yt, yp = _pair(y_true, y_pred, "binary_crossentropy")
    p = clip_by_value(yp, EPSILON, 1.0 - EPSILON)
    pos = mul(yt, log(add(p, EPSILON)))
    negative = mul(sub(1.0, yt), log(add(sub(1.0, p), EPSILON)))
    return neg(mean(add(pos, negative), axis=-1))


def huber(y_true, y_pred, delta: float = 1.0) -> Tensor:
    """``mean(0.5 e^2 if |e| <= delta else delta (|e| - 0.5 delta), -1)`` with ``e`` the error.

    Example:
        >>> import webtensor as wt
        >>> wt.losses.huber([[0.0, 0.0]], [[0.5, 3.0]]).numpy().tolist()
        [1.3125]
    """
    yt, yp = _pair(y_true, y_pred, "huber")
    err = _abs(sub(yp, yt))
    small = minimum(err, float(delta))
    return mean(add(mul(square(small), 0.5), mul(sub(err, small), float(delta))), axis=-1)


def hinge(y_true, y_pred) -> Tensor:
    """``mean(max(1 - y_true * y_pred, 0), -1)``; 0/1 labels are first mapped to -1/1 (Keras).

    Example:
        >>> import webtensor as wt
        >>> wt.losses.hinge([[1.0, 0.0]], [[0.5, -2.0]]).numpy().tolist()
        [0.25]
    """
    yt, yp = _pair(y_true, y_pred, "hinge")
    is_binary = _all(logical_or(equal(yt, 0.0), equal(yt, 1.0)))
    yt = where(is_binary, sub(mul(yt, 2.0), 1.0), yt)
    return mean(relu(sub(1.0, mul(yt, yp))), axis=-1)


def kl_divergence(y_true, y_pred) -> Tensor:
    """``sum(y_true * log(y_true / y_pred), -1)`` with both clipped to [eps, 1].

    Example:
        >>> import webtensor as wt
        >>> wt.losses.kl_divergence([[0.5, 0.5]], [[0.5, 0.5]]).numpy().tolist()
        [0.0]
    """
    yt, yp = _pair(y_true, y_pred, "kl_divergence")
    yt = clip_by_value(yt, EPSILON, 1.0)
    yp = clip_by_value(yp, EPSILON, 1.0)
    return _sum(mul(yt, log(div(yt, yp))), axis=-1)


def _l2_normalize(x: Tensor) -> Tensor:
    return mul(x, rsqrt(maximum(_sum(square(x), axis=-1, keepdims=True), 1e-12)))


def cosine_similarity(y_true, y_pred) -> Tensor:
    """``-cos(y_true, y_pred)`` along the last axis (Keras), so minimising aligns vectors.

    Example:
        >>> import webtensor as wt
        >>> wt.losses.cosine_similarity([[1.0, 0.0]], [[2.0, 0.0]]).numpy().tolist()
        [-1.0]
    """
    yt, yp = _pair(y_true, y_pred, "cosine_similarity")
    return neg(_sum(mul(_l2_normalize(yt), _l2_normalize(yp)), axis=-1))


LOSSES: dict[str, Callable] = {
    "mean_squared_error": mean_squared_error, "mean_absolute_error": mean_absolute_error,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy, "huber": huber, "hinge": hinge,
    "kl_divergence": kl_divergence, "cosine_similarity": cosine_similarity,
}
ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
           "kld": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
           "huber_loss": "huber", "cosine_proximity": "cosine_similarity"}

mse = mean_squared_error
mae = mean_absolute_error
kld = kl_divergence


def get(identifier) -> Callable:
    """A loss function from a name (snake_case, camelCase or PascalCase) or a callable.

    Raises:
        ValueError: an unknown name (the message lists the valid names).

    Example:
        >>> import webtensor as wt
        >>> wt.losses.get("categoricalCrossentropy") is wt.losses.categorical_crossentropy
        True
    """
    if callable(identifier):
        return identifier
    return resolve("loss", identifier, LOSSES, ALIASES)


def name_of(identifier) -> str:
    """The canonical name of a loss identifier (a function's ``__name__`` otherwise).

    Example:
        >>> import webtensor as wt
        >>> wt.losses.name_of("MSE")
        'mean_squared_error'
    """
    if isinstance(identifier, str):
        return canonical_name("loss", identifier, LOSSES, ALIASES)
    for name, fn in LOSSES.items():
        if fn is identifier:
            return name
    return getattr(identifier, "__name__", "loss")


__all__ = [*LOSSES, "mse", "mae", "kld", "get", "name_of"]
