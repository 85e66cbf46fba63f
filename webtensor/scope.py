"""tidy / keep / dispose / memory: a stack of scopes that track the tensors made in them."""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass

from .engine import engine

_STACK: list[list] = []


def track(tensor) -> None:
    """Called for every new tensor: the innermost scope owns it."""
    if _STACK:
        _STACK[-1].append(tensor)


def _remove(frame: list) -> None:
    """Take ``frame`` off the stack by identity (``list.remove`` would compare tensors)."""
    for i in range(len(_STACK) - 1, -1, -1):
        if _STACK[i] is frame:
            del _STACK[i]
            return


def _walk(obj, found: dict) -> None:
    if getattr(obj, "_is_tensor", False):
        found[id(obj)] = obj
    elif isinstance(obj, (list, tuple, set)):
        for item in obj:
            _walk(item, found)
    elif isinstance(obj, dict):
        for item in obj.values():
            _walk(item, found)


def _end(tracked: list, result) -> None:
    keep: dict = {}
    _walk(result, keep)
    parent = _STACK[-1] if _STACK else None
    for t in tracked:
        if t._disposed:
            continue
        if id(t) in keep:
            if parent is not None and not t._kept:
                parent.append(t)
        elif not t._kept:
            t.dispose()


class _TidyScope:
    """``with wt.tidy():`` and ``@wt.tidy()``."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._frames: list[list] = []

    def __enter__(self) -> _TidyScope:
        frame: list = []
        self._frames.append(frame)
        _STACK.append(frame)
        return self

    def __exit__(self, *exc) -> bool:
        frame = self._frames.pop()
        _remove(frame)
        _end(frame, None)
        return False

    def __call__(self, fn):
        _refuse_async(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return _run(fn, args, kwargs)

        return wrapper


def _refuse_async(fn) -> None:
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        raise TypeError("tidy: fn must be synchronous (tensors of an async function outlive it)")


def _run(fn, args, kwargs):
    frame: list = []
    _STACK.append(frame)
    try:
        result = fn(*args, **kwargs)
        if inspect.iscoroutine(result):
            result.close()
            raise TypeError("tidy: fn returned a coroutine; it must be synchronous")
    except BaseException:
        _remove(frame)
        _end(frame, None)
        raise
    _remove(frame)
    _end(frame, result)
    return result


def tidy(fn=None, *args, **kwargs):
    """Dispose every tensor made inside ``fn`` except what it returns.

    ``tidy(fn, *args)`` runs ``fn(*args)``; ``tidy("name", fn)`` names the scope
    as TF.js allows. ``with wt.tidy():`` disposes everything made in the block
    except tensors passed to ``wt.keep``; ``@wt.tidy()`` wraps a function.

    Example:
        >>> import webtensor as wt
        >>> y = wt.tidy(lambda: wt.tensor([1.0, 2.0]).square().sum())
        >>> float(y)
        5.0
    """
    if isinstance(fn, str):
        name, fn = fn, (args[0] if args else None)
        args = args[1:]
        if fn is None:
            return _TidyScope(name)
    if fn is None:
        return _TidyScope()
    if not callable(fn):
        raise TypeError(f"tidy: expected a function, got {type(fn).__name__}")
    _refuse_async(fn)
    return _run(fn, args, kwargs)


def keep(tensor):
    """Keep ``tensor`` alive past every enclosing ``tidy``; returns it.

    Example:
        >>> import webtensor as wt
        >>> with wt.tidy():
        ...     kept = wt.keep(wt.ones([2]))
        >>> kept.is_disposed
        False
    """
    tensor._check()
    tensor._kept = True
    return tensor


def dispose(obj) -> None:
    """Dispose a tensor, or every tensor in a nested list/tuple/dict.

    Example:
        >>> import webtensor as wt
        >>> a, b = wt.ones([2]), wt.zeros([3])
        >>> wt.dispose([a, {"b": b}])
        >>> a.is_disposed and b.is_disposed
        True
    """
    found: dict = {}
    _walk(obj, found)
    for t in found.values():
        t.dispose()


@dataclass(frozen=True)
class MemoryInfo:
    """What ``wt.memory()`` reports."""

    num_tensors: int
    num_bytes: int
    num_textures: int
    num_bytes_in_gpu: int
    num_bytes_in_pool: int
    unreliable: bool = False


def memory() -> MemoryInfo:
    """Live tensors and bytes, live GL textures (pooled ones included), pool bytes.

    Example:
        >>> import webtensor as wt
        >>> m = wt.memory()
        >>> m.num_tensors >= 0
        True
    """
    eng = engine()
    eng.drain()
    pool = eng.pool
    return MemoryInfo(
        num_tensors=eng.num_tensors,
        num_bytes=eng.num_bytes,
        num_textures=pool.num_textures if pool else 0,
        num_bytes_in_gpu=pool.bytes_total if pool else 0,
        num_bytes_in_pool=pool.bytes_in_pool if pool else 0,
    )
