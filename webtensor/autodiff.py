"""Reverse-mode autodiff: a tape of kernels recorded only while a gradient is computed.

Each tape watches some tensor ids; a kernel whose inputs touch a watched id is
recorded with aliases of its inputs and outputs (same id, same storage, owned
by the tape), so scopes inside ``f`` cannot free what the backward pass needs.
Gradient rules are written with public ops, so while an outer tape is active
the backward pass is itself recorded: that is all higher order takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import scope

TAPES: list[Tape] = []
# One entry per gradient rule running under ``_backprop``: which of its inputs' gradients
# are used (the others are dropped, so a rule may skip computing them).
_NEEDED: list[tuple] = []


def input_needed(i: int) -> bool:
    """Inside a gradient rule: whether the gradient of input ``i`` is used by the caller.

    True outside a backward pass (a rule called directly must return every gradient).
    Rules use it to skip work, e.g. ``matmul`` skips ``dA`` when ``A`` is a constant.

    Example:
        >>> from webtensor.autodiff import input_needed
        >>> input_needed(0)
        True
    """
    return not _NEEDED or i >= len(_NEEDED[-1]) or _NEEDED[-1][i]


@dataclass(eq=False)
class Node:
    kernel: object
    inputs: list
    outputs: list
    attrs: dict


@dataclass(eq=False)
class Tape:
    live: set = field(default_factory=set)
    nodes: list = field(default_factory=list)
    paused: int = 0

    def dispose(self) -> None:
        for node in self.nodes:
            for t in (*node.inputs, *node.outputs):
                if getattr(t, "_is_tensor", False):
                    t.dispose()
        self.nodes.clear()


def _is_tensor(x) -> bool:
    return getattr(x, "_is_tensor", False)


def record(kernel, inputs, outs, attrs) -> None:
    """Called by ``apply`` for every kernel while a tape exists."""
    out_list = outs if isinstance(outs, (list, tuple)) else [outs]
    for tape in TAPES:
        if tape.paused:
            continue
        if not any(_is_tensor(x) and x.id in tape.live for x in inputs):
            continue
        saved_in = [x._saved() if _is_tensor(x) else x for x in inputs]
        saved_out = [o._saved() for o in out_list]
        tape.nodes.append(Node(kernel, saved_in, saved_out, attrs))
        tape.live.update(o.id for o in out_list)


class paused:
    """Context manager: record nothing on the active tapes (e.g. inside ``custom_grad``)."""

    def __enter__(self):
        for tape in TAPES:
            tape.paused += 1

    def __exit__(self, *exc):
        for tape in TAPES:
            tape.paused -= 1
        return False


def _backprop(tape: Tape, y, dy, targets) -> dict:
    from .ops.elementwise import add, zeros_like_op

    grads = {y.id: dy}
    wanted = {t.id for t in targets}
    for node in reversed(tape.nodes):
        gys = [grads.get(o.id) for o in node.outputs]
        if all(g is None for g in gys):
            continue
        kernel = node.kernel
        if kernel.grad is None:
            raise ValueError(
                f"gradient of kernel {kernel.name!r} is not defined (it is not differentiable)"
            )
        gys = [g if g is not None else zeros_like_op(o) for g, o in zip(gys, node.outputs)]
        dys = gys[0] if len(gys) == 1 else gys
        _NEEDED.append(tuple(
            _is_tensor(x) and x.id in tape.live and (x.dtype == "float32" or x.id in wanted)
            for x in node.inputs))
        try:
            in_grads = kernel.grad(dys, node.inputs, node.outputs[0] if len(node.outputs) == 1
                                   else node.outputs, node.attrs)
        finally:
            _NEEDED.pop()
        if not isinstance(in_grads, (list, tuple)):
            in_grads = [in_grads]
        for x, g in zip(node.inputs, in_grads):
            if g is None or not _is_tensor(x) or x.id not in tape.live:
                continue
            if x.dtype != "float32" and x.id not in wanted:
                continue
            if g.shape != x.shape:
                raise RuntimeError(
                    f"gradient of {kernel.name!r} has shape {list(g.shape)} for an input of "
                    f"shape {list(x.shape)}"
                )
            prev = grads.get(x.id)
            grads[x.id] = g if prev is None else add(prev, g)
    return grads


def compute_gradients(f, xs: list, dy=None, allow_unconnected: bool = False):
    """Run ``f(*xs)`` on a tape; returns (value, [grad or None per x])."""
    from .ops.elementwise import cast_op, ones_like_op
    from .tensor import convert, from_host

    for x in xs:
        if x.dtype != "float32":
            raise ValueError(
                f"gradients are defined for float32 inputs only; input {x.id} is {x.dtype}"
            )

    def body():
        tape = Tape(live={x.id for x in xs})
        TAPES.append(tape)
        try:
            y = f(*xs)
        except BaseException:
            tape.dispose()  # the saved aliases are untracked: no scope would free them
            raise
        finally:
            TAPES.remove(tape)
        if not _is_tensor(y):
            tape.dispose()
            raise ValueError(f"the function must return a Tensor, it returned {type(y).__name__}")
        if dy is None:
            # a small seed goes up with the next upload instead of costing a draw
            seed = (from_host(np.ones(y.shape, np.float32), y.shape, "float32")
                    if y.size <= 1024 else ones_like_op(y))
        else:
            seed = convert(dy, op="grad")
        if seed.shape != y.shape:
            tape.dispose()
            raise ValueError(
                f"dy has shape {list(seed.shape)}, the function's output {list(y.shape)}"
            )
        if seed.dtype != "float32":
            seed = cast_op(seed, "float32")
        try:
            table = _backprop(tape, y, seed, xs)
        finally:
            tape.dispose()
        out = []
        for x in xs:
            g = table.get(x.id)
            if g is None and not allow_unconnected:
                raise ValueError(
                    f"cannot compute the gradient with respect to tensor {x.id} "
                    f"(shape {list(x.shape)}): the function's output does not depend on it"
                )
            out.append(g)
        return y, out

    return scope.tidy(body)
