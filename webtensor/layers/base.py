"""The Layer base class, symbolic tensors for the functional API, and the class registry.

A layer creates its weights in ``build(input_shape)`` (through ``add_weight``, which
names them ``<layer>/<weight>``), computes in ``call(inputs, training=False)``, and
describes itself with ``get_config()``; ``from_config`` rebuilds it. Every Layer
subclass is registered by class name, so ``deserialize({'class_name', 'config'})``
finds it (the name in any case style).

Calling a layer on a Tensor (or numpy array) runs it; calling it on a
``SymbolicTensor`` (from ``wt.input``) records a graph node instead, for ``wt.model``.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import numpy as np

from .. import constraints as _constraints
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from ..identifiers import name_key, to_snake_case, valid_names
from ..tensor import Tensor, Variable, convert

# -- registry ------------------------------------------------------------------
_CLASSES: dict[str, type] = {}


def register_class(cls: type, name: str | None = None) -> type:
    """Register a layer (or model) class under ``name`` (default: its class name).

    Example:
        >>> from webtensor.layers.base import get_class
        >>> get_class("dense").__name__
        'Dense'
    """
    _CLASSES[name or cls.__name__] = cls
    return cls


def get_class(name: str) -> type:
    """The registered class a name spells ('Dense', 'dense', 'MaxPooling2D', 'maxPooling2d').

    Raises:
        ValueError: an unknown class name (the message lists the valid names).

    Example:
        >>> from webtensor.layers.base import get_class
        >>> get_class("batchNormalization").__name__
        'BatchNormalization'
    """
    index = {name_key(k): v for k, v in _CLASSES.items()}
    cls = index.get(name_key(str(name)))
    if cls is None:
        raise ValueError(f"Unknown layer class {name!r}; valid names: {valid_names(_CLASSES)}")
    return cls


def serialize(layer: Layer) -> dict:
    """``{'class_name': ..., 'config': ...}`` of a layer (Keras form).

    Example:
        >>> import webtensor as wt
        >>> wt.layers.serialize(wt.layers.Dense(3, name="d"))["config"]["units"]
        3
    """
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config: dict) -> Layer:
    """A new layer from ``{'class_name': ..., 'config': ...}``.

    Example:
        >>> import webtensor as wt
        >>> d = wt.layers.deserialize({"class_name": "Dense", "config": {"units": 2}})
        >>> type(d).__name__, d.units
        ('Dense', 2)
    """
    cls = get_class(config["class_name"])
    return cls.from_config(dict(config.get("config", {})))


# -- names ---------------------------------------------------------------------
_UIDS: dict[str, itertools.count] = defaultdict(lambda: itertools.count(0))


def unique_name(prefix: str, zero_based: bool = True) -> str:
    """Keras/TF.js auto names: ``dense``, ``dense_1``, ``dense_2`` ... (``input_1`` ...).

    Example:
        >>> from webtensor.layers.base import unique_name
        >>> unique_name("my_doc_layer"), unique_name("my_doc_layer")
        ('my_doc_layer', 'my_doc_layer_1')
    """
    n = next(_UIDS[prefix])
    if not zero_based:
        n += 1
    return prefix if n == 0 else f"{prefix}_{n}"


def clear_session() -> None:
    """Restart the automatic layer names (``dense``, ``dense_1``, ... start again).

    Example:
        >>> import webtensor as wt
        >>> wt.layers.clear_session(); wt.layers.Dense(1).name
        'dense'
    """
    _UIDS.clear()


# -- shapes ----------------------------------------------------------------------
Shape = tuple  # dims are ints or None (unknown batch)


def _shape_str(shape) -> str:
    if isinstance(shape, list):
        return ", ".join(_shape_str(s) for s in shape)
    return "[" + ", ".join("None" if d is None else str(d) for d in shape) + "]"


class InputSpec:
    """What a layer accepts: rank limits and known sizes of some axes.

    Example:
        >>> from webtensor.layers.base import InputSpec
        >>> spec = InputSpec(min_ndim=2, axes={-1: 3})
        >>> spec.check("dense", (None, 4))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: Input of layer 'dense' is incompatible: axis -1 should have size 3, ...
    """

    def __init__(self, ndim: int | None = None, min_ndim: int | None = None,
                 max_ndim: int | None = None, axes: dict | None = None) -> None:
        self.ndim, self.min_ndim, self.max_ndim = ndim, min_ndim, max_ndim
        self.axes = dict(axes or {})

    def check(self, layer_name: str, shape: tuple) -> None:
        """Raise ValueError if ``shape`` does not fit."""
        rank = len(shape)
        bad = None
        if self.ndim is not None and rank != self.ndim:
            bad = f"expected rank {self.ndim}, got rank {rank}"
        elif self.min_ndim is not None and rank < self.min_ndim:
            bad = f"expected rank >= {self.min_ndim}, got rank {rank}"
        elif self.max_ndim is not None and rank > self.max_ndim:
            bad = f"expected rank <= {self.max_ndim}, got rank {rank}"
        else:
            for axis, size in self.axes.items():
                d = shape[axis] if -rank <= axis < rank else None
                if size is not None and d is not None and d != size:
                    bad = f"axis {axis} should have size {size}"
                    break
        if bad:
            raise ValueError(f"Input of layer {layer_name!r} is incompatible: {bad}, got shape "
                             f"{_shape_str(shape)}")


# -- symbolic tensors and nodes ---------------------------------------------------
class SymbolicTensor:
    """A placeholder for a layer output in a functional model (shape with None batch).

    Example:
        >>> import webtensor as wt
        >>> x = wt.input(shape=(4,))
        >>> y = wt.layers.dense(units=2)(x)
        >>> y.shape
        (None, 2)
    """

    def __init__(self, shape: tuple, dtype: str, node: Node | None, index: int,
                 name: str) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype
        self.node = node
        self.index = index
        self.name = name

    @property
    def rank(self) -> int:
        """Number of dimensions (batch included)."""
        return len(self.shape)

    def __repr__(self) -> str:
        return f"SymbolicTensor(name={self.name!r}, shape={_shape_str(self.shape)})"


class Node:
    """One call of a layer in a graph: its input symbolic tensors and its outputs."""

    def __init__(self, layer: Layer, inputs: list[SymbolicTensor], kwargs: dict) -> None:
        self.layer = layer
        self.inputs = inputs
        self.kwargs = kwargs
        self.outputs: list[SymbolicTensor] = []
        self.multi_input = False


def _flatten(x) -> list:
    if isinstance(x, (list, tuple)):
        return [y for item in x for y in _flatten(item)]
    return [x]


def _is_symbolic(x) -> bool:
    return any(isinstance(t, SymbolicTensor) for t in _flatten(x))


def _is_input_list(x) -> bool:
    """A list/tuple of several inputs (tensors or arrays), not nested-list data."""
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(
        getattr(t, "_is_tensor", False) or isinstance(t, (np.ndarray, SymbolicTensor))
        for t in x)


def _as_shapes(x):
    if isinstance(x, (list, tuple)) and x and isinstance(x[0], (list, tuple, SymbolicTensor,
                                                                Tensor)):
        return [tuple(t.shape) if hasattr(t, "shape") else tuple(t) for t in x]
    return tuple(x.shape) if hasattr(x, "shape") else tuple(x)


# -- Layer ------------------------------------------------------------------------
_BASE_KWARGS = ("name", "trainable", "input_shape", "batch_input_shape", "batch_size", "dtype",
                "input_dim")


class Layer:
    """Base class of every layer (Keras ``Layer``).

    Subclasses override ``build`` (create weights with ``add_weight``), ``call``,
    ``compute_output_shape`` (optional: the default runs ``call`` on zeros) and
    ``get_config`` (adding their own constructor arguments).

    Args:
        name: unique name (default: the snake_case class name, auto-numbered).
        trainable: whether ``fit`` updates its weights.
        input_shape: shape of one sample (no batch), for the first layer of a model.
        batch_input_shape: the same with the batch dimension (None or a size).
        batch_size: batch size to go with ``input_shape``.
        dtype: the layer's float type ('float32').
        input_dim: for 2-D inputs, shorthand for ``input_shape=(input_dim,)``.

    Example:
        >>> import webtensor as wt
        >>> class Double(wt.layers.Layer):
        ...     def call(self, inputs, training=False):
        ...         return inputs * 2
        >>> Double()(wt.tensor([[1.0, 2.0]])).numpy().tolist()
        [[2.0, 4.0]]
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        register_class(cls)

    def __init__(self, name: str | None = None, trainable: bool = True, input_shape=None,
                 batch_input_shape=None, batch_size: int | None = None, dtype=None,
                 input_dim: int | None = None, **kwargs) -> None:
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) "
                            f"{sorted(kwargs)}")
        self.name = name if name else unique_name(to_snake_case(type(self).__name__))
        self.trainable = bool(trainable)
        self.dtype = "float32" if dtype is None else str(dtype)
        if input_shape is None and input_dim is not None:
            input_shape = (int(input_dim),)
        if batch_input_shape is None and input_shape is not None:
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            batch_input_shape = (batch_size, *input_shape)
        self.batch_input_shape = (None if batch_input_shape is None else
                                  tuple(None if d is None else int(d) for d in batch_input_shape))
        self.built = False
        self.input_spec: InputSpec | None = None
        self.supports_masking = False
        self._trainable_weights: list[Variable] = []
        self._non_trainable_weights: list[Variable] = []
        self._regularized: list[tuple[Variable, object]] = []
        self._constraints: dict[int, object] = {}
        self._inbound_nodes: list[Node] = []
        self._activity_losses: list[Tensor] = []
        self.activity_regularizer = None

    # -- weights ---------------------------------------------------------------
    def add_weight(self, name: str, shape, initializer="glorot_uniform", regularizer=None,
                   constraint=None, trainable: bool = True, dtype: str = "float32") -> Variable:
        """Create a weight Variable named ``<layer name>/<name>``.

        Example:
            >>> import webtensor as wt
            >>> layer = wt.layers.Layer(name="custom")
            >>> layer.add_weight("w", (2, 3), "zeros").name
            'custom/w'
        """
        from ..tensor import variable

        init = _initializers.get(initializer)
        values = init(tuple(int(d) for d in shape))
        v = variable(values, trainable=trainable, name=f"{self.name}/{name}", dtype=dtype)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(v)
        reg = _regularizers.get(regularizer)
        if reg is not None:
            self._regularized.append((v, reg))
        con = _constraints.get(constraint)
        if con is not None:
            self._constraints[v.id] = con
        return v

    @property
    def trainable_weights(self) -> list[Variable]:
        """Weights ``fit`` updates (none when ``trainable`` is False)."""
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[Variable]:
        """Weights ``fit`` leaves alone (all of them when ``trainable`` is False)."""
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    @property
    def weights(self) -> list[Variable]:
        """Trainable weights, then non-trainable ones."""
        return self.trainable_weights + self.non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """The weights' values as numpy arrays (``weights`` order).

        Example:
            >>> import webtensor as wt
            >>> d = wt.layers.Dense(2, input_shape=(3,)); d.build((None, 3))
            >>> [w.shape for w in d.get_weights()]
            [(3, 2), (2,)]
        """
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Assign values (numpy arrays or tensors, ``weights`` order; shapes must match).

        Example:
            >>> import numpy as np, webtensor as wt
            >>> d = wt.layers.Dense(1, use_bias=False); d.build((None, 2))
            >>> d.set_weights([np.ones((2, 1))]); d(np.array([[1.0, 2.0]])).numpy().tolist()
            [[3.0]]
        """
        _assign_all(self.weights, weights, f"layer {self.name!r}")

    def count_params(self) -> int:
        """Number of scalars in all weights.

        Example:
            >>> import webtensor as wt
            >>> d = wt.layers.Dense(2); d.build((None, 3)); d.count_params()
            8
        """
        return int(sum(math.prod(w.shape) for w in self.weights))

    def regularization_losses(self) -> list[Tensor]:
        """The weight penalties, freshly computed (scalar tensors)."""
        if not self.trainable:
            return []
        return [reg(v) for v, reg in self._regularized]

    def apply_constraints(self) -> None:
        """Project constrained weights (after an optimizer step)."""
        from ..scope import tidy

        for v in self._trainable_weights:
            con = self._constraints.get(v.id)
            if con is not None:
                with tidy():
                    v.assign(con(v))

    def dispose(self) -> None:
        """Release the weights' textures."""
        for v in self._trainable_weights + self._non_trainable_weights:
            v.dispose()

    # -- building and calling -----------------------------------------------------
    def build(self, input_shape) -> None:
        """Create the weights for inputs of ``input_shape`` (batch dim included, maybe None)."""
        self.built = True

    def call(self, inputs, training: bool = False):
        """The computation (subclasses implement); ``inputs`` are Tensors."""
        return inputs

    def compute_output_shape(self, input_shape):
        """Output shape(s) for ``input_shape`` (batch may be None).

        The default runs ``call`` on zeros with batch size 1 and reads the shape.
        """
        from ..ops.creation import zeros
        from ..scope import tidy

        def concrete(s):
            return tuple(1 if d is None else d for d in s)

        def run():
            if isinstance(input_shape, list):
                xs = [zeros(concrete(s)) for s in input_shape]
            else:
                xs = zeros(concrete(input_shape))
            out = self.call(xs, training=False)
            return [o.shape for o in out] if isinstance(out, (list, tuple)) else out.shape

        shapes = tidy(run)
        batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]

        def fix(s):
            return (batch, *s[1:]) if s else s

        return [fix(s) for s in shapes] if isinstance(shapes, list) else fix(shapes)

    def _maybe_build(self, input_shape) -> None:
        if not self.built:
            self.build(input_shape)
            self.built = True

    def _check_input(self, input_shape) -> None:
        if self.input_spec is not None and not isinstance(input_shape, list):
            self.input_spec.check(self.name, input_shape)

    def __call__(self, inputs, **kwargs):
        """Run the layer on Tensors/arrays, or record a node on SymbolicTensors."""
        if _is_symbolic(inputs):
            return self._call_symbolic(inputs, kwargs)
        training = bool(kwargs.pop("training", False))
        if _is_input_list(inputs):
            xs = [convert(x, op=self.name) for x in inputs]
            shape = [x.shape for x in xs]
        else:
            xs = convert(inputs, op=self.name)
            shape = xs.shape
        self._maybe_build(shape)
        self._check_input(shape)
        out = self.call(xs, training=training, **kwargs)
        self._add_activity_losses(self.activity_regularizer, out, training)
        return out

    def _add_activity_losses(self, regularizer, outputs, training: bool) -> None:
        """Keep ``regularizer(o)`` of each output for the training loss (training only).

        Wrappers call their inner layers' ``call`` directly and pass the inner
        layer's regularizer here, so it is collected with the wrapper's losses.
        """
        if training and regularizer is not None:
            for o in _flatten(outputs):
                self._activity_losses.append(regularizer(o))

    def _call_symbolic(self, inputs, kwargs):
        kwargs = {k: v for k, v in kwargs.items() if k != "training"}
        multi = isinstance(inputs, (list, tuple))
        syms = list(inputs) if multi else [inputs]
        for s in syms:
            if not isinstance(s, SymbolicTensor):
                raise ValueError(f"layer {self.name!r}: mix of symbolic and concrete inputs; "
                                 "call a layer on wt.input() outputs only")
        shape = [s.shape for s in syms] if multi else syms[0].shape
        self._maybe_build(shape)
        self._check_input(shape)
        out_shape = self.compute_output_shape(shape)
        node = Node(self, syms, kwargs)
        node.multi_input = multi
        self._inbound_nodes.append(node)
        idx = len(self._inbound_nodes) - 1
        multi_out = isinstance(out_shape, list)
        shapes = out_shape if multi_out else [out_shape]
        node.outputs = [
            SymbolicTensor(s, self.dtype, node, i, f"{self.name}/{idx}" + (f":{i}" if multi_out
                                                                              else ""))
            for i, s in enumerate(shapes)
        ]
        return node.outputs if multi_out else node.outputs[0]

    # -- config ------------------------------------------------------------------
    def get_config(self) -> dict:
        """Constructor arguments (Keras keys); subclasses add theirs.

        Example:
            >>> import webtensor as wt
            >>> wt.layers.Layer(name="f").get_config()
            {'name': 'f', 'trainable': True, 'dtype': 'float32'}
        """
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self.batch_input_shape is not None:
            config["batch_input_shape"] = list(self.batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        """A new layer from ``get_config()`` output (TF.js camelCase keys accepted too).

        Example:
            >>> import webtensor as wt
            >>> wt.layers.Dense.from_config({"units": 2, "useBias": False}).use_bias
            False
        """
        return cls(**{to_snake_case(k): v for k, v in config.items()})

    @property
    def output_shape(self):
        """The output shape of the layer's (single) graph node."""
        if not self._inbound_nodes:
            raise AttributeError(f"layer {self.name!r} has not been called on a symbolic input "
                                 "or built in a model yet")
        shapes = {tuple(s.shape for s in n.outputs) for n in self._inbound_nodes}
        if len(shapes) > 1:
            return "multiple"
        outs = self._inbound_nodes[0].outputs
        return outs[0].shape if len(outs) == 1 else [o.shape for o in outs]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} built={self.built}>"


def _assign_all(variables: list[Variable], weights, what: str) -> None:
    weights = list(weights)
    if len(weights) != len(variables):
        raise ValueError(f"set_weights: {what} has {len(variables)} weights, got "
                         f"{len(weights)} arrays")
    values = []
    for v, w in zip(variables, weights, strict=True):
        arr = w.numpy() if getattr(w, "_is_tensor", False) else np.asarray(w, dtype=np.float32)
        if tuple(arr.shape) != tuple(v.shape):
            raise ValueError(f"set_weights: weight {v.name!r} of {what} has shape "
                             f"{list(v.shape)}, got {list(arr.shape)}")
        values.append(arr)
    for v, arr in zip(variables, values, strict=True):
        v.assign(convert(arr.astype(np.float32), dtype=v.dtype))


# -- Input -------------------------------------------------------------------------
class InputLayer(Layer):
    """The layer behind ``wt.input``: produces the model's input placeholder.

    Example:
        >>> import webtensor as wt
        >>> wt.layers.InputLayer(input_shape=(3,), name="in").batch_input_shape
        (None, 3)
    """

    def __init__(self, input_shape=None, batch_size=None, batch_input_shape=None,
                 dtype=None, name=None, sparse=False, **kwargs) -> None:
        if input_shape is None and batch_input_shape is None:
            raise ValueError("InputLayer: give input_shape (or batch_input_shape)")
        name = name or unique_name("input", zero_based=False)
        super().__init__(name=name, input_shape=input_shape, batch_size=batch_size,
                         batch_input_shape=batch_input_shape, dtype=dtype, **kwargs)
        self.built = True
        node = Node(self, [], {})
        self._inbound_nodes.append(node)
        node.outputs = [SymbolicTensor(self.batch_input_shape, self.dtype, node, 0, self.name)]

    @property
    def output(self) -> SymbolicTensor:
        """The placeholder this layer produces."""
        return self._inbound_nodes[0].outputs[0]

    def get_config(self) -> dict:
        return {"batch_input_shape": list(self.batch_input_shape), "dtype": self.dtype,
                "sparse": False, "name": self.name}


def input(shape=None, batch_shape=None, name: str | None = None,  # noqa: A001 - TF.js name
          dtype: str | None = None, batch_size: int | None = None) -> SymbolicTensor:
    """A symbolic model input [tf.input]: ``shape`` excludes the batch dimension.

    Example:
        >>> import webtensor as wt
        >>> wt.input(shape=(28, 28, 1)).shape
        (None, 28, 28, 1)
    """
    if shape is None and batch_shape is None:
        raise ValueError("input: give shape (without the batch dimension) or batch_shape")
    layer = InputLayer(input_shape=shape, batch_input_shape=batch_shape, name=name, dtype=dtype,
                       batch_size=batch_size)
    return layer.output


__all__ = ["Layer", "InputLayer", "InputSpec", "SymbolicTensor", "Node", "input",
           "register_class", "get_class", "serialize", "deserialize", "unique_name",
           "clear_session"]


def layer_factory(cls: type, name: str, example: str):
    """A TF.js-style lowercase factory of ``cls`` (kwargs or one camelCase config dict)."""

    def make(*args, **kwargs):
        if len(args) == 1 and isinstance(args[0], dict) and not kwargs:
            kwargs = {to_snake_case(k): v for k, v in args[0].items()}
            args = ()
        return cls(*args, **kwargs)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = (
        f"A new ``{cls.__name__}`` layer (TF.js ``tf.layers.{name}``); arguments as the class.\n"
        f"\n    Example:\n        >>> import webtensor as wt\n        >>> {example}\n"
    )
    return make
