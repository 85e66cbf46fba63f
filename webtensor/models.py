"""Models: ``Sequential`` and functional ``Model``, with compile/fit/evaluate/predict.

A functional model is a graph of layer calls between ``wt.input`` placeholders and
outputs (several inputs and outputs and shared layers allowed). A Sequential model
builds the same kind of graph once it knows its input shape. Training steps run
inside ``wt.tidy``: one forward pass, gradients of the batch-averaged loss
(``wt.variable_grads``), one fused optimizer update per weight; memory stays flat.

Example:
    >>> import numpy as np, webtensor as wt
    >>> model = wt.sequential([wt.layers.dense(units=1, input_shape=(2,))])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> h = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=0)
    >>> len(h.history["loss"])
    2
"""

from __future__ import annotations

import math

import numpy as np

from . import callbacks as _callbacks
from . import losses as _losses
from . import metrics as _metrics
from . import train as _train
from .gradients import variable_grads
from .identifiers import resolve
from .layers.base import (
    InputLayer,
    Layer,
    SymbolicTensor,
    _assign_all,
    _shape_str,
    deserialize,
    input,
    register_class,
    serialize,
)
from .ops.elementwise import add, add_n, mul
from .ops.movement import concat, reshape, stack
from .ops.reduce import mean
from .scope import dispose, keep, tidy
from .tensor import Tensor, convert

_OPTIMIZERS = {
    "sgd": lambda: _train.sgd(0.01),
    "adam": lambda: _train.adam(0.001),
    "rmsprop": lambda: _train.rmsprop(0.001),
    "adagrad": lambda: _train.adagrad(0.001),
    "adadelta": lambda: _train.adadelta(0.001),
    "adamax": lambda: _train.adamax(0.001),
}


def get_optimizer(identifier):
    """An optimizer from an object or a Keras name (Keras default learning rates).

    Example:
        >>> from webtensor.models import get_optimizer
        >>> get_optimizer("SGD").learning_rate
        0.01
    """
    if isinstance(identifier, _train.Optimizer):
        return identifier
    return resolve("optimizer", identifier, _OPTIMIZERS)()


def _is_tensor(x) -> bool:
    return getattr(x, "_is_tensor", False)


def _host(x, what: str) -> np.ndarray:
    if _is_tensor(x):
        arr = x.numpy()
        return arr.astype(np.int64) if x.dtype == "int32" else arr
    arr = np.asarray(x)
    if arr.dtype == object:
        raise ValueError(f"{what}: could not turn the data into an array")
    return arr


def _one_array(x: list | tuple) -> bool:
    """``[array]`` as Keras accepts it for a single input or output (a list of numbers
    or of lists is data, not a list of arrays)."""
    return len(x) == 1 and (isinstance(x[0], np.ndarray) or _is_tensor(x[0]))


def _upload(arr: np.ndarray) -> Tensor:
    if arr.dtype.kind == "f":
        return convert(arr.astype(np.float32, copy=False))
    return convert(arr)


class Model(Layer):
    """A functional model: ``wt.model(inputs=x, outputs=y)`` [tf.model].

    Args:
        inputs: a SymbolicTensor from ``wt.input`` or a list of them.
        outputs: a SymbolicTensor (layer output) or a list of them.
        name: the model's name (default ``model``, ``model_1``, ...).

    Example:
        >>> import webtensor as wt
        >>> x = wt.input(shape=(3,))
        >>> y = wt.layers.Dense(2)(x)
        >>> m = wt.model(inputs=x, outputs=y)
        >>> m.predict(wt.ones([5, 3])).shape
        (5, 2)
    """

    def __init__(self, inputs=None, outputs=None, name: str | None = None, **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.optimizer = None
        self.stop_training = False
        self.history: _callbacks.History | None = None
        self._compiled = False
        self._graph = False
        self._model_layers: list[Layer] = []
        self.inputs: list[SymbolicTensor] = []
        self.outputs: list[SymbolicTensor] = []
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("model: give both inputs and outputs")
            self._init_graph(inputs, outputs)

    # -- graph -------------------------------------------------------------------
    def _init_graph(self, inputs, outputs) -> None:
        ins = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        for t in ins + outs:
            if not isinstance(t, SymbolicTensor):
                raise ValueError(f"model {self.name!r}: inputs and outputs must be symbolic "
                                 f"tensors (from wt.input and layer calls), got "
                                 f"{type(t).__name__}")
        for t in ins:
            if not isinstance(t.node.layer, InputLayer):
                raise ValueError(f"model {self.name!r}: input {t.name!r} does not come from "
                                 "wt.input()")
        input_nodes = {id(t.node) for t in ins}
        order: list = []
        seen: set = set()

        def visit(sym: SymbolicTensor, path: tuple) -> None:
            node = sym.node
            if id(node) in seen:
                return
            if isinstance(node.layer, InputLayer) and id(node) not in input_nodes:
                raise ValueError(f"model {self.name!r}: graph disconnected: output depends on "
                                 f"input {node.layer.name!r}, which is not in inputs "
                                 f"{[t.name for t in ins]}")
            for s in node.inputs:
                visit(s, path)
            seen.add(id(node))
            order.append(node)

        for t in outs:
            visit(t, ())
        self.inputs, self.outputs = ins, outs
        self._nodes = [n for n in order if not isinstance(n.layer, InputLayer)]
        layers: list[Layer] = [t.node.layer for t in ins]
        for n in self._nodes:
            if n.layer not in layers:
                layers.append(n.layer)
        names = [layer.name for layer in layers]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"model {self.name!r}: layer names must be unique, found several "
                             f"layers named {dup}")
        self._model_layers = layers
        self._graph = True
        self.built = True

    @property
    def layers(self) -> list[Layer]:
        """The model's layers (InputLayers first for a functional model)."""
        return list(self._model_layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index.

        Example:
            >>> import webtensor as wt
            >>> m = wt.sequential([wt.layers.Dense(1, input_shape=(2,), name="out")])
            >>> m.get_layer("out").units
            1
        """
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"model {self.name!r} has no layer {name!r}; layers: "
                         f"{[layer.name for layer in self.layers]}")

    def _all_layers(self):
        for layer in self.layers:
            yield layer
            if isinstance(layer, Model):
                yield from layer._all_layers()

    def _require_graph(self, what: str) -> None:
        if not self._graph:
            raise ValueError(
                f"{what}: the model {self.name!r} has no input shape yet; give its first layer "
                "input_shape=... (or batch_input_shape), or call model.build(input_shape)"
            )

    def _check_inputs(self, shapes: list[tuple], what: str) -> None:
        if len(shapes) != len(self.inputs):
            raise ValueError(f"{what}: model {self.name!r} expects {len(self.inputs)} input(s), "
                             f"got {len(shapes)}")
        for i, (shape, sym) in enumerate(zip(shapes, self.inputs, strict=True)):
            want = sym.shape
            ok = len(shape) == len(want) and all(w is None or w == d
                                                 for w, d in zip(want[1:], shape[1:]))
            if not ok:
                raise ValueError(f"{what}: input {i} of model {self.name!r} should have shape "
                                 f"{_shape_str(want)}, got {_shape_str(tuple(shape))}")

    def _run(self, xs: list[Tensor], training: bool) -> list[Tensor]:
        values = {id(sym): x for sym, x in zip(self.inputs, xs, strict=True)}
        for node in self._nodes:
            args = [values[id(s)] for s in node.inputs]
            out = node.layer(args if node.multi_input else args[0], training=training,
                             **node.kwargs)
            outs = out if isinstance(out, (list, tuple)) else [out]
            for sym, t in zip(node.outputs, outs, strict=True):
                values[id(sym)] = t
        return [values[id(s)] for s in self.outputs]

    def call(self, inputs, training: bool = False):
        xs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if not self._graph:
            self.build(xs[0].shape)
        self._check_inputs([x.shape for x in xs], f"model {self.name!r}")
        outs = self._run(xs, training)
        return outs if len(outs) > 1 else outs[0]

    def compute_output_shape(self, input_shape):
        self._require_graph(f"model {self.name!r}")
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        self._check_inputs(shapes, f"model {self.name!r}")
        batch = shapes[0][0]
        outs = [(batch, *o.shape[1:]) for o in self.outputs]
        return outs if len(outs) > 1 else outs[0]

    def build(self, input_shape) -> None:
        """Functional models are built at construction; Sequential overrides this."""
        self.built = True

    # -- weights -------------------------------------------------------------------
    @property
    def trainable_weights(self) -> list:
        """Trainable weights of all layers, in layer order."""
        if not self.trainable:
            return []
        out = []
        for layer in self.layers:
            out += [w for w in layer.trainable_weights if all(w is not o for o in out)]
        return out

    @property
    def non_trainable_weights(self) -> list:
        """Non-trainable weights of all layers, in layer order."""
        out: list = []
        for layer in self.layers:
            ws = layer.weights if not self.trainable else layer.non_trainable_weights
            out += [w for w in ws if all(w is not o for o in out)]
        return out

    def save(self, path) -> None:
        """Save to directory ``path`` in the TensorFlow.js layers format (``model.json`` +
        weight shards), atomically: an error never leaves a half-written directory.

        Example:
            >>> import os, tempfile, webtensor as wt
            >>> d = tempfile.mkdtemp()
            >>> wt.sequential([wt.layers.Dense(1, input_shape=(2,))]).save(d)
            >>> os.path.exists(os.path.join(d, "model.json"))
            True
        """
        from .io import save_model

        save_model(self, path)

    def get_weights(self) -> list[np.ndarray]:
        """All trainable weights in layer order, then the non-trainable ones (numpy).

        Example:
            >>> import webtensor as wt
            >>> m = wt.sequential([wt.layers.Dense(2, input_shape=(3,))])
            >>> [w.shape for w in m.get_weights()]
            [(3, 2), (2,)]
        """
        self._require_graph("get_weights")
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Assign all weights, in ``get_weights`` order (shapes must match).

        Example:
            >>> import numpy as np, webtensor as wt
            >>> m = wt.sequential([wt.layers.Dense(1, input_shape=(1,))])
            >>> m.set_weights([np.array([[2.0]]), np.array([1.0])])
            >>> m.predict(np.array([[3.0]])).numpy().tolist()
            [[7.0]]
        """
        self._require_graph("set_weights")
        _assign_all(self.weights, weights, f"model {self.name!r}")

    def regularization_losses(self) -> list[Tensor]:
        out = []
        for layer in self.layers:
            out += layer.regularization_losses()
        return out

    def apply_constraints(self) -> None:
        for layer in self.layers:
            layer.apply_constraints()

    # -- compile -------------------------------------------------------------------
    def _output_names(self) -> list[str]:
        names = []
        for o in self.outputs:
            names.append(o.node.layer.name)
        return names

    def compile(self, optimizer="rmsprop", loss=None, metrics=None,
                loss_weights=None) -> None:
        """Configure training [compile].

        Args:
            optimizer: an optimizer object (``wt.train.adam(0.01)``) or a name ('sgd', 'adam',
                'rmsprop', 'adagrad', 'adadelta', 'adamax'; Keras default learning rates).
            loss: a loss name or function; for several outputs one for all, a list, or a
                dict by output layer name.
            metrics: names or functions ('accuracy' picks binary/categorical accuracy from
                the loss); for several outputs a list for all, or a dict by output name.
            loss_weights: per-output weights of the total loss (list or dict).

        Example:
            >>> import webtensor as wt
            >>> m = wt.sequential([wt.layers.Dense(2, input_shape=(3,), activation="softmax")])
            >>> m.compile("adam", "categoricalCrossentropy", ["accuracy"])
            >>> m.metrics_names
            ['loss', 'accuracy']
        """
        self._require_graph("compile")
        if loss is None:
            raise ValueError(f"compile: model {self.name!r} needs a loss")
        self.optimizer = get_optimizer(optimizer)
        names = self._output_names()
        n = len(names)
        per_out = self._per_output(loss, names, "loss")
        self._losses = [(_losses.name_of(lo), _losses.get(lo)) for lo in per_out]
        if loss_weights is None:
            self._loss_weights = [1.0] * n
        else:
            self._loss_weights = [float(w) for w in self._per_output(loss_weights, names,
                                                                     "loss_weights")]
        if metrics is None:
            mets = [[] for _ in range(n)]
        elif isinstance(metrics, dict):
            mets = [metrics.get(name, []) for name in names]
            mets = [m if isinstance(m, (list, tuple)) else [m] for m in mets]
        elif isinstance(metrics, (list, tuple)):
            if n > 1 and len(metrics) == n and all(isinstance(m, (list, tuple))
                                                    for m in metrics):
                mets = [list(m) for m in metrics]
            else:
                mets = [list(metrics) for _ in range(n)]
        else:
            mets = [[metrics] for _ in range(n)]
        self._metrics = []
        for i, ms in enumerate(mets):
            entries = []
            for m in ms:
                fn = _metrics.for_loss(m, per_out[i])
                key = m if isinstance(m, str) else getattr(fn, "__name__", "metric")
                if n > 1:
                    key = f"{names[i]}_{key}"
                entries.append((key, fn))
            self._metrics.append(entries)
        self._compiled = True

    @staticmethod
    def _per_output(value, names: list[str], what: str) -> list:
        n = len(names)
        if isinstance(value, dict):
            missing = [k for k in value if k not in names]
            if missing:
                raise ValueError(f"compile: {what} names unknown outputs {missing}; outputs "
                                 f"are {names}")
            if what == "loss" and any(name not in value for name in names):
                raise ValueError(f"compile: {what} needs an entry for every output {names}")
            return [value.get(name, 1.0) for name in names]
        if isinstance(value, (list, tuple)):
            if len(value) != n:
                raise ValueError(f"compile: {what} has {len(value)} entries for {n} outputs")
            return list(value)
        return [value] * n

    @property
    def metrics_names(self) -> list[str]:
        """'loss', per-output losses (several outputs), then metric names."""
        if not self._compiled:
            return []
        names = ["loss"]
        if len(self.outputs) > 1:
            names += [f"{n}_loss" for n in self._output_names()]
        for entries in self._metrics:
            names += [k for k, _ in entries]
        return names

    def _require_compiled(self, what: str) -> None:
        if not self._compiled:
            raise ValueError(f"{what}: compile the model {self.name!r} first "
                             "(model.compile(optimizer, loss))")

    # -- data ----------------------------------------------------------------------
    def _inputs_list(self, x, what: str) -> list[np.ndarray]:
        if isinstance(x, dict):
            names = [s.node.layer.name for s in self.inputs]
            missing = [n for n in names if n not in x]
            if missing:
                raise ValueError(f"{what}: x has no data for inputs {missing}")
            xs = [x[n] for n in names]
        elif isinstance(x, (list, tuple)) and (len(self.inputs) > 1 or _one_array(x)):
            xs = list(x)
        else:
            xs = [x]
        arrays = [_host(a, what) for a in xs]
        self._check_inputs([a.shape for a in arrays], what)
        return arrays

    def _targets_list(self, y, what: str) -> list[np.ndarray]:
        n = len(self.outputs)
        if isinstance(y, dict):
            names = self._output_names()
            missing = [name for name in names if name not in y]
            if missing:
                raise ValueError(f"{what}: y has no targets for outputs {missing}")
            ys = [y[name] for name in names]
        elif isinstance(y, (list, tuple)) and (n > 1 or _one_array(y)):
            ys = list(y)
        else:
            ys = [y]
        if len(ys) != n:
            raise ValueError(f"{what}: model {self.name!r} has {n} outputs, got {len(ys)} "
                             "target arrays")
        return [_host(a, what) for a in ys]

    @staticmethod
    def _check_lengths(xs: list[np.ndarray], ys: list[np.ndarray], what: str) -> int:
        lengths = {len(a) for a in xs + ys}
        if len(lengths) != 1:
            raise ValueError(f"{what}: x and y must have the same number of samples, got x "
                             f"{[len(a) for a in xs]} and y {[len(a) for a in ys]}")
        n = lengths.pop()
        if n == 0:
            raise ValueError(f"{what}: no samples")
        return n

    # -- one step ------------------------------------------------------------------
    def _loss_terms(self, outs: list[Tensor], ys: list[Tensor], sw: Tensor | None):
        parts = []
        for (_, fn), w, out, y in zip(self._losses, self._loss_weights, outs, ys, strict=True):
            if y.shape != out.shape and y.size == out.size and y.rank != out.rank:
                y = reshape(y, out.shape)  # [n] targets for [n, 1] outputs, as Keras
            per = fn(y, out)
            if sw is not None:
                per = mul(per, reshape(sw, (sw.shape[0],) + (1,) * (per.rank - 1)))
            term = mean(per)
            if w != 1.0:
                term = mul(term, w)
            parts.append(term)
        total = parts[0] if len(parts) == 1 else add_n(parts)
        return total, parts

    def _penalties(self) -> list[Tensor]:
        out = self.regularization_losses()
        for layer in self._all_layers():
            out += layer._activity_losses
            layer._activity_losses = []
        return out

    def _metric_values(self, outs: list[Tensor], ys: list[Tensor]) -> list[Tensor]:
        vals = []
        for entries, out, y in zip(self._metrics, outs, ys, strict=True):
            if y.shape != out.shape and y.size == out.size and y.rank != out.rank:
                y = reshape(y, out.shape)
            for _, fn in entries:
                vals.append(mean(fn(y, out)))
        return vals

    def _scalars(self, total: Tensor, parts: list[Tensor], mets: list[Tensor]) -> list[float]:
        items = [total] + (parts if len(parts) > 1 else []) + mets
        values = stack([reshape(t, ()) for t in items]).numpy()
        return [float(v) for v in values]

    def _train_batch(self, xs: list[np.ndarray], ys: list[np.ndarray],
                     sw: np.ndarray | None) -> list[float]:
        def step():
            xt = [_upload(a) for a in xs]
            yt = [_upload(a) for a in ys]
            swt = None if sw is None else _upload(sw.astype(np.float32))
            trainable = self.trainable_weights
            held: dict = {}

            def loss_fn():
                for layer in self._all_layers():
                    layer._activity_losses = []
                outs = self._run(xt, training=True)
                total, parts = self._loss_terms(outs, yt, swt)
                pens = self._penalties()
                if pens:
                    total = add(total, add_n(pens) if len(pens) > 1 else pens[0])
                extra = (parts if len(parts) > 1 else []) + self._metric_values(outs, yt)
                if extra:  # survives variable_grads' scope; disposed below
                    held["extra"] = keep(stack([reshape(t, ()) for t in extra]))
                return total

            try:
                if trainable:
                    total, grads = variable_grads(loss_fn, trainable)
                    self.optimizer.apply_gradients([(v, grads.get(v.name)) for v in trainable])
                    self.apply_constraints()
                else:
                    total = loss_fn()
                if "extra" in held:
                    both = concat([reshape(total, (1,)), held["extra"]], 0)
                    values = [float(v) for v in both.numpy()]
                else:
                    values = [float(total.item())]
            finally:
                if "extra" in held:
                    held["extra"].dispose()
            return values

        return tidy(step)

    def _eval_batch(self, xs: list[np.ndarray], ys: list[np.ndarray],
                    sw: np.ndarray | None) -> list[float]:
        def step():
            xt = [_upload(a) for a in xs]
            yt = [_upload(a) for a in ys]
            swt = None if sw is None else _upload(sw.astype(np.float32))
            outs = self._run(xt, training=False)
            total, parts = self._loss_terms(outs, yt, swt)
            pens = self.regularization_losses()
            if pens:
                total = add(total, add_n(pens) if len(pens) > 1 else pens[0])
            return self._scalars(total, parts, self._metric_values(outs, yt))

        return tidy(step)

    def _sample_weights(self, ys, n, sample_weight, class_weight) -> np.ndarray | None:
        sw = None
        if sample_weight is not None:
            sw = np.asarray(_host(sample_weight, "sample_weight"), dtype=np.float64).reshape(-1)
            if len(sw) != n:
                raise ValueError(f"sample_weight has {len(sw)} entries for {n} samples")
        if class_weight is not None:
            y = ys[0]
            labels = (np.argmax(y, axis=-1) if y.ndim >= 2 and y.shape[-1] > 1
                      else np.rint(y.reshape(n, -1)[:, 0]).astype(np.int64))
            if labels.ndim > 1:
                labels = labels.reshape(n, -1)[:, 0]
            cw = np.array([float(class_weight.get(int(c), 1.0)) for c in labels])
            sw = cw if sw is None else sw * cw
        return sw

    def _logs(self, values: list[float], prefix: str = "") -> dict:
        return {prefix + k: v for k, v in zip(self.metrics_names, values, strict=True)}

    # -- public training API ---------------------------------------------------------
    def fit(self, x, y, batch_size: int = 32, epochs: int = 1, verbose: int = 1,
            callbacks=None, validation_split: float = 0.0, validation_data=None,
            shuffle: bool = True, class_weight: dict | None = None, sample_weight=None,
            initial_epoch: int = 0) -> _callbacks.History:
        """Train for ``epochs`` passes over (x, y) [fit].

        Args:
            x: inputs (numpy array or Tensor; a list or dict for several inputs; a
                one-element list for a single input, as in Keras).
            y: targets (same forms, per output).
            batch_size: samples per gradient step.
            epochs: number of passes.
            verbose: 0 silent, 1 a progress bar per epoch (tqdm), 2 one line per epoch.
            callbacks: Callback objects or dicts of functions (``{'on_epoch_end': fn}``).
            validation_split: fraction of the data, taken from the end before shuffling,
                held out for validation.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, val_sample_weight)``
                (overrides validation_split).
            shuffle: shuffle the training samples every epoch.
            class_weight: ``{class index: weight}`` scaling each sample's loss.
            sample_weight: per-sample loss weights.
            initial_epoch: epoch to start counting from.

        Returns:
            A ``History``: ``history.history['loss']``, ``'val_loss'``, metric names.

        Example:
            >>> import numpy as np, webtensor as wt
            >>> m = wt.sequential([wt.layers.Dense(1, input_shape=(1,))])
            >>> m.compile(wt.train.sgd(0.1), "mse")
            >>> x = np.linspace(-1, 1, 16).reshape(-1, 1); y = 2 * x + 1
            >>> h = m.fit(x, y, epochs=30, batch_size=4, verbose=0)
            >>> h.history["loss"][-1] < h.history["loss"][0]
            True
        """
        self._require_graph("fit")
        self._require_compiled("fit")
        xs = self._inputs_list(x, "fit")
        ys = self._targets_list(y, "fit")
        n = self._check_lengths(xs, ys, "fit")
        sw = self._sample_weights(ys, n, sample_weight, class_weight)
        val = None
        if validation_data is not None:
            if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2,
                                                                                          3):
                raise ValueError("fit: validation_data must be (x_val, y_val)")
            vx = self._inputs_list(validation_data[0], "fit (validation_data)")
            vy = self._targets_list(validation_data[1], "fit (validation_data)")
            vn = self._check_lengths(vx, vy, "fit (validation_data)")
            vsw = (self._sample_weights(vy, vn, validation_data[2], None)
                   if len(validation_data) == 3 else None)
            val = (vx, vy, vsw)
        elif validation_split:
            if not 0.0 < validation_split < 1.0:
                raise ValueError(f"fit: validation_split must be in (0, 1), got "
                                 f"{validation_split}")
            split = int(n * (1.0 - validation_split))
            if split == 0 or split == n:
                raise ValueError(f"fit: validation_split={validation_split} of {n} samples "
                                 "leaves no training or no validation data")
            vsw = (None if sample_weight is None else  # class_weight is for training only
                   self._sample_weights(ys, n, sample_weight, None)[split:])
            val = ([a[split:] for a in xs], [a[split:] for a in ys], vsw)
            xs, ys = [a[:split] for a in xs], [a[:split] for a in ys]
            sw = None if sw is None else sw[:split]
            n = split
        batch_size = int(batch_size or 32)
        steps = math.ceil(n / batch_size)
        history = _callbacks.History()
        cbs = _callbacks.CallbackList(callbacks)
        cbs.append(history)
        cbs.set_model(self)
        cbs.set_params({"epochs": epochs, "steps": steps, "samples": n, "verbose": verbose,
                        "batch_size": batch_size})
        self.stop_training = False
        self.history = history
        cbs.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            cbs.on_epoch_begin(epoch)
            order = np.random.permutation(n) if shuffle else np.arange(n)
            totals = None
            seen = 0
            bar = None
            if verbose == 1:
                from tqdm.auto import tqdm

                bar = tqdm(total=steps, desc=f"Epoch {epoch + 1}/{epochs}", unit="batch",
                           leave=True)
            for b in range(steps):
                idx = order[b * batch_size:(b + 1) * batch_size]
                cbs.on_batch_begin(b, {"batch": b, "size": len(idx)})
                values = self._train_batch([a[idx] for a in xs], [a[idx] for a in ys],
                                           None if sw is None else sw[idx])
                weighted = np.array(values) * len(idx)
                totals = weighted if totals is None else totals + weighted
                seen += len(idx)
                batch_logs = self._logs(values)
                cbs.on_batch_end(b, {"batch": b, "size": len(idx), **batch_logs})
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix({k: f"{v:.4g}" for k, v in batch_logs.items()})
                if self.stop_training:
                    break
            logs = self._logs([float(v) for v in totals / seen])  # seen < n after a stop
            if val is not None:
                logs.update(self._logs(self._evaluate_arrays(*val[:2], batch_size, val[2]),
                                       prefix="val_"))
            if bar is not None:
                bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()})
                bar.close()
            elif verbose == 2:
                print(f"Epoch {epoch + 1}/{epochs} - " +
                      " - ".join(f"{k}: {v:.4g}" for k, v in logs.items()))
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end()
        return history

    def _evaluate_arrays(self, xs, ys, batch_size: int, sw=None) -> list[float]:
        n = len(xs[0])
        totals = None
        for start in range(0, n, batch_size):
            sl = slice(start, start + batch_size)
            values = self._eval_batch([a[sl] for a in xs], [a[sl] for a in ys],
                                      None if sw is None else sw[sl])
            weighted = np.array(values) * len(xs[0][sl])
            totals = weighted if totals is None else totals + weighted
        return [float(v) for v in totals / n]

    def _result(self, values: list[float]):
        return values[0] if len(values) == 1 else values

    def evaluate(self, x, y, batch_size: int = 32, verbose: int = 0, sample_weight=None):
        """Loss (and metrics) on (x, y) at inference [evaluate].

        Returns:
            A Python float loss, or ``[loss, *metrics]`` when metrics were compiled (and
            per-output losses for several outputs, as ``metrics_names`` lists them).

        Example:
            >>> import numpy as np, webtensor as wt
            >>> m = wt.sequential([wt.layers.Dense(1, input_shape=(1,), use_bias=False,
            ...                                    kernel_initializer="ones")])
            >>> m.compile("sgd", "mse")
            >>> m.evaluate(np.array([[1.0], [2.0]]), np.array([[0.0], [0.0]]))
            2.5
        """
        self._require_graph("evaluate")
        self._require_compiled("evaluate")
        xs = self._inputs_list(x, "evaluate")
        ys = self._targets_list(y, "evaluate")
        n = self._check_lengths(xs, ys, "evaluate")
        sw = self._sample_weights(ys, n, sample_weight, None)
        values = self._evaluate_arrays(xs, ys, int(batch_size), sw)
        if verbose:
            print(" - ".join(f"{k}: {v:.4g}" for k, v in self._logs(values).items()))
        return self._result(values)

    def predict(self, x, batch_size: int = 32, verbose: int = 0):
        """Outputs for ``x`` at inference, in batches [predict].

        Returns:
            A Tensor (a list of Tensors for several outputs).

        Example:
            >>> import numpy as np, webtensor as wt
            >>> m = wt.sequential([wt.layers.Dense(3, input_shape=(2,))])
            >>> m.predict(np.zeros((70, 2)), batch_size=32).shape
            (70, 3)
        """
        self._require_graph("predict")
        xs = self._inputs_list(x, "predict")
        n = len(xs[0])
        if any(len(a) != n for a in xs):
            raise ValueError(f"predict: inputs have different numbers of samples "
                             f"{[len(a) for a in xs]}")
        batch_size = int(batch_size)
        chunks: list[list[Tensor]] = []
        for start in range(0, n, batch_size):
            sl = slice(start, start + batch_size)
            chunks.append(tidy(lambda sl=sl: self._run([_upload(a[sl]) for a in xs], False)))
        if len(chunks) == 1:
            outs = chunks[0]
        else:
            outs = []
            for i in range(len(self.outputs)):
                parts = [c[i] for c in chunks]
                outs.append(concat(parts, 0))
                dispose(parts)
        return outs if len(outs) > 1 else outs[0]

    def predict_on_batch(self, x):
        """``predict`` of one batch.

        Example:
            >>> import webtensor as wt
            >>> m = wt.sequential([wt.layers.Dense(3, input_shape=(2,))])
            >>> m.predict_on_batch(wt.ones([4, 2])).shape
            (4, 3)
        """
        self._require_graph("predict_on_batch")
        xs = self._inputs_list(x, "predict_on_batch")
        outs = tidy(lambda: self._run([_upload(a) for a in xs], False))
        return outs if len(outs) > 1 else outs[0]

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None):
        """One gradient step on one batch [trainOnBatch].

        Returns:
            The loss computed before the update (float), or ``[loss, *metrics]``.

        Example:
            >>> import numpy as np, webtensor as wt
            >>> m = wt.sequential([wt.layers.Dense(1, input_shape=(1,), use_bias=False,
            ...                                    kernel_initializer="ones")])
            >>> m.compile(wt.train.sgd(0.1), "mse")
            >>> m.train_on_batch(np.array([[1.0]]), np.array([[0.0]]))
            1.0
            >>> round(m.get_weights()[0].item(), 4)
            0.8
        """
        self._require_graph("train_on_batch")
        self._require_compiled("train_on_batch")
        xs = self._inputs_list(x, "train_on_batch")
        ys = self._targets_list(y, "train_on_batch")
        n = self._check_lengths(xs, ys, "train_on_batch")
        sw = self._sample_weights(ys, n, sample_weight, class_weight)
        return self._result(self._train_batch(xs, ys, sw))

    def test_on_batch(self, x, y, sample_weight=None):
        """Loss (and metrics) on one batch, without training.

        Example:
            >>> import numpy as np, webtensor as wt
            >>> m = wt.sequential([wt.layers.Dense(1, input_shape=(1,), use_bias=False,
            ...                                    kernel_initializer="zeros")])
            >>> m.compile("sgd", "mae")
            >>> m.test_on_batch(np.array([[1.0]]), np.array([[3.0]]))
            3.0
        """
        self._require_graph("test_on_batch")
        self._require_compiled("test_on_batch")
        xs = self._inputs_list(x, "test_on_batch")
        ys = self._targets_list(y, "test_on_batch")
        n = self._check_lengths(xs, ys, "test_on_batch")
        sw = self._sample_weights(ys, n, sample_weight, None)
        return self._result(self._eval_batch(xs, ys, sw))

    # -- summary and config ----------------------------------------------------------
    def summary(self, line_length: int | None = None, print_fn=None) -> None:
        """Print the layers with output shapes and parameter counts [summary].

        Example:
            >>> import webtensor as wt
            >>> wt.layers.clear_session()
            >>> m = wt.sequential([wt.layers.Dense(4, input_shape=(3,))], name="demo")
            >>> m.summary()  # doctest: +NORMALIZE_WHITESPACE
            Model: "demo"
            _________________________________________________________________
             Layer (type)                Output Shape              Param #
            =================================================================
             dense (Dense)               (None, 4)                 16
            =================================================================
            Total params: 16
            Trainable params: 16
            Non-trainable params: 0
            _________________________________________________________________
        """
        self._require_graph("summary")
        out = print_fn or print
        sequential_like = isinstance(self, Sequential) or all(
            len(n.inputs) <= 1 for n in self._nodes)
        cols = [29, 26, 10] if sequential_like else [29, 26, 10, 30]
        width = line_length or sum(cols)
        heads = ["Layer (type)", "Output Shape", "Param #"] + (
            [] if sequential_like else ["Connected to"])

        def row(fields):
            text = ""
            for f, c in zip(fields, cols, strict=True):
                text += (" " + str(f)).ljust(c)
            return text.rstrip()

        out(f'Model: "{self.name}"')
        out("_" * width)
        out(row(heads))
        out("=" * width)
        layers = [ly for ly in self.layers if sequential_like is False or
                  not isinstance(ly, InputLayer)]
        for i, layer in enumerate(layers):
            shape = _shape_of(layer, self)
            fields = [f"{layer.name} ({type(layer).__name__})", shape, layer.count_params()]
            if not sequential_like:
                srcs = []
                for node in layer._inbound_nodes:
                    if node in self._nodes:
                        srcs += [f"{s.node.layer.name}[0][{s.index}]" for s in node.inputs]
                fields.append(", ".join(srcs))
            out(row(fields))
            if i < len(layers) - 1 and not sequential_like:
                out("_" * width)
        out("=" * width)
        trainable = sum(math.prod(w.shape) for w in self.trainable_weights)
        non_trainable = sum(math.prod(w.shape) for w in self.non_trainable_weights)
        out(f"Total params: {trainable + non_trainable}")
        out(f"Trainable params: {trainable}")
        out(f"Non-trainable params: {non_trainable}")
        out("_" * width)

    def get_config(self) -> dict:
        """Keras functional config: layers with inbound_nodes, input_layers, output_layers."""
        self._require_graph("get_config")
        node_index = {}
        for layer in self.layers:
            own = [n for n in layer._inbound_nodes
                   if n in self._nodes or isinstance(layer, InputLayer)]
            for k, n in enumerate(own):
                node_index[id(n)] = k
        layers = []
        for layer in self.layers:
            nodes = []
            if not isinstance(layer, InputLayer):
                for n in layer._inbound_nodes:
                    if n not in self._nodes:
                        continue
                    nodes.append([[s.node.layer.name, node_index[id(s.node)], s.index, n.kwargs]
                                  for s in n.inputs])
            layers.append({"name": layer.name, "class_name": type(layer).__name__,
                           "config": layer.get_config(), "inbound_nodes": nodes})

        def ref(s):
            return [s.node.layer.name, node_index[id(s.node)], s.index]

        return {"name": self.name, "layers": layers,
                "input_layers": [ref(s) for s in self.inputs],
                "output_layers": [ref(s) for s in self.outputs]}

    @classmethod
    def from_config(cls, config: dict) -> Model:
        """Rebuild a functional model (new layers, new weights) from ``get_config()``."""
        created: dict[str, Layer] = {}
        outputs: dict[tuple, list] = {}
        pending = []
        for data in config["layers"]:
            layer = deserialize({"class_name": data["class_name"], "config": data["config"]})
            created[data["name"]] = layer
            if isinstance(layer, InputLayer):
                outputs[(data["name"], 0)] = [layer.output]
            for k, node in enumerate(data.get("inbound_nodes", [])):
                pending.append((data["name"], k, node))
        while pending:
            progressed = False
            for item in list(pending):
                name, k, node = item
                if all((src, ni) in outputs for src, ni, *_ in node):
                    args = [outputs[(src, ni)][ti] for src, ni, ti, *_ in node]
                    kwargs = node[0][3] if node and len(node[0]) > 3 and node[0][3] else {}
                    out = created[name](args if len(args) > 1 else args[0], **kwargs)
                    outputs[(name, k)] = out if isinstance(out, list) else [out]
                    pending.remove(item)
                    progressed = True
            if not progressed:
                raise ValueError("Model.from_config: the layer graph cannot be rebuilt "
                                 f"(unresolved nodes {[(n, k) for n, k, _ in pending]})")
        ins = [outputs[(n, i)][t] for n, i, t in config["input_layers"]]
        outs = [outputs[(n, i)][t] for n, i, t in config["output_layers"]]
        return cls(inputs=ins if len(ins) > 1 else ins[0],
                   outputs=outs if len(outs) > 1 else outs[0], name=config.get("name"))

    def dispose(self) -> None:
        """Release every weight's texture (and the optimizer's state)."""
        for layer in self.layers:
            layer.dispose()
        if self.optimizer is not None:
            self.optimizer.dispose()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} layers={len(self.layers)}>"


def _shape_of(layer: Layer, model: Model) -> str:
    shapes = [tuple(o.shape for o in n.outputs) for n in layer._inbound_nodes
              if n in model._nodes or isinstance(layer, InputLayer)]
    if not shapes:
        return "?"
    if len(set(shapes)) > 1:
        return "multiple"
    outs = shapes[0]
    return str(outs[0]) if len(outs) == 1 else str(list(outs))


class Sequential(Model):
    """A linear stack of layers [tf.sequential].

    The first layer should carry ``input_shape`` (or call ``build``); then every
    ``add`` extends the graph at once.

    Example:
        >>> import webtensor as wt
        >>> m = wt.Sequential()
        >>> m.add(wt.layers.Dense(4, input_shape=(2,), activation="relu"))
        >>> m.add(wt.layers.Dense(1))
        >>> m.predict(wt.ones([3, 2])).shape
        (3, 1)
    """

    def __init__(self, layers=None, name: str | None = None, **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self._seq_layers: list[Layer] = []
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        """The stacked layers (no InputLayer)."""
        return list(self._seq_layers)

    def add(self, layer: Layer) -> None:
        """Append a layer (an InputLayer first only sets the input shape).

        Example:
            >>> import webtensor as wt
            >>> m = wt.sequential(); m.add(wt.layers.dense(units=2, input_shape=[3]))
            >>> m.outputs[0].shape
            (None, 2)
        """
        if isinstance(layer, SymbolicTensor):
            layer = layer.node.layer
        if not isinstance(layer, Layer):
            raise ValueError(f"Sequential.add: expected a Layer, got {type(layer).__name__}")
        if isinstance(layer, InputLayer):
            if self._seq_layers or self._graph:
                raise ValueError("Sequential.add: an InputLayer can only come first")
            self._input_layer = layer
            self._init_graph(layer.output, layer.output)
            self._model_layers = []
            return
        if any(layer is ly for ly in self._seq_layers):
            raise ValueError(f"Sequential.add: layer {layer.name!r} is already in the model")
        self._seq_layers.append(layer)
        if self._graph:
            try:
                out = layer(self.outputs[0])
            except Exception:
                self._seq_layers.pop()
                raise
            self._set_chain(self.inputs[0], out)
        elif len(self._seq_layers) == 1 and layer.batch_input_shape is not None:
            self.build(layer.batch_input_shape)

    def _set_chain(self, inp: SymbolicTensor, out) -> None:
        if isinstance(out, list):
            raise ValueError("Sequential: every layer must have one output")
        self._init_graph(inp, out)

    def pop(self) -> None:
        """Remove the last layer.

        Example:
            >>> import webtensor as wt
            >>> m = wt.sequential([wt.layers.Dense(2, input_shape=(1,)), wt.layers.Dense(3)])
            >>> m.pop(); m.outputs[0].shape
            (None, 2)
        """
        if not self._seq_layers:
            raise ValueError("Sequential.pop: there are no layers")
        self._seq_layers.pop()
        if self._graph:
            shape = self.inputs[0].shape
            self._graph = False
            if self._seq_layers:
                self.build(shape)

    def build(self, input_shape=None) -> None:
        """Build the graph for inputs of ``input_shape`` (batch dimension included).

        Example:
            >>> import webtensor as wt
            >>> m = wt.sequential([wt.layers.Dense(2)]); m.build((None, 5))
            >>> m.get_weights()[0].shape
            (5, 2)
        """
        if input_shape is None:
            first = self._seq_layers[0] if self._seq_layers else None
            if first is None or first.batch_input_shape is None:
                self._require_graph("build")
            input_shape = first.batch_input_shape
        shape = tuple(None if d is None else int(d) for d in input_shape)
        x = input(batch_shape=shape)
        out = x
        for layer in self._seq_layers:
            out = layer(out)
        self._set_chain(x, out)

    def _init_graph(self, inputs, outputs) -> None:
        super()._init_graph(inputs, outputs)
        self._model_layers = [ly for ly in self._model_layers if not isinstance(ly, InputLayer)]

    def get_config(self) -> dict:
        """``{'name', 'layers': [{'class_name', 'config'}, ...]}`` (first carries the shape)."""
        layers = [serialize(ly) for ly in self._seq_layers]
        if layers and self._graph and "batch_input_shape" not in layers[0]["config"]:
            layers[0]["config"]["batch_input_shape"] = list(self.inputs[0].shape)
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config: dict) -> Sequential:
        """A new Sequential model (new weights) from ``get_config()``."""
        if isinstance(config, list):
            config = {"layers": config}
        model = cls(name=config.get("name"))
        for data in config["layers"]:
            model.add(deserialize(data))
        return model


register_class(Model, "Functional")


def sequential(layers=None, name: str | None = None) -> Sequential:
    """A Sequential model [tf.sequential]; ``layers`` may also be a TF.js dict {'layers': ...}.

    Example:
        >>> import webtensor as wt
        >>> m = wt.sequential([wt.layers.dense(units=1, input_shape=[2])])
        >>> type(m).__name__, len(m.layers)
        ('Sequential', 1)
    """
    if isinstance(layers, dict):
        name = layers.get("name", name)
        layers = layers.get("layers")
    return Sequential(layers=layers, name=name)


def model(inputs=None, outputs=None, name: str | None = None) -> Model:
    """A functional model [tf.model]: ``wt.model(inputs=x, outputs=y)``.

    Example:
        >>> import webtensor as wt
        >>> a, b = wt.input(shape=(2,)), wt.input(shape=(3,))
        >>> merged = wt.layers.Concatenate()([a, b])
        >>> m = wt.model(inputs=[a, b], outputs=wt.layers.Dense(1)(merged))
        >>> m.predict([wt.ones([4, 2]), wt.ones([4, 3])]).shape
        (4, 1)
    """
    if isinstance(inputs, dict) and outputs is None:
        inputs, outputs, name = inputs.get("inputs"), inputs.get("outputs"), inputs.get("name")
    return Model(inputs=inputs, outputs=outputs, name=name)


__all__ = ["Model", "Sequential", "sequential", "model", "input", "get_optimizer"]
