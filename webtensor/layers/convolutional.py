"""Convolution layers: Conv1D, Conv2D, DepthwiseConv2D, Conv2DTranspose, ZeroPadding2D,
UpSampling2D (channels_last; channels_first is transposed around the channels_last op)."""

from __future__ import annotations

from .. import activations as _activations
from .. import regularizers as _regularizers
from ..ops.conv import conv1d, conv2d, conv2d_transpose, depthwise_conv2d
from ..ops.elementwise import add
from ..ops.movement import pad, reshape, tile, transpose
from .base import InputSpec, Layer
from .core import activation_config, set_weight_args, weight_config


def tuple_arg(value, n: int, what: str, layer: str) -> tuple:
    """An int or a length-``n`` sequence as an ``n``-tuple of ints."""
    if isinstance(value, int):
        return (int(value),) * n
    t = tuple(int(v) for v in value)
    if len(t) != n:
        raise ValueError(f"{layer}: {what} must be an int or {n} ints, got {value!r}")
    return t


def _padding(padding: str, layer: str) -> str:
    p = str(padding).lower()
    if p not in ("valid", "same"):
        raise ValueError(f"{layer}: padding must be 'valid' or 'same', got {padding!r}")
    return p


def _data_format(data_format, layer: str) -> str:
    f = "channels_last" if data_format is None else str(data_format)
    f = {"channelslast": "channels_last", "channelsfirst": "channels_first"}.get(
        f.replace("_", "").lower(), f)
    if f not in ("channels_last", "channels_first"):
        raise ValueError(f"{layer}: data_format must be 'channels_last' or 'channels_first', "
                         f"got {data_format!r}")
    return f


def conv_length(size, k: int, padding: str, stride: int, dilation: int = 1):
    """Output length of a convolution window (None stays None)."""
    if size is None:
        return None
    ek = (k - 1) * dilation + 1
    n = size if padding == "same" else size - ek + 1
    return (n + stride - 1) // stride


def deconv_length(size, k: int, padding: str, stride: int):
    """Output length of a transposed convolution (Keras, no output_padding)."""
    if size is None:
        return None
    return size * stride if padding == "same" else size * stride + max(k - stride, 0)


def to_channels_last(x, data_format: str):
    """NCHW -> NHWC when ``data_format`` is channels_first."""
    return transpose(x, [0, 2, 3, 1]) if data_format == "channels_first" else x


def from_channels_last(y, data_format: str):
    """NHWC -> NCHW when ``data_format`` is channels_first."""
    return transpose(y, [0, 3, 1, 2]) if data_format == "channels_first" else y


def _nhwc_shape(shape, data_format):
    if data_format == "channels_first":
        return (shape[0], shape[2], shape[3], shape[1])
    return tuple(shape)


def _from_nhwc_shape(shape, data_format):
    if data_format == "channels_first":
        return (shape[0], shape[3], shape[1], shape[2])
    return tuple(shape)


class _Conv(Layer):
    """Shared parts of Conv1D and Conv2D."""

    rank = 2

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs) -> None:
        super().__init__(**kwargs)
        cls = type(self).__name__
        if int(filters) < 1:
            raise ValueError(f"{cls}: filters must be a positive integer, got {filters}")
        self.filters = int(filters)
        self.kernel_size = tuple_arg(kernel_size, self.rank, "kernel_size", cls)
        self.strides = tuple_arg(strides, self.rank, "strides", cls)
        self.padding = _padding(padding, cls)
        self.data_format = _data_format(data_format, cls)
        self.dilation_rate = tuple_arg(dilation_rate, self.rank, "dilation_rate", cls)
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_args(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_args(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.activity_regularizer = _regularizers.get(activity_regularizer)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _channels(self, input_shape) -> int:
        c = input_shape[1] if self.data_format == "channels_first" else input_shape[-1]
        if c is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the channel dimension of "
                             f"the input must be known, got {list(input_shape)}")
        return c

    def _kernel_shape(self, channels: int) -> tuple:
        return (*self.kernel_size, channels, self.filters)

    def build(self, input_shape) -> None:
        channels = self._channels(input_shape)
        self.kernel = self.add_weight("kernel", self._kernel_shape(channels),
                                      self.kernel_initializer, self.kernel_regularizer,
                                      self.kernel_constraint)
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer,
                                     self.bias_regularizer, self.bias_constraint)
                     if self.use_bias else None)
        axis = 1 if self.data_format == "channels_first" else -1
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: channels})
        self.built = True

    def _finish(self, y):
        if self.bias is not None:
            y = add(y, self.bias)
        return self.activation(y)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=list(self.kernel_size),
                      strides=list(self.strides), padding=self.padding,
                      data_format=self.data_format, dilation_rate=list(self.dilation_rate),
                      activation=activation_config(self.activation), use_bias=self.use_bias,
                      **weight_config(self, "kernel", "bias"),
                      activity_regularizer=_regularizers.serialize(self.activity_regularizer))
        return config


class Conv1D(_Conv):
    """1-D convolution over [batch, steps, channels]; kernel [k, in, filters].

    Example:
        >>> import webtensor as wt
        >>> c = wt.layers.Conv1D(2, 3, kernel_initializer="ones")
        >>> c(wt.ones([1, 5, 1])).numpy()[0, :, 0].tolist()
        [3.0, 3.0, 3.0]
    """

    rank = 1

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format=None, dilation_rate=1, **kwargs) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         **kwargs)

    def call(self, inputs, training: bool = False):
        x = transpose(inputs, [0, 2, 1]) if self.data_format == "channels_first" else inputs
        y = conv1d(x, self.kernel, self.strides[0], self.padding, self.dilation_rate[0])
        y = self._finish(y)
        return transpose(y, [0, 2, 1]) if self.data_format == "channels_first" else y

    def compute_output_shape(self, input_shape):
        steps_axis = 2 if self.data_format == "channels_first" else 1
        n = conv_length(input_shape[steps_axis], self.kernel_size[0], self.padding,
                        self.strides[0], self.dilation_rate[0])
        if self.data_format == "channels_first":
            return (input_shape[0], self.filters, n)
        return (input_shape[0], n, self.filters)


class Conv2D(_Conv):
    """2-D convolution over NHWC images; kernel [kh, kw, in, filters] [tf.layers.conv2d].

    Example:
        >>> import webtensor as wt
        >>> c = wt.layers.Conv2D(1, 2, kernel_initializer="ones", use_bias=False)
        >>> c(wt.ones([1, 3, 3, 1])).numpy()[0, :, :, 0].tolist()
        [[4.0, 4.0], [4.0, 4.0]]
    """

    rank = 2

    def call(self, inputs, training: bool = False):
        x = to_channels_last(inputs, self.data_format)
        y = conv2d(x, self.kernel, self.strides, self.padding, self.dilation_rate)
        return from_channels_last(self._finish(y), self.data_format)

    def compute_output_shape(self, input_shape):
        n, h, w, _ = _nhwc_shape(input_shape, self.data_format)
        oh = conv_length(h, self.kernel_size[0], self.padding, self.strides[0],
                         self.dilation_rate[0])
        ow = conv_length(w, self.kernel_size[1], self.padding, self.strides[1],
                         self.dilation_rate[1])
        return _from_nhwc_shape((n, oh, ow, self.filters), self.data_format)


class DepthwiseConv2D(Conv2D):
    """Depthwise 2-D convolution; ``depthwise_kernel`` [kh, kw, in, depth_multiplier].

    Example:
        >>> import webtensor as wt
        >>> c = wt.layers.DepthwiseConv2D(2, depthwise_initializer="ones", use_bias=False)
        >>> c(wt.ones([1, 3, 3, 2])).shape
        (1, 2, 2, 2)
    """

    def __init__(self, kernel_size, strides=1, padding: str = "valid", depth_multiplier: int = 1,
                 data_format=None, dilation_rate=1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs) -> None:
        kwargs.pop("filters", None)
        self.depth_multiplier = int(depth_multiplier)
        super().__init__(1, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, bias_constraint, **kwargs)
        set_weight_args(self, "depthwise", depthwise_initializer, depthwise_regularizer,
                        depthwise_constraint)

    def build(self, input_shape) -> None:
        channels = self._channels(input_shape)
        self.filters = channels * self.depth_multiplier
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", (*self.kernel_size, channels, self.depth_multiplier),
            self.depthwise_initializer, self.depthwise_regularizer, self.depthwise_constraint)
        self.kernel = self.depthwise_kernel
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer,
                                     self.bias_regularizer, self.bias_constraint)
                     if self.use_bias else None)
        axis = 1 if self.data_format == "channels_first" else -1
        self.input_spec = InputSpec(ndim=4, axes={axis: channels})
        self.built = True

    def call(self, inputs, training: bool = False):
        x = to_channels_last(inputs, self.data_format)
        y = depthwise_conv2d(x, self.depthwise_kernel, self.strides, self.padding,
                             self.dilation_rate)
        return from_channels_last(self._finish(y), self.data_format)

    def compute_output_shape(self, input_shape):
        n, h, w, c = _nhwc_shape(input_shape, self.data_format)
        oh = conv_length(h, self.kernel_size[0], self.padding, self.strides[0],
                         self.dilation_rate[0])
        ow = conv_length(w, self.kernel_size[1], self.padding, self.strides[1],
                         self.dilation_rate[1])
        return _from_nhwc_shape((n, oh, ow, c * self.depth_multiplier), self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        for key in ("filters", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        config.update(depth_multiplier=self.depth_multiplier,
                      **weight_config(self, "depthwise"))
        return config


class Conv2DTranspose(Conv2D):
    """Transposed 2-D convolution; kernel [kh, kw, filters, in] (Keras layout).

    Output size: ``in * stride`` ('same') or ``in * stride + max(k - stride, 0)`` ('valid').

    Example:
        >>> import webtensor as wt
        >>> c = wt.layers.Conv2DTranspose(1, 2, strides=2, kernel_initializer="ones")
        >>> c(wt.ones([1, 2, 2, 1])).shape
        (1, 4, 4, 1)
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format=None, dilation_rate=1, **kwargs) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         **kwargs)
        if self.dilation_rate != (1, 1):
            raise ValueError(f"Conv2DTranspose: dilation_rate must be 1, got "
                             f"{list(self.dilation_rate)}")

    def _kernel_shape(self, channels: int) -> tuple:
        return (*self.kernel_size, self.filters, channels)

    def call(self, inputs, training: bool = False):
        x = to_channels_last(inputs, self.data_format)
        n, h, w, _ = x.shape
        out = (n, deconv_length(h, self.kernel_size[0], self.padding, self.strides[0]),
               deconv_length(w, self.kernel_size[1], self.padding, self.strides[1]),
               self.filters)
        y = conv2d_transpose(x, self.kernel, out, self.strides, self.padding)
        return from_channels_last(self._finish(y), self.data_format)

    def compute_output_shape(self, input_shape):
        n, h, w, _ = _nhwc_shape(input_shape, self.data_format)
        return _from_nhwc_shape(
            (n, deconv_length(h, self.kernel_size[0], self.padding, self.strides[0]),
             deconv_length(w, self.kernel_size[1], self.padding, self.strides[1]),
             self.filters), self.data_format)


class ZeroPadding2D(Layer):
    """Pad rows and columns with zeros: an int, (rows, cols) or ((top, bottom), (left, right)).

    Example:
        >>> import webtensor as wt
        >>> wt.layers.ZeroPadding2D(1)(wt.ones([1, 2, 2, 1])).shape
        (1, 4, 4, 1)
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(padding, int):
            pads = ((padding, padding), (padding, padding))
        elif len(padding) == 2 and all(isinstance(p, int) for p in padding):
            pads = ((padding[0], padding[0]), (padding[1], padding[1]))
        else:
            pads = tuple(tuple_arg(p, 2, "padding", "ZeroPadding2D") for p in padding)
            if len(pads) != 2:
                raise ValueError(f"ZeroPadding2D: padding must be an int, 2 ints or 2 pairs, "
                                 f"got {padding!r}")
        self.padding = tuple(tuple(int(v) for v in p) for p in pads)
        self.data_format = _data_format(data_format, "ZeroPadding2D")
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs, training: bool = False):
        (t, b), (left, r) = self.padding
        if self.data_format == "channels_first":
            return pad(inputs, [[0, 0], [0, 0], [t, b], [left, r]])
        return pad(inputs, [[0, 0], [t, b], [left, r], [0, 0]])

    def compute_output_shape(self, input_shape):
        n, h, w, c = _nhwc_shape(input_shape, self.data_format)
        (t, b), (left, r) = self.padding
        return _from_nhwc_shape((n, None if h is None else h + t + b,
                                 None if w is None else w + left + r, c), self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(padding=[list(p) for p in self.padding], data_format=self.data_format)
        return config


class UpSampling2D(Layer):
    """Repeat rows and columns ``size`` times ('nearest') or resize bilinearly ('bilinear').

    Example:
        >>> import webtensor as wt
        >>> x = wt.tensor([[1.0, 2.0]]).reshape([1, 1, 2, 1])
        >>> wt.layers.UpSampling2D(2)(x).numpy()[0, :, :, 0].tolist()
        [[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]]
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation: str = "nearest",
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.size = tuple_arg(size, 2, "size", "UpSampling2D")
        self.data_format = _data_format(data_format, "UpSampling2D")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"UpSampling2D: interpolation must be 'nearest' or 'bilinear', "
                             f"got {interpolation!r}")
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs, training: bool = False):
        x = to_channels_last(inputs, self.data_format)
        n, h, w, c = x.shape
        sh, sw = self.size
        if self.interpolation == "nearest":
            y = reshape(x, (n, h, 1, w, 1, c))
            y = tile(y, (1, 1, sh, 1, sw, 1))
            y = reshape(y, (n, h * sh, w * sw, c))
        else:
            from ..image import resize_bilinear

            y = resize_bilinear(x, (h * sh, w * sw), half_pixel_centers=True)
        return from_channels_last(y, self.data_format)

    def compute_output_shape(self, input_shape):
        n, h, w, c = _nhwc_shape(input_shape, self.data_format)
        return _from_nhwc_shape((n, None if h is None else h * self.size[0],
                                 None if w is None else w * self.size[1], c), self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(size=list(self.size), data_format=self.data_format,
                      interpolation=self.interpolation)
        return config


__all__ = ["Conv1D", "Conv2D", "DepthwiseConv2D", "Conv2DTranspose", "ZeroPadding2D",
           "UpSampling2D"]
