"""Pooling layers: MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D."""

from __future__ import annotations

from ..ops.nn import avg_pool, max_pool
from ..ops.reduce import max as _max
from ..ops.reduce import mean
from .base import InputSpec, Layer
from .convolutional import (
    _data_format,
    _from_nhwc_shape,
    _nhwc_shape,
    _padding,
    conv_length,
    from_channels_last,
    to_channels_last,
    tuple_arg,
)


class _Pooling2D(Layer):
    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid",
                 data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.pool_size = tuple_arg(pool_size, 2, "pool_size", cls)
        self.strides = self.pool_size if strides is None else tuple_arg(strides, 2, "strides",
                                                                         cls)
        self.padding = _padding(padding, cls)
        self.data_format = _data_format(data_format, cls)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs, training: bool = False):
        x = to_channels_last(inputs, self.data_format)
        y = self._pool(x, self.pool_size, self.strides, self.padding)
        return from_channels_last(y, self.data_format)

    def compute_output_shape(self, input_shape):
        n, h, w, c = _nhwc_shape(input_shape, self.data_format)
        return _from_nhwc_shape(
            (n, conv_length(h, self.pool_size[0], self.padding, self.strides[0]),
             conv_length(w, self.pool_size[1], self.padding, self.strides[1]), c),
            self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(pool_size=list(self.pool_size), strides=list(self.strides),
                      padding=self.padding, data_format=self.data_format)
        return config


class MaxPooling2D(_Pooling2D):
    """Max over ``pool_size`` windows (strides default to pool_size) [tf.layers.maxPooling2d].

    Example:
        >>> import webtensor as wt
        >>> x = wt.reshape(wt.range(16), [1, 4, 4, 1])
        >>> wt.layers.MaxPooling2D()(x).numpy().ravel().tolist()
        [5.0, 7.0, 13.0, 15.0]
    """

    _pool = staticmethod(max_pool)


class AveragePooling2D(_Pooling2D):
    """Mean over ``pool_size`` windows (padding excluded from the mean, as TF).

    Example:
        >>> import webtensor as wt
        >>> x = wt.reshape(wt.range(16), [1, 4, 4, 1])
        >>> wt.layers.AveragePooling2D()(x).numpy().ravel().tolist()
        [2.5, 4.5, 10.5, 12.5]
    """

    _pool = staticmethod(avg_pool)


class _GlobalPooling2D(Layer):
    def __init__(self, data_format=None, keepdims: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=4)

    def _axes(self):
        return (2, 3) if self.data_format == "channels_first" else (1, 2)

    def call(self, inputs, training: bool = False):
        return self._reduce(inputs, axis=self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(data_format=self.data_format, keepdims=self.keepdims)
        return config


class GlobalAveragePooling2D(_GlobalPooling2D):
    """Mean over the spatial axes: [n, h, w, c] -> [n, c].

    Example:
        >>> import webtensor as wt
        >>> wt.layers.GlobalAveragePooling2D()(wt.ones([2, 3, 3, 4])).shape
        (2, 4)
    """

    _reduce = staticmethod(mean)


class GlobalMaxPooling2D(_GlobalPooling2D):
    """Max over the spatial axes: [n, h, w, c] -> [n, c].

    Example:
        >>> import webtensor as wt
        >>> x = wt.reshape(wt.range(8), [1, 2, 2, 2])
        >>> wt.layers.GlobalMaxPooling2D()(x).numpy().tolist()
        [[6.0, 7.0]]
    """

    _reduce = staticmethod(_max)


__all__ = ["MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D"]
