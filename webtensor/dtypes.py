"""dtypes, promotion (numpy 2 / NEP 50 with weak Python scalars) and host conversion."""

from __future__ import annotations

import numpy as np

DTYPES = ("float32", "int32", "bool")
_RANK = {"bool": 0, "int32": 1, "float32": 2}
NUMPY = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}

#: int32 and bool live in float32 textures: integers are exact within ±2**24.
INT_LIMIT = 1 << 24


def normalize(dtype: object) -> str:
    """'float32' | 'int32' | 'bool' from a string, numpy dtype or Python type."""
    if dtype is None:
        raise ValueError("dtype is None")
    if isinstance(dtype, str) and dtype in _RANK:
        return dtype
    if dtype is bool:
        return "bool"
    if dtype is int:
        return "int32"
    if dtype is float:
        return "float32"
    try:
        npd = np.dtype(dtype)
    except TypeError:
        npd = None
    if npd is not None:
        if npd.kind == "b":
            return "bool"
        if npd.kind in "iu":
            return "int32"
        if npd.kind == "f":
            return "float32"
    raise ValueError(f"unsupported dtype {dtype!r}; webtensor has {', '.join(DTYPES)}")


def promote(a: str, b: str) -> str:
    """Tensor-tensor promotion: bool < int32 < float32."""
    return a if _RANK[a] >= _RANK[b] else b


def weak_scalar_result(tensor_dtype: str, scalar: object) -> str:
    """dtype of ``tensor op python_scalar`` (the scalar is weak, as in NEP 50)."""
    if isinstance(scalar, (bool, np.bool_)):
        return tensor_dtype
    if isinstance(scalar, (int, np.integer)):
        return "int32" if tensor_dtype == "bool" else tensor_dtype
    return "float32"


def infer_dtype(values: object) -> str:
    """The dtype ``wt.tensor(values)`` gives (TF.js rules: Python numbers are float32)."""
    if isinstance(values, np.ndarray) or isinstance(values, np.generic):
        return normalize(values.dtype)
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        return "bool"
    return "float32"


def to_host(values: object, dtype: str, op: str = "tensor") -> np.ndarray:
    """A contiguous numpy array of ``dtype``, refusing int32 values that floats cannot hold."""
    arr = np.asarray(values)
    if arr.dtype.kind in "OUS":
        raise ValueError(f"{op}: cannot make a tensor from values of type {arr.dtype}")
    if dtype == "int32":
        if arr.size and arr.dtype.kind in "iuf":
            with np.errstate(invalid="ignore"):
                finite = arr if arr.dtype.kind != "f" else arr[np.isfinite(arr)]
                if finite.size and (finite.max() > INT_LIMIT or finite.min() < -INT_LIMIT):
                    raise ValueError(
                        f"{op}: int32 values must lie within ±2**24 ({INT_LIMIT}) to stay exact "
                        f"in float textures; got range [{finite.min()}, {finite.max()}]"
                    )
        if arr.dtype.kind == "f":
            arr = np.trunc(arr)
    return np.asarray(arr, dtype=NUMPY[dtype], order="C")


def from_float(values: np.ndarray, dtype: str) -> np.ndarray:
    """Interpret downloaded float32 values as ``dtype``."""
    if dtype == "float32":
        return values
    if dtype == "bool":
        return values != 0
    with np.errstate(invalid="ignore"):
        out = np.rint(np.nan_to_num(values, nan=0.0, posinf=2**31 - 1, neginf=-(2**31)))
        return np.clip(out, -(2**31), 2**31 - 1).astype(np.int32)
