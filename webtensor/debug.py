"""Debug mode: read back every kernel's outputs and stop at the first NaN/Inf.

``wt.set_debug(True)`` (or ``WEBTENSOR_DEBUG=1`` in the environment, read when
the engine starts) makes ``tensor.apply`` call :func:`check_outputs` after each
kernel. It downloads the outputs (and the inputs, whose downloads are cached)
and raises :class:`NaNError` naming the first kernel whose output holds a NaN
or an Inf while none of its inputs did. Every op then waits for the GPU, so
debug mode is slow; turn it on to find a bug, not in production.
"""

from __future__ import annotations

import math

import numpy as np

from .engine import engine
from .errors import WebtensorError


class NaNError(FloatingPointError, WebtensorError):
    """A kernel turned finite inputs into NaN or Inf (raised in debug mode only).

    A ``FloatingPointError``, so ``except FloatingPointError`` catches it too.
    Attributes: ``kernel`` (its name), ``input_shapes``, ``output_shape``,
    ``nan`` and ``inf`` (counts in the first bad output), ``index`` (the
    first bad element, as a tuple).
    """

    def __init__(self, message: str, kernel: str = "", input_shapes: list | None = None,
                 output_shape: tuple = (), nan: int = 0, inf: int = 0,
                 index: tuple = ()) -> None:
        super().__init__(message)
        self.kernel = kernel
        self.input_shapes = input_shapes or []
        self.output_shape = output_shape
        self.nan = nan
        self.inf = inf
        self.index = index


def set_debug(enabled: bool = True) -> None:
    """Turn debug mode on or off: each kernel's outputs are checked for NaN/Inf.

    Example:
        >>> import webtensor as wt
        >>> wt.set_debug(True)
        >>> try:
        ...     wt.log(wt.tensor([1.0, -1.0]))
        ... except wt.debug.NaNError as e:
        ...     print(e.kernel, e.input_shapes, e.nan)
        log [(2,)] 1
        >>> wt.set_debug(False)
    """
    engine().debug = bool(enabled)


def is_debug() -> bool:
    """Whether debug mode is on.

    Example:
        >>> import webtensor as wt
        >>> wt.debug.is_debug() in (True, False)
        True
    """
    return bool(engine().debug)


def _tensors(obj) -> list:
    if getattr(obj, "_is_tensor", False):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for item in obj for t in _tensors(item)]
    return []


def _values(t) -> np.ndarray:
    if t.size == 0:
        return np.zeros(0, np.float32)
    return engine().read(t.storage)


def _finite_input(x) -> bool:
    if isinstance(x, float):
        return math.isfinite(x)
    if isinstance(x, (list, tuple)):
        return all(_finite_input(i) for i in x)
    if getattr(x, "_is_tensor", False):
        return bool(np.isfinite(_values(x)).all())
    return True


def _describe(x) -> str:
    if getattr(x, "_is_tensor", False):
        return f"{list(x.shape)} {x.dtype}"
    if isinstance(x, (list, tuple)) and _tensors(x):
        return "[" + ", ".join(_describe(i) for i in x) + "]"
    return repr(x)


def _shape_of(x):
    if getattr(x, "_is_tensor", False):
        return tuple(x.shape)
    if isinstance(x, (list, tuple)) and _tensors(x):
        return [_shape_of(i) for i in x]
    return x


def show_command(kernel, inputs, attrs: dict | None = None) -> str:
    """The ``webtensor shaders show`` command that compiles what ``kernel`` ran.

    One ``--shape`` per tensor input, ``--dtype`` when one is not float32, and
    an ``--attr`` for each attribute written as a Python literal.

    Example:
        >>> import webtensor as wt
        >>> from webtensor import registry
        >>> from webtensor.debug import show_command
        >>> x = wt.ones([2, 3])
        >>> show_command(registry.get("sum"), [x], {"axis": (0,), "keepdims": False})
        "webtensor shaders show sum --shape 2,3 --attr 'axis=(0,)' --attr keepdims=False"
    """
    import ast
    import shlex

    tensors = [x for x in inputs if getattr(x, "_is_tensor", False)]
    words = ["webtensor", "shaders", "show", kernel.name]
    for x in tensors:
        words += ["--shape", ",".join(str(d) for d in x.shape) or "scalar"]
    if any(x.dtype != "float32" for x in tensors):
        for x in tensors:
            words += ["--dtype", str(x.dtype)]
    for key, value in (attrs or {}).items():
        text = repr(value)
        try:
            ok = ast.literal_eval(text) == value
        except (ValueError, SyntaxError):
            ok = False
        if ok:
            words += ["--attr", f"{key}={text}"]
    return " ".join(shlex.quote(w) for w in words)


def check_outputs(kernel, inputs, outs, attrs: dict | None = None) -> None:
    """Raise :class:`NaNError` if ``kernel`` made NaN/Inf out of finite ``inputs``.

    Called by ``tensor.apply`` after each kernel while debug mode is on; ``attrs``
    (the kernel's attributes) go into the message's ``webtensor shaders show`` command.

    Example:
        >>> import webtensor as wt
        >>> from webtensor import registry
        >>> x = wt.tensor([4.0]); y = wt.sqrt(x)
        >>> wt.debug.check_outputs(registry.get("sqrt"), [x], y)  # finite: no error
    """
    outputs = _tensors(outs)
    if not outputs:
        return
    bad = None
    for i, out in enumerate(outputs):
        vals = _values(out)
        finite = np.isfinite(vals)
        if not finite.all():
            bad = (i, out, vals, finite)
            break
    if bad is None or not all(_finite_input(x) for x in inputs):
        return
    i, out, vals, finite = bad
    nan = int(np.isnan(vals).sum())
    inf = int(np.isinf(vals).sum())
    flat = int(np.argmin(finite))
    index = tuple(int(j) for j in np.unravel_index(flat, out.shape)) if out.shape else ()
    at_inputs = []
    for x in inputs:
        if getattr(x, "_is_tensor", False) and x.shape == out.shape and x.size:
            at_inputs.append(repr(float(_values(x)[flat])))
    where = f"output {i} " if len(outputs) > 1 else "output "
    shaders = ", ".join(f"glsl/{s}.glsl" for s in kernel.shaders) or "(no shader of its own)"
    lines = [
        f"kernel {kernel.name!r} produced {nan} NaN and {inf} Inf in its {where}"
        f"{list(out.shape)} {out.dtype} ({out.size} elements) from finite inputs",
        "  inputs: " + (", ".join(_describe(x) for x in inputs) or "none"),
        f"  first bad element: index {list(index)} = {float(vals[flat])!r}"
        + (f" (inputs there: {', '.join(at_inputs)})" if at_inputs else ""),
        f"  shaders: {shaders}",
        f"  see the GLSL: {show_command(kernel, inputs, attrs)}",
    ]
    raise NaNError("\n".join(lines), kernel.name, [_shape_of(x) for x in inputs],
                   tuple(out.shape), nan, inf, index)
