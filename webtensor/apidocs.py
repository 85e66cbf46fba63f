"""The API reference (``docs/api.md``), generated from the docstrings and the registry."""

from __future__ import annotations

import inspect
from types import ModuleType

_SECTIONS = [
    ("Tensor and Variable", "webtensor.tensor"),
    ("Tensors and creation", "webtensor.ops.creation"),
    ("Elementwise ops", "webtensor.ops.elementwise"),
    ("Reductions", "webtensor.ops.reduce"),
    ("Linear algebra", "webtensor.ops.linalg"),
    ("Shape ops", "webtensor.ops.movement"),
    ("Convolutions", "webtensor.ops.conv"),
    ("Neural-net ops", "webtensor.ops.nn"),
    ("Images (`wt.image`)", "webtensor.image"),
    ("Memory", "webtensor.scope"),
    ("Autodiff", "webtensor.gradients"),
    ("Optimizers (`wt.train`)", "webtensor.train"),
    ("Layers (`wt.layers`)", "webtensor.layers"),
    ("Models", "webtensor.models"),
    ("Losses (`wt.losses`)", "webtensor.losses"),
    ("Metrics (`wt.metrics`)", "webtensor.metrics"),
    ("Activations (`wt.activations`)", "webtensor.activations"),
    ("Initializers (`wt.initializers`)", "webtensor.initializers"),
    ("Model files (`wt.io`)", "webtensor.io"),
    ("Data sets (`wt.datasets`)", "webtensor.datasets"),
    ("Engine and debugging", "webtensor.info"),
    ("Profiling", "webtensor.profiler"),
    ("Debug mode", "webtensor.debug"),
]


def _public(module: ModuleType) -> list[tuple[str, object]]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items()
                 if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__
                 and (inspect.isfunction(v) or inspect.isclass(v))]
    out = []
    for name in sorted(set(names)):
        obj = getattr(module, name, None)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            out.append((name, obj))
    return out


def _signature(name: str, obj: object) -> str:
    try:
        return f"{name}{inspect.signature(obj)}"
    except (TypeError, ValueError):
        return name


def _entry(name: str, obj: object, prefix: str) -> str:
    doc = inspect.getdoc(obj) or "(no docstring)"
    text = f"### `{prefix}{_signature(name, obj)}`\n\n{doc}\n"
    if inspect.isclass(obj) and not issubclass(obj, BaseException):
        for meth, fn in sorted(vars(obj).items()):
            if meth.startswith("_") or not (inspect.isfunction(fn) or isinstance(fn, property)):
                continue
            if inspect.isfunction(fn) and fn.__module__ != obj.__module__:
                continue  # ops bound as methods are documented with their module
            mdoc = inspect.getdoc(fn)
            if not mdoc:
                continue
            sig = meth if isinstance(fn, property) else _signature(meth, fn)
            text += f"\n#### `{name}.{sig}`\n\n{mdoc}\n"
    return text


def generate() -> str:
    """The Markdown text of the API reference.

    Example:
        >>> from webtensor.apidocs import generate
        >>> "### `wt.exp(x)`" in generate()
        True
    """
    import importlib

    from . import registry

    parts = ["# API reference", "",
             "Generated from the docstrings by `webtensor docs`; do not edit by hand.", ""]
    for title, modname in _SECTIONS:
        try:
            module = importlib.import_module(modname)
        except ImportError:
            continue
        entries = _public(module)
        if not entries:
            continue
        prefix = "wt." if modname.startswith("webtensor.ops") or modname in (
            "webtensor.scope", "webtensor.gradients", "webtensor.info", "webtensor.tensor",
            "webtensor.models", "webtensor.profiler", "webtensor.debug") else \
            modname.replace("webtensor.", "wt.") + "."
        parts.append(f"## {title}\n")
        parts.extend(_entry(n, o, prefix) for n, o in entries)
    parts.append("## Kernels\n")
    parts.append("| kernel | shaders | what it computes |")
    parts.append("|---|---|---|")
    for k in registry.kernels():
        shaders = ", ".join(f"`{s}.glsl`" for s in k.shaders) or "(no draw)"
        parts.append(f"| `{k.name}` | {shaders} | {k.doc or ''} |")
    return "\n".join(parts) + "\n"
