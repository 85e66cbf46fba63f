"""Normalization layers: BatchNormalization, LayerNormalization."""

from __future__ import annotations

from .. import initializers as _initializers
from ..ops.elementwise import add, mul, rsqrt, sub
from ..ops.movement import reshape
from ..ops.nn import batch_norm
from ..ops.reduce import moments
from .base import InputSpec, Layer
from .core import set_weight_args, weight_config


def _axes(axis, rank: int, layer: str) -> list[int]:
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(f"{layer}: axis {a} is out of range for rank {rank}")
        out.append(a % rank)
    return sorted(out)


class BatchNormalization(Layer):
    """Normalise with batch statistics in training, moving averages at inference.

    Weights (in ``get_weights`` order): gamma, beta (trainable), moving_mean,
    moving_variance (non-trainable). Training updates
    ``moving = moving * momentum + batch * (1 - momentum)`` (biased batch variance).

    Example:
        >>> import webtensor as wt
        >>> bn = wt.layers.BatchNormalization(epsilon=0.0)
        >>> bn(wt.tensor([[1.0], [3.0]]), training=True).numpy().ravel().tolist()
        [-1.0, 1.0]
    """

    def __init__(self, axis=-1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        set_weight_args(self, "beta", beta_initializer, beta_regularizer, beta_constraint)
        set_weight_args(self, "gamma", gamma_initializer, gamma_regularizer, gamma_constraint)
        self.moving_mean_initializer = _initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = _initializers.get(moving_variance_initializer)

    def build(self, input_shape) -> None:
        rank = len(input_shape)
        self._axes = _axes(self.axis, rank, self.name)
        shape = tuple(input_shape[a] for a in self._axes)
        if None in shape:
            raise ValueError(f"BatchNormalization {self.name!r}: axis {self.axis} of the input "
                             f"{list(input_shape)} must be known")
        self.gamma = (self.add_weight("gamma", shape, self.gamma_initializer,
                                      self.gamma_regularizer, self.gamma_constraint)
                      if self.scale else None)
        self.beta = (self.add_weight("beta", shape, self.beta_initializer,
                                     self.beta_regularizer, self.beta_constraint)
                     if self.center else None)
        self.moving_mean = self.add_weight("moving_mean", shape, self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape,
                                               self.moving_variance_initializer,
                                               trainable=False)
        self.input_spec = InputSpec(ndim=rank, axes={a: input_shape[a] for a in self._axes})
        self.built = True

    def _bshape(self, rank: int, input_shape) -> tuple:
        return tuple(input_shape[i] if i in self._axes else 1 for i in range(rank))

    def call(self, inputs, training: bool = False):
        rank = inputs.rank
        bshape = self._bshape(rank, inputs.shape)

        def b(t):
            return None if t is None else reshape(t, bshape)

        if training:
            reduce_axes = [i for i in range(rank) if i not in self._axes]
            mean, var = moments(inputs, reduce_axes)
            m = self.momentum
            self.moving_mean.assign(add(mul(self.moving_mean, m), mul(mean, 1.0 - m)))
            self.moving_variance.assign(add(mul(self.moving_variance, m), mul(var, 1.0 - m)))
        else:
            mean, var = self.moving_mean, self.moving_variance
        return batch_norm(inputs, b(mean), b(var), b(self.beta), b(self.gamma), self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(axis=self.axis, momentum=self.momentum, epsilon=self.epsilon,
                      center=self.center, scale=self.scale,
                      **weight_config(self, "beta", "gamma"),
                      moving_mean_initializer=_initializers.serialize(
                          self.moving_mean_initializer),
                      moving_variance_initializer=_initializers.serialize(
                          self.moving_variance_initializer))
        return config


class LayerNormalization(Layer):
    """Normalise each sample over ``axis`` (default the last), then scale and shift.

    Weights: gamma (ones), beta (zeros), shaped like the normalised axes.

    Example:
        >>> import webtensor as wt
        >>> ln = wt.layers.LayerNormalization(epsilon=0.0)
        >>> ln(wt.tensor([[1.0, 3.0]])).numpy().tolist()
        [[-1.0, 1.0]]
    """

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        set_weight_args(self, "beta", beta_initializer, beta_regularizer, beta_constraint)
        set_weight_args(self, "gamma", gamma_initializer, gamma_regularizer, gamma_constraint)

    def build(self, input_shape) -> None:
        rank = len(input_shape)
        self._axes = _axes(self.axis, rank, self.name)
        shape = tuple(input_shape[a] for a in self._axes)
        self.gamma = (self.add_weight("gamma", shape, self.gamma_initializer,
                                      self.gamma_regularizer, self.gamma_constraint)
                      if self.scale else None)
        self.beta = (self.add_weight("beta", shape, self.beta_initializer,
                                     self.beta_regularizer, self.beta_constraint)
                     if self.center else None)
        self.input_spec = InputSpec(ndim=rank, axes={a: input_shape[a] for a in self._axes})
        self.built = True

    def call(self, inputs, training: bool = False):
        rank = inputs.rank
        bshape = tuple(inputs.shape[i] if i in self._axes else 1 for i in range(rank))
        mean, var = moments(inputs, self._axes, keepdims=True)
        y = mul(sub(inputs, mean), rsqrt(add(var, self.epsilon)))
        if self.gamma is not None:
            y = mul(y, reshape(self.gamma, bshape))
        if self.beta is not None:
            y = add(y, reshape(self.beta, bshape))
        return y

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(axis=self.axis, epsilon=self.epsilon, center=self.center,
                      scale=self.scale, **weight_config(self, "beta", "gamma"))
        return config


__all__ = ["BatchNormalization", "LayerNormalization"]
