"""Metrics, Keras/TF.js style: per-sample values, except ``precision``/``recall`` (scalars).

Example:
    >>> import webtensor as wt
    >>> wt.metrics.categorical_accuracy([[0.0, 1.0]], [[0.3, 0.7]]).numpy().tolist()
    [1.0]
"""

from __future__ import annotations

from collections.abc import Callable

from . import losses
from .identifiers import canonical_name, resolve
from .ops.elementwise import cast, div, equal, greater, logical_and, where
from .ops.movement import reshape
from .ops.reduce import argmax, mean
from .ops.reduce import sum as _sum
from .tensor import Tensor, convert


def _floats(y_true, y_pred, op: str) -> tuple[Tensor, Tensor]:
    yt = convert(y_true, dtype="float32", op=op)
    yp = convert(y_pred, dtype="float32", op=op)
    if yt.shape != yp.shape:
        raise ValueError(f"{op}: y_true shape {list(yt.shape)} and y_pred shape "
                         f"{list(yp.shape)} differ")
    return yt, yp


def accuracy(y_true, y_pred) -> Tensor:
    """Fraction of exact matches along the last axis (Keras ``accuracy``).

    In ``compile(metrics=['accuracy'])`` the name picks binary or categorical accuracy
    from the loss instead.

    Example:
        >>> import webtensor as wt
        >>> wt.metrics.accuracy([[1.0, 2.0]], [[1.0, 3.0]]).numpy().tolist()
        [0.5]
    """
    yt, yp = _floats(y_true, y_pred, "accuracy")
    return mean(cast(equal(yt, yp), "float32"), axis=-1)


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> Tensor:
    """Mean over the last axis of ``y_true == (y_pred > threshold)``.

    Example:
        >>> import webtensor as wt
        >>> wt.metrics.binary_accuracy([[1.0, 0.0]], [[0.9, 0.8]]).numpy().tolist()
        [0.5]
    """
    yt, yp = _floats(y_true, y_pred, "binary_accuracy")
    return mean(cast(equal(yt, cast(greater(yp, float(threshold)), "float32")), "float32"),
                axis=-1)


def categorical_accuracy(y_true, y_pred) -> Tensor:
    """1 where ``argmax(y_true, -1) == argmax(y_pred, -1)``, else 0.

    Example:
        >>> import webtensor as wt
        >>> wt.metrics.categorical_accuracy([[0.0, 1.0]], [[0.9, 0.1]]).numpy().tolist()
        [0.0]
    """
    yt, yp = _floats(y_true, y_pred, "categorical_accuracy")
    return cast(equal(argmax(yt, -1), argmax(yp, -1)), "float32")


def sparse_categorical_accuracy(y_true, y_pred) -> Tensor:
    """1 where the integer label equals ``argmax(y_pred, -1)`` (labels [n] or [n, 1]).

    Example:
        >>> import webtensor as wt
        >>> wt.metrics.sparse_categorical_accuracy([1, 0], [[0.2, 0.8], [0.3, 0.7]]).array()
        [1.0, 0.0]
    """
    yp = convert(y_pred, dtype="float32", op="sparse_categorical_accuracy")
    yt = convert(y_true, op="sparse_categorical_accuracy")
    if yt.rank == yp.rank and yt.shape[-1] == 1:
        yt = reshape(yt, yt.shape[:-1])
    if yt.shape != yp.shape[:-1]:
        raise ValueError(f"sparse_categorical_accuracy: labels of shape {list(yt.shape)} do "
                         f"not match predictions of shape {list(yp.shape)}")
    return cast(equal(cast(yt, "float32"), cast(argmax(yp, -1), "float32")), "float32")


def mse(y_true, y_pred) -> Tensor:
    """Mean squared error per sample (as the loss).

    Example:
        >>> import webtensor as wt
        >>> wt.metrics.mse([[0.0]], [[2.0]]).numpy().tolist()
        [4.0]
    """
    return losses.mean_squared_error(y_true, y_pred)


def mae(y_true, y_pred) -> Tensor:
    """Mean absolute error per sample (as the loss).

    Example:
        >>> import webtensor as wt
        >>> wt.metrics.mae([[0.0]], [[-2.0]]).numpy().tolist()
        [2.0]
    """
    return losses.mean_absolute_error(y_true, y_pred)


def _count(a: Tensor) -> Tensor:
    return _sum(cast(a, "float32"))


def precision(y_true, y_pred) -> Tensor:
    """``tp / (tp + fp)`` counting exact 0/1 values (tfjs-layers); 0 when nothing is predicted.

    Example:
        >>> import webtensor as wt
        >>> wt.metrics.precision([1.0, 0.0, 1.0], [1.0, 1.0, 0.0]).item()
        0.5
    """
    yt, yp = _floats(y_true, y_pred, "precision")
    tp = _count(logical_and(equal(yt, 1.0), equal(yp, 1.0)))
    fp = _count(logical_and(equal(yt, 0.0), equal(yp, 1.0)))
    den = tp + fp
    return where(greater(den, 0.0), div(tp, den), 0.0)


def recall(y_true, y_pred) -> Tensor:
    """``tp / (tp + fn)`` counting exact 0/1 values (tfjs-layers); 0 when there are no positives.

    Example:
        >>> import webtensor as wt
        >>> round(wt.metrics.recall([1.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]).item(), 4)
        0.3333
    """
    yt, yp = _floats(y_true, y_pred, "recall")
    tp = _count(logical_and(equal(yt, 1.0), equal(yp, 1.0)))
    fn = _count(logical_and(equal(yt, 1.0), equal(yp, 0.0)))
    den = tp + fn
    return where(greater(den, 0.0), div(tp, den), 0.0)


METRICS: dict[str, Callable] = {
    "accuracy": accuracy, "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mse": mse, "mae": mae, "precision": precision, "recall": recall,
    "binary_crossentropy": losses.binary_crossentropy,
    "categorical_crossentropy": losses.categorical_crossentropy,
    "sparse_categorical_crossentropy": losses.sparse_categorical_crossentropy,
    "cosine_similarity": losses.cosine_similarity,
}
_ALIASES = {"acc": "accuracy", "mean_squared_error": "mse", "mean_absolute_error": "mae"}


def get(identifier) -> Callable:
    """A metric function from a name (any case style) or a callable.

    Raises:
        ValueError: an unknown name (the message lists the valid names).

    Example:
        >>> import webtensor as wt
        >>> wt.metrics.get("binaryAccuracy") is wt.metrics.binary_accuracy
        True
    """
    if callable(identifier):
        return identifier
    return resolve("metric", identifier, METRICS, _ALIASES)


def for_loss(identifier, loss) -> Callable:
    """Resolve a compile() metric; 'accuracy'/'acc' picks the accuracy that suits ``loss``.

    Example:
        >>> import webtensor as wt
        >>> wt.metrics.for_loss("acc", "binaryCrossentropy") is wt.metrics.binary_accuracy
        True
    """
    if isinstance(identifier, str) and canonical_name(
            "metric", identifier, METRICS, _ALIASES) == "accuracy":
        lname = losses.name_of(loss)
        if lname == "binary_crossentropy" or lname == "hinge":
            return binary_accuracy
        if lname == "sparse_categorical_crossentropy":
            return sparse_categorical_accuracy
        return categorical_accuracy
    return get(identifier)


__all__ = [*METRICS, "get", "for_loss"]
