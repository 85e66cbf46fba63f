"""Text and HTML views of tensors, laid out as TF.js prints them."""

from __future__ import annotations

import html
import math

import numpy as np

_LIMIT = 20  # more items than this along an axis: show the first and last 3
_EDGE = 3
_SIG = 7


def _js_number(x: float) -> str:
    """What JavaScript's Number#toString prints for ``x``."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    if x == int(x) and abs(x) < 1e21:
        return str(int(x))
    r = repr(float(x))
    if "e" in r:
        mant, exp = r.split("e")
        e = int(exp)
        if -7 < e < 21:
            return np.format_float_positional(float(x), trim="-")
        return f"{mant}e{'+' if e > 0 else '-'}{abs(e)}"
    return r


def value_string(val, dtype: str) -> str:
    """One value as TF.js shows it (seven decimals at most, no trailing zeros)."""
    if dtype == "bool":
        return "true" if val else "false"
    v = float(val)
    if math.isfinite(v):
        v = float(f"{v:.{_SIG}f}")
    return _js_number(v)


def _pad_per_column(flat, shape, dtype) -> list[int]:
    if len(shape) <= 1:
        return [0] * (shape[-1] if shape else 1)
    cols = shape[-1]
    pads = [0] * cols
    for row in range(len(flat) // cols if cols else 0):
        for j in range(cols):
            pads[j] = max(pads[j], len(value_string(flat[row * cols + j], dtype)))
    return pads


def _sub(flat, shape, dtype, pads, is_last=True) -> list[str]:
    rank = len(shape)
    if rank == 0:
        return [value_string(flat[0], dtype)]
    size = shape[0]
    if rank == 1:
        def show(xs, offset):
            return [value_string(x, dtype).ljust(pads[offset + i]) for i, x in enumerate(xs)]
        if size > _LIMIT:
            first = show(flat[:_EDGE], 0)
            last = show(flat[size - _EDGE:size], size - _EDGE)
            return ["[" + ", ".join(first) + ", ..., " + ", ".join(last) + "]"]
        return ["[" + ", ".join(show(flat[:size], 0)) + "]"]
    stride = math.prod(shape[1:])
    lines: list[str] = []
    rows = range(size) if size <= _LIMIT else [*range(_EDGE), None, *range(size - _EDGE, size)]
    for i in rows:
        if i is None:
            lines.append("...")
            continue
        lines.extend(_sub(flat[i * stride:(i + 1) * stride], shape[1:], dtype, pads,
                          is_last=(i == size - 1)))
    sep = "," if rank == 2 else ""
    tail = "" if is_last else ",\n" + "\n" * (rank - 2)
    if len(lines) == 1:
        return ["[" + lines[0] + "]" + tail]
    lines[0] = "[" + lines[0] + sep
    for i in range(1, len(lines) - 1):
        lines[i] = " " + lines[i] + sep
    lines[-1] = " " + lines[-1] + "]" + tail
    return lines


def tensor_to_string(values: np.ndarray, dtype: str, verbose: bool = False) -> str:
    """The lines TF.js's ``print()`` shows, without its ``Tensor`` header."""
    shape = values.shape
    flat = values.reshape(-1)
    if values.size == 0:
        body = "[]"
    else:
        pads = _pad_per_column(flat, shape, dtype)
        body = "\n".join(_sub(flat, shape, dtype, pads))
    if not verbose:
        return body
    head = [f"  dtype: {dtype}", f"  rank: {len(shape)}", f"  shape: {list(shape)}", "  values:"]
    return "\n".join(["Tensor", *head, *("    " + ln for ln in body.split("\n"))])


def tensor_to_html(tensor) -> str:
    """A small HTML card for notebooks: shape, dtype and the values."""
    text = html.escape(tensor.to_string())
    kind = "Variable" if tensor._is_variable else "Tensor"
    return (
        f"<div><b>{kind}</b> shape={list(tensor.shape)} dtype={tensor.dtype} "
        f"id={tensor.id}<pre>{text}</pre></div>"
    )
