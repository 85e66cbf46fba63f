"""Layer wrappers: Bidirectional (an RNN both ways) and TimeDistributed (a layer per step).

Weights are named as TensorFlow.js names them: ``<bidirectional>/forward_<inner>/kernel``
and ``<bidirectional>/backward_<inner>/...``; ``<time_distributed>/kernel`` for the wrapped
layer of a TimeDistributed.
"""

from __future__ import annotations

from ..ops.elementwise import add, mul
from ..ops.movement import concat, reshape, reverse
from ..tensor import convert
from .base import Layer, deserialize, layer_factory, serialize

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _as_layer(layer) -> Layer:
    if isinstance(layer, dict):
        return deserialize(layer)
    if not isinstance(layer, Layer):
        raise ValueError(f"expected a Layer (or its serialized config), got {type(layer).__name__}")
    return layer


def _build_as(layer: Layer, name: str, shape) -> None:
    """Build ``layer`` with its weights named ``<name>/<weight>``."""
    keep = layer.name
    layer.name = name
    try:
        layer._maybe_build(shape)
    finally:
        layer.name = keep
        cell = getattr(layer, "cell", None)
        if cell is not None:
            cell.name = keep


class Bidirectional(Layer):
    """Run a recurrent layer forwards and backwards and merge the two outputs.

    The backward copy has ``go_backwards`` flipped; with ``return_sequences`` its outputs
    are flipped back to time order before merging.

    Args:
        layer: a recurrent layer (SimpleRNN, GRU, LSTM) or its serialized config.
        merge_mode: 'concat' (default), 'sum', 'mul', 'ave', or None (a list of both).
        backward_layer: an explicit backward layer with the opposite ``go_backwards``
            (default: a copy of ``layer`` with ``go_backwards`` flipped); saved with the model.

    Example:
        >>> import webtensor as wt
        >>> from webtensor.layers.recurrent import LSTM
        >>> from webtensor.layers.wrappers import Bidirectional
        >>> bi = Bidirectional(LSTM(3, return_sequences=True, name="lstm"), name="bi")
        >>> bi(wt.ones([2, 5, 4])).shape, bi.weights[0].name
        ((2, 5, 6), 'bi/forward_lstm/kernel')
    """

    def __init__(self, layer, merge_mode: str | None = "concat", backward_layer=None,
                 weights=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {list(_MERGE_MODES)}, "
                             f"got {merge_mode!r}")
        layer = _as_layer(layer)
        if not hasattr(layer, "go_backwards"):
            raise ValueError(f"Bidirectional: expected a recurrent layer, got "
                             f"{type(layer).__name__}")
        self.layer = layer
        self.merge_mode = merge_mode
        config = layer.get_config()
        inner = config["name"]
        fwd_cfg = dict(config, name=f"forward_{inner}")
        self.forward_layer = type(layer).from_config(fwd_cfg)
        self._explicit_backward = backward_layer is not None
        if backward_layer is None:
            bwd_cfg = dict(config, name=f"backward_{inner}",
                           go_backwards=not config.get("go_backwards", False))
            self.backward_layer = type(layer).from_config(bwd_cfg)
        else:
            self.backward_layer = _as_layer(backward_layer)
            if not hasattr(self.backward_layer, "go_backwards"):
                raise ValueError(f"Bidirectional: backward_layer must be a recurrent layer, "
                                 f"got {type(self.backward_layer).__name__}")
            if self.backward_layer.go_backwards == bool(config.get("go_backwards", False)):
                raise ValueError("Bidirectional: backward_layer must have the opposite "
                                 f"go_backwards of layer (both are "
                                 f"{self.backward_layer.go_backwards})")
            self.backward_layer.name = f"backward_{inner}"
        self.return_sequences = bool(config.get("return_sequences", False))
        self.return_state = bool(config.get("return_state", False))
        self._initial_weights = weights

    def build(self, input_shape) -> None:
        shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        _build_as(self.forward_layer, f"{self.name}/{self.forward_layer.name}", shape)
        _build_as(self.backward_layer, f"{self.name}/{self.backward_layer.name}", shape)
        self._trainable_weights = (self.forward_layer._trainable_weights
                                   + self.backward_layer._trainable_weights)
        self._non_trainable_weights = (self.forward_layer._non_trainable_weights
                                       + self.backward_layer._non_trainable_weights)
        self._regularized = self.forward_layer._regularized + self.backward_layer._regularized
        self._constraints = {**self.forward_layer._constraints,
                             **self.backward_layer._constraints}
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def __call__(self, inputs, initial_state=None, **kwargs):
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [
                initial_state]
            inputs = [inputs, *states]
        return super().__call__(inputs, **kwargs)

    def _merge(self, y_f, y_b):
        if self.return_sequences:
            y_b = reverse(y_b, 1)
        mode = self.merge_mode
        if mode == "concat":
            return concat([y_f, y_b], -1)
        if mode == "sum":
            return add(y_f, y_b)
        if mode == "mul":
            return mul(y_f, y_b)
        if mode == "ave":
            return mul(add(y_f, y_b), 0.5)
        return [y_f, y_b]

    def call(self, inputs, training: bool = False, initial_state=None, mask=None):
        if isinstance(inputs, (list, tuple)):
            inputs, init = inputs[0], list(inputs[1:])
        else:
            init = []
        if initial_state is not None:
            init = list(initial_state)
        x = convert(inputs, op=self.name)
        half = len(init) // 2
        kw_f = {"initial_state": init[:half]} if init else {}
        kw_b = {"initial_state": init[half:]} if init else {}
        out_f = self.forward_layer.call(x, training=training, **kw_f)
        out_b = self.backward_layer.call(x, training=training, **kw_b)
        self._add_activity_losses(self.forward_layer.activity_regularizer, out_f, training)
        self._add_activity_losses(self.backward_layer.activity_regularizer, out_b,
                                  training)
        if self.return_state:
            y = self._merge(out_f[0], out_b[0])
            ys = y if isinstance(y, list) else [y]
            return [*ys, *out_f[1:], *out_b[1:]]
        return self._merge(out_f, out_b)

    def compute_output_shape(self, input_shape):
        shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        out = self.forward_layer.compute_output_shape(shape)
        states = []
        if self.return_state:
            out, states = out[0], list(out[1:])
        if self.merge_mode == "concat":
            out = (*out[:-1], 2 * out[-1])
        outs = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            return [*outs, *states, *states]
        return outs if self.merge_mode is None else out

    def get_config(self) -> dict:
        config = super().get_config()
        config["layer"] = serialize(self.layer)
        config["merge_mode"] = self.merge_mode
        if self._explicit_backward:
            config["backward_layer"] = serialize(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Bidirectional:
        config = dict(config)
        config.pop("num_constants", None)
        return cls(**config)


class TimeDistributed(Layer):
    """Apply a layer to every time step: [batch, time, ...] -> [batch, time, ...out].

    Args:
        layer: any layer (or its serialized config); its weights are named
            ``<time_distributed>/<weight>``.

    Example:
        >>> import webtensor as wt
        >>> from webtensor.layers.wrappers import TimeDistributed
        >>> td = TimeDistributed(wt.layers.Dense(2), name="td")
        >>> td(wt.ones([3, 4, 5])).shape, td.weights[0].name
        ((3, 4, 2), 'td/kernel')
    """

    def __init__(self, layer, **kwargs) -> None:
        super().__init__(**kwargs)
        self.layer = _as_layer(layer)

    def build(self, input_shape) -> None:
        if len(input_shape) < 3:
            raise ValueError(f"TimeDistributed {self.name!r}: expected input of rank >= 3 "
                             f"[batch, time, ...], got shape {list(input_shape)}")
        _build_as(self.layer, self.name, (None, *input_shape[2:]))
        self._trainable_weights = self.layer._trainable_weights
        self._non_trainable_weights = self.layer._non_trainable_weights
        self._regularized = self.layer._regularized
        self._constraints = self.layer._constraints
        self.built = True

    def call(self, inputs, training: bool = False, mask=None):
        x = convert(inputs, op=self.name)
        if x.rank < 3:
            raise ValueError(f"TimeDistributed {self.name!r}: expected input of rank >= 3, got "
                             f"shape {list(x.shape)}")
        batch, steps = x.shape[:2]
        y = self.layer.call(reshape(x, (batch * steps, *x.shape[2:])), training=training)
        self._add_activity_losses(self.layer.activity_regularizer, y, training)
        return reshape(y, (batch, steps, *y.shape[1:]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((None, *input_shape[2:]))
        return (input_shape[0], input_shape[1], *inner[1:])

    def get_config(self) -> dict:
        config = super().get_config()
        config["layer"] = serialize(self.layer)
        return config


bidirectional = layer_factory(Bidirectional, "bidirectional",
    "wt.layers.bidirectional(layer=wt.layers.SimpleRNN(2))(wt.ones([1, 3, 4]))"
                         ".shape\n        (1, 4)")
time_distributed = layer_factory(TimeDistributed, "time_distributed",
    "wt.layers.time_distributed(layer=wt.layers.Dense(2))(wt.ones([1, 3, 4]))"
                            ".shape\n        (1, 3, 2)")

__all__ = ["Bidirectional", "TimeDistributed", "bidirectional", "time_distributed"]
