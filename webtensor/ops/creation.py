"""Creating tensors: from values, filled, ranges, identity, random (seeded on the host)."""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..tensor import Tensor, convert, from_host
from ._elementwise_kernel import run_elementwise

_RNG = np.random.default_rng()


def _shape(shape, op: str) -> tuple:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        out = tuple(int(d) for d in shape)
    except TypeError:
        raise ValueError(f"{op}: shape must be a list of ints, got {shape!r}") from None
    if any(d < 0 for d in out):
        raise ValueError(f"{op}: shape {list(out)} has a negative dimension")
    return out


def tensor(values, shape=None, dtype=None) -> Tensor:
    """Make a tensor from nested lists, a numpy array, a number, or a flat list and ``shape``.

    Python numbers give float32 unless ``dtype`` says otherwise; numpy integer
    arrays give int32 and booleans bool (TF.js rules).

    Example:
        >>> import webtensor as wt
        >>> a = wt.tensor([1.0, 2.0, 3.0, 10.0, 20.0, 30.0], [2, 3]); a.print()
        [[1 , 2 , 3 ],
         [10, 20, 30]]
    """
    if getattr(values, "_is_tensor", False):
        values = values.numpy()
    dt = dtypes.infer_dtype(values) if dtype is None else dtypes.normalize(dtype)
    arr = np.asarray(values)
    if arr.dtype == object:
        raise ValueError("tensor: values must be a rectangular nested list of numbers")
    arr = dtypes.to_host(arr, dt, "tensor")
    if shape is not None:
        shp = _shape(shape, "tensor")
        if arr.size != math.prod(shp):
            if arr.size == 1 and arr.ndim == 0:
                arr = np.full(shp, arr, dtype=arr.dtype)
            else:
                raise ValueError(
                    f"tensor: {arr.size} values do not fill shape {list(shp)} "
                    f"({math.prod(shp)} elements)"
                )
        arr = arr.reshape(shp)
    return from_host(arr, arr.shape, dt)


def _ranked(rank: int):
    name = "scalar" if rank == 0 else f"tensor{rank}d"

    def make(values, shape=None, dtype=None) -> Tensor:
        t = tensor(values, shape, dtype)
        if t.rank != rank:
            got = list(t.shape)
            t.dispose()
            raise ValueError(f"{name}: expected rank {rank}, the values have shape {got}")
        return t

    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"""A rank-{rank} tensor; ``ValueError`` if the values have another rank.

    Example:
        >>> import webtensor as wt
        >>> wt.{name}({_EXAMPLES[rank]}).rank
        {rank}
    """
    return make


_EXAMPLES = {0: "2.0", 1: "[1, 2]", 2: "[[1, 2]]", 3: "[[[1]]]", 4: "[[[[1]]]]",
             5: "[[[[[1]]]]]", 6: "[[[[[[1]]]]]]"}


def _scalar(value, dtype=None) -> Tensor:
    """A rank-0 tensor.

    Example:
        >>> import webtensor as wt
        >>> wt.scalar(24).item()
        24.0
    """
    if np.ndim(value) != 0:
        raise ValueError(f"scalar: expected a single number, got shape {list(np.shape(value))}")
    return tensor(value, None, dtype)


scalar = _scalar
scalar.__name__ = "scalar"
tensor1d, tensor2d, tensor3d, tensor4d, tensor5d, tensor6d = (_ranked(r) for r in range(1, 7))


def fill(shape, value, dtype=None) -> Tensor:
    """A tensor of ``shape`` filled with ``value`` (drawn on the GPU, no upload).

    Example:
        >>> import webtensor as wt
        >>> wt.fill([2, 2], 7).numpy().tolist()
        [[7.0, 7.0], [7.0, 7.0]]
    """
    shp = _shape(shape, "fill")
    dt = dtypes.normalize(dtype) if dtype is not None else (
        "bool" if isinstance(value, (bool, np.bool_)) else "float32")
    v = float(dtypes.to_host(value, dt, "fill"))
    return run_elementwise("fill", [], dt, {"u_value": v}, out_shape=shp)


def zeros(shape, dtype="float32") -> Tensor:
    """A tensor of zeros.

    Example:
        >>> import webtensor as wt
        >>> wt.zeros([3, 5]).shape
        (3, 5)
    """
    return fill(shape, 0, dtype)


def ones(shape, dtype="float32") -> Tensor:
    """A tensor of ones.

    Example:
        >>> import webtensor as wt
        >>> wt.ones([2]).numpy().tolist()
        [1.0, 1.0]
    """
    return fill(shape, 1, dtype)


def zeros_like(x) -> Tensor:
    """Zeros with the shape and dtype of ``x``.

    Example:
        >>> import webtensor as wt
        >>> wt.zeros_like(wt.tensor([[1, 2]], dtype="int32")).numpy().tolist()
        [[0, 0]]
    """
    x = convert(x, op="zeros_like")
    return fill(x.shape, 0, x.dtype)


def ones_like(x) -> Tensor:
    """Ones with the shape and dtype of ``x``.

    Example:
        >>> import webtensor as wt
        >>> wt.ones_like(wt.tensor([5.0, 6.0])).numpy().tolist()
        [1.0, 1.0]
    """
    x = convert(x, op="ones_like")
    return fill(x.shape, 1, x.dtype)


def eye(n: int, m: int | None = None, dtype="float32") -> Tensor:
    """An ``n × m`` identity matrix.

    Example:
        >>> import webtensor as wt
        >>> wt.eye(2).numpy().tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    if n < 0 or (m is not None and m < 0):
        raise ValueError(f"eye: sizes must be >= 0, got n={n}, m={m}")
    dt = dtypes.normalize(dtype)
    arr = np.eye(n, m)
    return from_host(arr.astype(dtypes.NUMPY[dt]), arr.shape, dt)


def range(start, stop=None, step=1, dtype="float32") -> Tensor:  # noqa: A001 - TF.js name
    """Evenly spaced values in ``[start, stop)``; ``range(n)`` is ``0 .. n-1``.

    Example:
        >>> import webtensor as wt
        >>> wt.range(0, 5, 2).numpy().tolist()
        [0.0, 2.0, 4.0]
    """
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("range: step must not be 0")
    dt = dtypes.normalize(dtype)
    arr = np.arange(start, stop, step, dtype=np.float64)
    return from_host(dtypes.to_host(arr, dt, "range"), arr.shape, dt)


def linspace(start: float, stop: float, num: int) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive.

    Example:
        >>> import webtensor as wt
        >>> wt.linspace(0, 1, 3).numpy().tolist()
        [0.0, 0.5, 1.0]
    """
    if num < 0:
        raise ValueError(f"linspace: num must be >= 0, got {num}")
    arr = np.linspace(start, stop, int(num))
    return from_host(arr.astype(np.float32), arr.shape, "float32")


def _rng(seed):
    return _RNG if seed is None else np.random.default_rng(int(seed))


def random_normal(shape, mean: float = 0.0, stddev: float = 1.0, dtype="float32",
                  seed=None) -> Tensor:
    """Normally distributed values; the same ``seed`` gives the same values in any process.

    Example:
        >>> import webtensor as wt
        >>> a = wt.random_normal([3], seed=1).numpy(); b = wt.random_normal([3], seed=1).numpy()
        >>> bool((a == b).all())
        True
    """
    shp = _shape(shape, "random_normal")
    dt = dtypes.normalize(dtype)
    arr = _rng(seed).normal(mean, stddev, size=shp)
    return from_host(dtypes.to_host(arr, dt, "random_normal"), shp, dt)


def random_uniform(shape, minval: float = 0.0, maxval: float = 1.0, dtype="float32",
                   seed=None) -> Tensor:
    """Uniform values in ``[minval, maxval)`` (integers for int32).

    Example:
        >>> import webtensor as wt
        >>> x = wt.random_uniform([100], 2, 3, seed=0).numpy()
        >>> bool(((x >= 2) & (x < 3)).all())
        True
    """
    shp = _shape(shape, "random_uniform")
    dt = dtypes.normalize(dtype)
    if maxval <= minval:
        raise ValueError(f"random_uniform: maxval {maxval} must exceed minval {minval}")
    g = _rng(seed)
    if dt == "int32":
        arr = g.integers(int(minval), int(maxval), size=shp)
    else:
        arr = g.uniform(minval, maxval, size=shp)
        arr = np.minimum(arr.astype(np.float32), np.nextafter(np.float32(maxval), -np.inf))
    return from_host(dtypes.to_host(arr, dt, "random_uniform"), shp, dt)


def truncated_normal(shape, mean: float = 0.0, stddev: float = 1.0, dtype="float32",
                     seed=None) -> Tensor:
    """Normal values redrawn until within two standard deviations of the mean.

    Example:
        >>> import webtensor as wt
        >>> x = wt.truncated_normal([1000], seed=3).numpy()
        >>> bool((abs(x) <= 2).all())
        True
    """
    shp = _shape(shape, "truncated_normal")
    dt = dtypes.normalize(dtype)
    g = _rng(seed)
    n = math.prod(shp)
    out = g.normal(0.0, 1.0, size=n)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = g.normal(0.0, 1.0, size=int(bad.sum()))
        bad = np.abs(out) > 2
    arr = (out * stddev + mean).reshape(shp)
    return from_host(dtypes.to_host(arr, dt, "truncated_normal"), shp, dt)


__all__ = ["tensor", "scalar", "tensor1d", "tensor2d", "tensor3d", "tensor4d", "tensor5d",
           "tensor6d", "fill", "zeros", "ones", "zeros_like", "ones_like", "eye", "range",
           "linspace", "random_normal", "random_uniform", "truncated_normal"]
