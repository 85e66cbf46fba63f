"""Tensor and Variable, and ``apply``: the one crossing point from ops to the engine."""

from __future__ import annotations

import itertools
import math
import weakref
from collections.abc import Sequence

import numpy as np

from . import autodiff, dtypes, registry, scope
from .engine import Storage, engine
from .errors import DisposedTensorError

_E = engine()
_IDS = itertools.count()


class Tensor:
    """An immutable n-dimensional array whose values live in a GL texture.

    Example:
        >>> import webtensor as wt
        >>> t = wt.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> t.shape, t.dtype, t.size, t.rank
        ((2, 2), 'float32', 4, 2)
    """

    __slots__ = ("_storage", "shape", "dtype", "id", "_disposed", "_kept", "__weakref__")
    _is_tensor = True
    _is_variable = False
    __array_priority__ = 1000  # numpy defers ndarray <op> Tensor to us

    def __init__(self, storage: Storage, shape: tuple, dtype: str, track: bool = True) -> None:
        self._storage = storage
        self.shape = shape
        self.dtype = dtype
        self.id = next(_IDS)
        self._disposed = False
        self._kept = False
        _E.num_tensors += 1
        if track:
            scope.track(self)

    def __del__(self) -> None:
        try:
            if not self._disposed:
                _E.release_queue.append(self._storage)
        except Exception:  # interpreter shutdown
            pass

    # -- metadata ----------------------------------------------------------
    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)

    @property
    def rank(self) -> int:
        """Number of dimensions."""
        return len(self.shape)

    @property
    def ndim(self) -> int:
        """Number of dimensions (numpy's name)."""
        return len(self.shape)

    @property
    def is_disposed(self) -> bool:
        """Whether ``dispose()`` (or a tidy scope) released this tensor."""
        return self._disposed

    @property
    def storage(self) -> Storage:
        """The refcounted values behind this tensor (raises if disposed)."""
        if self._disposed:
            self._raise_disposed()
        return self._storage

    def _check(self) -> Tensor:
        if self._disposed:
            self._raise_disposed()
        return self

    def _raise_disposed(self):
        raise DisposedTensorError(
            f"Tensor {self.id} (shape {list(self.shape)}, {self.dtype}) is disposed: it was "
            "released by dispose() or by the tidy scope that created it; wt.keep() it or "
            "return it from the tidy function to use it later"
        )

    # -- lifetime ----------------------------------------------------------
    def dispose(self) -> None:
        """Release this tensor's texture now (idempotent).

        Example:
            >>> import webtensor as wt
            >>> t = wt.ones([3]); t.dispose(); t.is_disposed
            True
        """
        if self._disposed:
            return
        self._disposed = True
        _E.num_tensors -= 1
        _E.release(self._storage)

    def _alias(self, shape: tuple | None = None, track: bool = True) -> Tensor:
        """A new tensor sharing this one's storage (reshape, clone)."""
        st = self.storage
        st.refs += 1
        return Tensor(st, self.shape if shape is None else shape, self.dtype, track)

    def _saved(self) -> Tensor:
        """An untracked alias with the same id, owned by a gradient tape."""
        t = self._alias(track=False)
        t.id = self.id
        return t

    def clone(self) -> Tensor:
        """A new tensor with the same values (shares the immutable texture).

        Example:
            >>> import webtensor as wt
            >>> a = wt.ones([2]); b = a.clone(); a.dispose(); b.numpy().tolist()
            [1.0, 1.0]
        """
        return apply("identity", [self])

    # -- host access -------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """Download the values to a new numpy array.

        Example:
            >>> import webtensor as wt
            >>> wt.tensor([1, 2], dtype="int32").numpy()
            array([1, 2], dtype=int32)
        """
        flat = _E.read(self.storage) if self.size else np.zeros(0, np.float32)
        out = dtypes.from_float(flat, self.dtype)
        if out is flat:
            out = flat.copy()
        return out.reshape(self.shape)

    def data(self) -> np.ndarray:
        """The values as a flat numpy array [dataSync].

        Example:
            >>> import webtensor as wt
            >>> wt.tensor([[1.0], [2.0]]).data().tolist()
            [1.0, 2.0]
        """
        return self.numpy().reshape(-1)

    data_sync = data

    def array(self):
        """The values as nested Python lists (a number for a scalar) [arraySync].

        Example:
            >>> import webtensor as wt
            >>> wt.tensor([[1.0, 2.0]]).array()
            [[1.0, 2.0]]
        """
        return self.numpy().tolist()

    array_sync = array

    def item(self):
        """The single value of a one-element tensor as a Python number.

        Example:
            >>> import webtensor as wt
            >>> wt.scalar(3.5).item()
            3.5
        """
        if self.size != 1:
            raise ValueError(f"item(): tensor of shape {list(self.shape)} has {self.size} elements")
        return self.numpy().reshape(-1)[0].item()

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype == "float32":
            raise TypeError("only int32/bool tensors can be used as an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {list(self.shape)} is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.item())

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a rank-0 tensor")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a rank-0 tensor")
        for i in range(self.shape[0]):
            yield self[i]

    def __contains__(self, value) -> bool:
        # numpy's rule, ``(self == value).any()``; Python's fallback would compare rows
        # one by one and fail on the truth value of a multi-element row
        return bool((self.numpy() == np.asarray(value)).any())

    __hash__ = object.__hash__

    # -- display -----------------------------------------------------------
    def to_string(self, verbose: bool = False) -> str:
        """The TF.js-style text of the values (with dtype/rank/shape if ``verbose``).

        Example:
            >>> import webtensor as wt
            >>> print(wt.tensor([[1.0, 2.0], [10.0, 20.0]]).to_string())
            [[1 , 2 ],
             [10, 20]]
        """
        from .formatting import tensor_to_string

        return tensor_to_string(self.numpy(), self.dtype, verbose)

    def print(self, verbose: bool = False) -> None:
        """Print the values as TF.js prints them.

        Example:
            >>> import webtensor as wt
            >>> wt.tensor([1.0, 2.5]).print()
            [1, 2.5]
        """
        print(self.to_string(verbose))

    def __repr__(self) -> str:
        if self._disposed:
            return f"<Tensor {self.id} shape={list(self.shape)} dtype={self.dtype} (disposed)>"
        kind = "Variable" if self._is_variable else "Tensor"
        body = self.to_string().replace("\n", "\n    ")
        return f"<{kind} shape={list(self.shape)} dtype={self.dtype}>\n    {body}"

    def _repr_html_(self) -> str:
        from .formatting import tensor_to_html

        if self._disposed:
            return f"<code>Tensor {self.id} (disposed)</code>"
        return tensor_to_html(self)


class Variable(Tensor):
    """A mutable holder of a tensor value; never disposed by ``tidy``.

    Example:
        >>> import webtensor as wt
        >>> v = wt.variable(wt.zeros([2]))
        >>> v.assign(wt.tensor([1.0, 2.0])); v.numpy().tolist()
        [1.0, 2.0]
    """

    __slots__ = ("trainable", "name")
    _is_variable = True
    _names = itertools.count()

    def __init__(self, initial: Tensor, trainable: bool = True, name: str | None = None) -> None:
        st = initial.storage
        st.refs += 1
        super().__init__(st, initial.shape, initial.dtype, track=False)
        self.trainable = trainable
        self.name = name if name is not None else f"Variable{next(Variable._names)}"
        _VARIABLES[self.id] = self

    def assign(self, value) -> None:
        """Replace the value; shape and dtype must match (else ``ValueError``).

        Example:
            >>> import webtensor as wt
            >>> v = wt.variable(wt.zeros([2]))
            >>> v.assign([3.0, 4.0]); v.numpy().tolist()
            [3.0, 4.0]
        """
        self._check()  # before touching refcounts: a disposed variable takes no value
        value = convert(value, dtype=self.dtype, op="assign")
        if value.shape != self.shape or value.dtype != self.dtype:
            raise ValueError(
                f"assign: variable {self.name!r} has shape {list(self.shape)} and dtype "
                f"{self.dtype}, the new value {list(value.shape)} and {value.dtype}"
            )
        new = value.storage
        new.refs += 1
        old = self.storage
        self._storage = new
        _E.release(old)

    def assign_add(self, value) -> None:
        """``v = v + value``.

        Example:
            >>> import webtensor as wt
            >>> v = wt.variable(wt.ones([2]))
            >>> v.assign_add(wt.tensor([1.0, 2.0])); v.numpy().tolist()
            [2.0, 3.0]
        """
        from .ops.elementwise import add

        with scope.tidy():
            self.assign(add(self, value))

    def assign_sub(self, value) -> None:
        """``v = v - value``.

        Example:
            >>> import webtensor as wt
            >>> v = wt.variable(wt.ones([2]))
            >>> v.assign_sub(0.5); v.numpy().tolist()
            [0.5, 0.5]
        """
        from .ops.elementwise import sub

        with scope.tidy():
            self.assign(sub(self, value))


_VARIABLES: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def trainable_variables() -> list[Variable]:
    """Live trainable variables in creation order."""
    return [v for _, v in sorted(_VARIABLES.items()) if v.trainable and not v._disposed]


def variable(initial, trainable: bool = True, name: str | None = None, dtype=None) -> Variable:
    """Make a Variable from a tensor or anything ``wt.tensor`` accepts.

    Example:
        >>> import webtensor as wt
        >>> biases = wt.variable(wt.zeros([5]))
        >>> biases.assign(wt.tensor1d([0, 1, 0, 1, 0]))
        >>> biases.numpy().tolist()
        [0.0, 1.0, 0.0, 1.0, 0.0]
    """
    with scope.tidy():
        init = convert(initial, dtype=dtype, op="variable")
        if dtype is not None and init.dtype != dtypes.normalize(dtype):
            init = apply("cast", [init], dtype=dtypes.normalize(dtype))
        return Variable(init, trainable, name)


# -- construction ------------------------------------------------------------
def from_host(values: np.ndarray, shape: tuple, dtype: str, track: bool = True) -> Tensor:
    """A tensor holding ``values`` (already of ``dtype``); uploaded on first GPU use."""
    flat = np.ascontiguousarray(values, dtype=np.float32).reshape(-1)
    st = _E.new_storage(flat.size, flat)
    return Tensor(st, tuple(int(d) for d in shape), dtype, track)


def convert(x, dtype=None, op: str = "op") -> Tensor:
    """``x`` as a tensor: tensors pass through, anything else goes through ``wt.tensor``."""
    if getattr(x, "_is_tensor", False):
        return x._check()
    if dtype is None:
        dtype = dtypes.infer_dtype(x)
    else:
        dtype = dtypes.normalize(dtype)
    arr = dtypes.to_host(x, dtype, op)
    return from_host(arr, arr.shape, dtype)


def draw(
    shader: str,
    inputs: Sequence[tuple[str, Tensor]],
    shape: tuple,
    dtype: str,
    uniforms: dict | None = None,
    defines: tuple = (),
    outputs: int = 1,
):
    """Run one program; returns a Tensor (or a list of ``outputs`` Tensors)."""
    size = math.prod(shape)
    sts = _E.draw(shader, [(n, t.storage) for n, t in inputs], size, uniforms, defines, outputs)
    outs = [Tensor(st, shape, dtype) for st in sts]
    return outs[0] if outputs == 1 else outs


def apply(name: str, inputs: list, **attrs):
    """Run registered kernel ``name`` on ``inputs``: forward, then tape and debug checks."""
    kernel = registry.get(name)
    outs = kernel.forward(*inputs, **attrs)
    if autodiff.TAPES:
        autodiff.record(kernel, inputs, outs, attrs)
    if _E.debug:
        from .debug import check_outputs

        check_outputs(kernel, inputs, outs, attrs)
    return outs


def tensor_method(*names: str):
    """Decorator: make an op available as ``Tensor.<name>`` too (first argument is self)."""

    def deco(fn):
        for n in names or (fn.__name__,):
            setattr(Tensor, n, fn)
        return fn

    return deco


__all__ = ["Tensor", "Variable", "variable"]
