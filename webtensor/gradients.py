"""The public gradient functions: grad, grads, value_and_grad(s), variable_grads, custom_grad."""

from __future__ import annotations

from collections.abc import Callable

from . import autodiff, registry
from .tensor import Tensor, Variable, convert, trainable_variables


def _as_list(xs) -> list[Tensor]:
    if getattr(xs, "_is_tensor", False):
        raise ValueError("grads(f) takes a list of tensors; use grad(f) for one tensor")
    return [convert(x, op="grads") for x in xs]


def _drop_value(value: Tensor, xs: list[Tensor]) -> None:
    """Dispose ``f``'s value unless it is one of the inputs (``f = lambda x: x``)."""
    if not any(value is x for x in xs):
        value.dispose()


def grad(f: Callable) -> Callable:
    """``g(x, dy=None)`` → df/dx, the shape of ``x``.

    Example:
        >>> import webtensor as wt
        >>> g = wt.grad(lambda x: x.square())
        >>> g(wt.tensor([1.0, 3.0])).numpy().tolist()
        [2.0, 6.0]
    """

    def g(x, dy=None):
        x = convert(x, op="grad")
        value, (dx,) = autodiff.compute_gradients(f, [x], dy)
        _drop_value(value, [x])
        return dx

    return g


def grads(f: Callable) -> Callable:
    """``g([xs], dy=None)`` → [df/dx for each x].

    Example:
        >>> import webtensor as wt
        >>> g = wt.grads(lambda a, b: a.mul(b))
        >>> da, db = g([wt.tensor([2.0]), wt.tensor([5.0])])
        >>> da.item(), db.item()
        (5.0, 2.0)
    """

    def g(xs, dy=None):
        xs = _as_list(xs)
        value, gs = autodiff.compute_gradients(f, xs, dy)
        _drop_value(value, xs)
        return gs

    return g


def value_and_grad(f: Callable) -> Callable:
    """``g(x, dy=None)`` → (f(x), df/dx).

    Example:
        >>> import webtensor as wt
        >>> value, dx = wt.value_and_grad(lambda x: x.square().sum())(wt.tensor([3.0]))
        >>> value.item(), dx.numpy().tolist()
        (9.0, [6.0])
    """

    def g(x, dy=None):
        x = convert(x, op="value_and_grad")
        value, (dx,) = autodiff.compute_gradients(f, [x], dy)
        return value, dx

    return g


def value_and_grads(f: Callable) -> Callable:
    """``g([xs], dy=None)`` → (f(*xs), [df/dx]).

    Example:
        >>> import webtensor as wt
        >>> f = wt.value_and_grads(lambda a, b: a.mul(b))
        >>> value, (da, db) = f([wt.scalar(2.0), wt.scalar(3.0)])
        >>> value.item(), da.item(), db.item()
        (6.0, 3.0, 2.0)
    """

    def g(xs, dy=None):
        return autodiff.compute_gradients(f, _as_list(xs), dy)

    return g


def variable_grads(f: Callable, var_list: list | None = None):
    """(f(), {variable name: gradient}) over trainable variables, or exactly ``var_list``.

    Variables that ``f`` does not use get no entry.

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.tensor([2.0]), name="w")
        >>> value, g = wt.variable_grads(lambda: w.square().sum())
        >>> value.item(), g["w"].numpy().tolist()
        (4.0, [4.0])
    """
    if var_list is None:
        variables = trainable_variables()
    else:
        variables = list(var_list)
        for v in variables:
            if not getattr(v, "_is_variable", False):
                raise ValueError(f"var_list must hold Variables, got {type(v).__name__}")
    if not variables:
        raise ValueError("variable_grads: there are no variables to differentiate")
    value, gs = autodiff.compute_gradients(lambda *_: f(), variables, None,
                                           allow_unconnected=True)
    # only the variables it returns must have distinct names (SPEC: Gradients)
    names = [v.name for v, g in zip(variables, gs, strict=True) if g is not None]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        value.dispose()
        for g in gs:
            if g is not None:
                g.dispose()
        raise ValueError(f"variable_grads: several variables share the name(s) {sorted(dup)}")
    return value, {v.name: g for v, g in zip(variables, gs, strict=True) if g is not None}


def custom_grad(f: Callable) -> Callable:
    """Wrap ``f(*xs) -> (value, grad_fn)``; ``grad_fn(dy)`` returns the input gradients.

    Example:
        >>> import webtensor as wt
        >>> @wt.custom_grad
        ... def twice(x):
        ...     return x.mul(2), lambda dy: dy.mul(10)
        >>> wt.grad(twice)(wt.tensor([1.0])).numpy().tolist()
        [10.0]
    """

    def wrapped(*xs):
        xs = [convert(x, op="custom_grad") for x in xs]
        with autodiff.paused():
            value, grad_fn = f(*xs)
            if not getattr(value, "_is_tensor", False):
                raise ValueError("custom_grad: f must return (value, grad_fn) with a Tensor value")
            if autodiff.TAPES:
                # a new id for the one node below; unrecorded, or a value that is an input
                # would also pass its gradient through an identity node
                value = value.clone()
        if autodiff.TAPES:

            def rule(dy, inputs, output, attrs):
                got = grad_fn(dy)
                got = list(got) if isinstance(got, (list, tuple)) else [got]
                if len(got) != len(inputs):
                    raise ValueError(
                        f"custom_grad: grad_fn returned {len(got)} gradients for {len(inputs)} "
                        "inputs"
                    )
                out = []
                for i, (g, x) in enumerate(zip(got, inputs)):
                    g = None if g is None else convert(g, op="custom_grad")
                    if g is not None and g.shape != x.shape:
                        raise ValueError(
                            f"custom_grad: grad_fn returned shape {list(g.shape)} for input {i} "
                            f"of shape {list(x.shape)}"
                        )
                    out.append(g)
                return out

            kernel = registry.Kernel("custom_grad", forward=None, grad=rule)
            autodiff.record(kernel, xs, value, {})
        return value

    return wrapped


__all__ = ["grad", "grads", "value_and_grad", "value_and_grads", "variable_grads",
           "custom_grad", "Variable"]
