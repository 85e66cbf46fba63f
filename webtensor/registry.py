"""Data about each kernel: its forward, gradient, numpy reference and test cases.

A kernel here is a differentiable primitive in the TF.js sense: one public op
that records one node on the gradient tape. Its forward may draw one or more
programs (``.glsl`` files named in ``shaders``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Kernel:
    """One registered kernel."""

    name: str
    forward: Callable
    grad: Callable | None = None
    reference: Callable | None = None
    shaders: tuple[str, ...] = ()
    cases: Callable | None = None
    tolerance: tuple[float, float] = (1e-5, 1e-6)
    doc: str = ""
    variants: list[dict] = field(default_factory=list)


_KERNELS: dict[str, Kernel] = {}


def register(name: str, forward: Callable, **info) -> Kernel:
    """Register kernel ``name``; a second registration of one name is a bug."""
    if name in _KERNELS:
        raise ValueError(f"kernel {name!r} is registered twice")
    kernel = Kernel(name, forward, **info)
    _KERNELS[name] = kernel
    return kernel


def get(name: str) -> Kernel:
    """The kernel called ``name``."""
    try:
        return _KERNELS[name]
    except KeyError:
        raise ValueError(f"no kernel named {name!r}") from None


def kernels() -> list[Kernel]:
    """Every registered kernel, sorted by name."""
    return [_KERNELS[k] for k in sorted(_KERNELS)]
