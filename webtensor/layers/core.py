"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Embedding."""

from __future__ import annotations

import math

import numpy as np

from .. import activations as _activations
from .. import constraints as _constraints
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from ..ops.elementwise import add, cast
from ..ops.linalg import matmul
from ..ops.movement import gather, reshape
from ..ops.nn import dropout
from ..tensor import Tensor
from .base import InputSpec, Layer


def weight_config(layer: Layer, *names: str) -> dict:
    """Serialized ``<name>_initializer/_regularizer/_constraint`` attributes of ``layer``."""
    config = {}
    for n in names:
        config[f"{n}_initializer"] = _initializers.serialize(getattr(layer, f"{n}_initializer"))
        config[f"{n}_regularizer"] = _regularizers.serialize(getattr(layer, f"{n}_regularizer"))
        config[f"{n}_constraint"] = _constraints.serialize(getattr(layer, f"{n}_constraint"))
    return config


def set_weight_args(layer: Layer, name: str, initializer, regularizer, constraint) -> None:
    """Resolve and store ``<name>_initializer/_regularizer/_constraint`` on ``layer``."""
    setattr(layer, f"{name}_initializer", _initializers.get(initializer))
    setattr(layer, f"{name}_regularizer", _regularizers.get(regularizer))
    setattr(layer, f"{name}_constraint", _constraints.get(constraint))


def activation_config(fn) -> str:
    """The name of an activation for a config."""
    return _activations.serialize(fn)


class Dense(Layer):
    """``activation(inputs @ kernel + bias)`` on the last axis [tf.layers.dense].

    Weights: ``kernel`` [in, units] (glorot_uniform), ``bias`` [units] (zeros).

    Args:
        units: output size.
        activation: name or function (None: linear).
        use_bias: add a bias.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        kernel_constraint, bias_constraint, activity_regularizer: as in Keras.

    Example:
        >>> import numpy as np, webtensor as wt
        >>> d = wt.layers.Dense(2, input_shape=(3,), kernel_initializer="ones")
        >>> d(np.ones((1, 3))).numpy().tolist()
        [[3.0, 3.0]]
    """

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if int(units) < 1:
            raise ValueError(f"Dense: units must be a positive integer, got {units}")
        self.units = int(units)
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_args(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_args(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.activity_regularizer = _regularizers.get(activity_regularizer)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape) -> None:
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"Dense {self.name!r}: the last dimension of the input must be "
                             f"known, got {list(input_shape)}")
        self.kernel = self.add_weight("kernel", (in_dim, self.units), self.kernel_initializer,
                                      self.kernel_regularizer, self.kernel_constraint)
        self.bias = (self.add_weight("bias", (self.units,), self.bias_initializer,
                                     self.bias_regularizer, self.bias_constraint)
                     if self.use_bias else None)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})
        self.built = True

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        x = inputs if inputs.dtype == "float32" else cast(inputs, "float32")
        lead = x.shape[:-1]
        if x.rank != 2:
            x = reshape(x, (math.prod(lead), x.shape[-1]))
        y = matmul(x, self.kernel)
        if self.bias is not None:
            y = add(y, self.bias)
        if len(lead) != 1:
            y = reshape(y, (*lead, self.units))
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(units=self.units, activation=activation_config(self.activation),
                      use_bias=self.use_bias, **weight_config(self, "kernel", "bias"),
                      activity_regularizer=_regularizers.serialize(self.activity_regularizer))
        return config


class Activation(Layer):
    """Apply an activation function [tf.layers.activation].

    Example:
        >>> import webtensor as wt
        >>> wt.layers.Activation("relu")(wt.tensor([[-1.0, 2.0]])).numpy().tolist()
        [[0.0, 2.0]]
    """

    def __init__(self, activation, **kwargs) -> None:
        super().__init__(**kwargs)
        self.activation = _activations.get(activation)

    def call(self, inputs, training: bool = False):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["activation"] = activation_config(self.activation)
        return config


class Dropout(Layer):
    """Zero a fraction ``rate`` of inputs during training, scaling the rest by 1/(1-rate).

    Identity at inference. ``noise_shape`` broadcasts one mask over some axes.

    Example:
        >>> import webtensor as wt
        >>> layer = wt.layers.Dropout(0.5, seed=0)
        >>> layer(wt.ones([1, 4])).numpy().tolist()
        [[1.0, 1.0, 1.0, 1.0]]
        >>> sorted(set(layer(wt.ones([1, 100]), training=True).numpy().ravel().tolist()))
        [0.0, 2.0]
    """

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._rng = np.random.default_rng(seed)

    def call(self, inputs, training: bool = False):
        if not training or self.rate == 0.0:
            return inputs
        seed = int(self._rng.integers(0, 2**31 - 1))
        if self.noise_shape is None:
            return dropout(inputs, self.rate, seed=seed)
        from ..ops.creation import ones
        from ..ops.elementwise import mul

        shape = tuple(inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        return mul(inputs, dropout(ones(shape), self.rate, seed=seed))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(rate=self.rate, noise_shape=None if self.noise_shape is None else
                      list(self.noise_shape), seed=self.seed)
        return config


class Flatten(Layer):
    """Flatten all axes but the batch axis into one.

    Example:
        >>> import webtensor as wt
        >>> wt.layers.Flatten()(wt.ones([2, 3, 4])).shape
        (2, 12)
    """

    def __init__(self, data_format: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs, training: bool = False):
        if self.data_format == "channels_first" and inputs.rank > 2:
            from ..ops.movement import transpose

            inputs = transpose(inputs, [0, *range(2, inputs.rank), 1])
        return reshape(inputs, (inputs.shape[0], math.prod(inputs.shape[1:])))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (one entry may be -1).

    Example:
        >>> import webtensor as wt
        >>> wt.layers.Reshape((3, -1))(wt.ones([2, 6])).shape
        (2, 3, 2)
    """

    def __init__(self, target_shape, **kwargs) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError(f"Reshape: at most one -1 in target_shape {list(target_shape)}")

    def _resolve(self, sample_shape) -> tuple:
        known = math.prod(d for d in self.target_shape if d != -1)
        if None in sample_shape:
            return tuple(None if d == -1 else d for d in self.target_shape)
        size = math.prod(sample_shape)
        if -1 in self.target_shape:
            if known == 0 or size % known:
                raise ValueError(f"Reshape {self.name!r}: cannot reshape samples of shape "
                                 f"{list(sample_shape)} to {list(self.target_shape)}")
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise ValueError(f"Reshape {self.name!r}: samples of shape {list(sample_shape)} "
                             f"({size} values) do not fit target_shape "
                             f"{list(self.target_shape)} ({known} values)")
        return self.target_shape

    def call(self, inputs, training: bool = False):
        return reshape(inputs, (inputs.shape[0], *self._resolve(inputs.shape[1:])))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self._resolve(input_shape[1:]))

    def get_config(self) -> dict:
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config


class Embedding(Layer):
    """Integer indices -> rows of an ``embeddings`` matrix [input_dim, output_dim].

    Example:
        >>> import numpy as np, webtensor as wt
        >>> e = wt.layers.Embedding(4, 2, embeddings_initializer="ones")
        >>> e(np.array([[0, 3, 1]])).shape
        (1, 3, 2)
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero: bool = False,
                 input_length: int | None = None, **kwargs) -> None:
        if input_length is not None and "input_shape" not in kwargs and \
                "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        set_weight_args(self, "embeddings", embeddings_initializer, embeddings_regularizer,
                        embeddings_constraint)
        self.activity_regularizer = _regularizers.get(activity_regularizer)
        self.mask_zero = bool(mask_zero)
        self.input_length = input_length

    def build(self, input_shape) -> None:
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          self.embeddings_initializer,
                                          self.embeddings_regularizer,
                                          self.embeddings_constraint)
        self.built = True

    def call(self, inputs, training: bool = False):
        idx = inputs if inputs.dtype == "int32" else cast(inputs, "int32")
        return gather(self.embeddings, idx)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(input_dim=self.input_dim, output_dim=self.output_dim,
                      **weight_config(self, "embeddings"),
                      activity_regularizer=_regularizers.serialize(self.activity_regularizer),
                      mask_zero=self.mask_zero, input_length=self.input_length)
        return config


__all__ = ["Dense", "Activation", "Dropout", "Flatten", "Reshape", "Embedding"]
