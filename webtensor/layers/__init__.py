"""Keras/TF.js-style layers: classes (``wt.layers.Dense``) and factories (``wt.layers.dense``).

A factory takes the class's keyword arguments, or one TF.js-style config dict whose keys
may be camelCase: ``wt.layers.dense({'units': 3, 'inputShape': [4]})``.

Example:
    >>> import webtensor as wt
    >>> model = wt.sequential([wt.layers.dense(units=2, input_shape=(3,))])
    >>> model.predict(wt.ones([4, 3])).shape
    (4, 2)
"""

from __future__ import annotations

from .base import (
    InputLayer,
    InputSpec,
    Layer,
    Node,
    SymbolicTensor,
    clear_session,
    deserialize,
    get_class,
    input,
    layer_factory,
    register_class,
    serialize,
    unique_name,
)
from .convolutional import (
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    DepthwiseConv2D,
    UpSampling2D,
    ZeroPadding2D,
)
from .core import Activation, Dense, Dropout, Embedding, Flatten, Reshape
from .merge import Add, Concatenate, Multiply
from .normalization import BatchNormalization, LayerNormalization
from .pooling import AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D
from .recurrent import *  # noqa: F403
from .recurrent import __all__ as _recurrent_all
from .wrappers import *  # noqa: F403
from .wrappers import __all__ as _wrappers_all

dense = layer_factory(Dense, "dense", "wt.layers.dense(units=3).units\n        3")
activation = layer_factory(Activation, "activation",
                      "wt.layers.activation('relu')(wt.tensor([[-1.0]])).numpy().tolist()"
                      "\n        [[0.0]]")
dropout = layer_factory(Dropout, "dropout", "wt.layers.dropout(rate=0.5).rate\n        0.5")
flatten = layer_factory(Flatten, "flatten",
                   "wt.layers.flatten()(wt.ones([2, 2, 2])).shape\n        (2, 4)")
reshape = layer_factory(Reshape, "reshape",
                   "wt.layers.reshape(target_shape=(2, 2))(wt.ones([1, 4])).shape"
                   "\n        (1, 2, 2)")
embedding = layer_factory(Embedding, "embedding",
                     "wt.layers.embedding(input_dim=5, output_dim=2)([[1, 2]]).shape"
                     "\n        (1, 2, 2)")
conv1d = layer_factory(Conv1D, "conv1d",
                  "wt.layers.conv1d(filters=2, kernel_size=3)(wt.ones([1, 5, 1])).shape"
                  "\n        (1, 3, 2)")
conv2d = layer_factory(Conv2D, "conv2d",
                  "wt.layers.conv2d({'filters': 2, 'kernelSize': 3})(wt.ones([1, 5, 5, 1]))"
                  ".shape\n        (1, 3, 3, 2)")
depthwise_conv2d = layer_factory(DepthwiseConv2D, "depthwise_conv2d",
                            "wt.layers.depthwise_conv2d(kernel_size=3)(wt.ones([1, 4, 4, 2]))"
                            ".shape\n        (1, 2, 2, 2)")
conv2d_transpose = layer_factory(Conv2DTranspose, "conv2d_transpose",
                            "wt.layers.conv2d_transpose(filters=1, kernel_size=2, strides=2)("
                            "wt.ones([1, 2, 2, 1])).shape\n        (1, 4, 4, 1)")
zero_padding2d = layer_factory(ZeroPadding2D, "zero_padding2d",
                          "wt.layers.zero_padding2d(padding=2)(wt.ones([1, 1, 1, 1])).shape"
                          "\n        (1, 5, 5, 1)")
up_sampling2d = layer_factory(UpSampling2D, "up_sampling2d",
                         "wt.layers.up_sampling2d(size=3)(wt.ones([1, 1, 1, 1])).shape"
                         "\n        (1, 3, 3, 1)")
max_pooling2d = layer_factory(MaxPooling2D, "max_pooling2d",
                         "wt.layers.max_pooling2d(pool_size=2)(wt.ones([1, 4, 4, 1])).shape"
                         "\n        (1, 2, 2, 1)")
max_pool2d = layer_factory(MaxPooling2D, "max_pool2d",
                      "wt.layers.max_pool2d(pool_size=2)(wt.ones([1, 4, 4, 1])).shape"
                      "\n        (1, 2, 2, 1)")
average_pooling2d = layer_factory(AveragePooling2D, "average_pooling2d",
                             "wt.layers.average_pooling2d(pool_size=2)(wt.ones([1, 4, 4, 1]))"
                             ".shape\n        (1, 2, 2, 1)")
avg_pool2d = layer_factory(AveragePooling2D, "avg_pool2d",
                      "wt.layers.avg_pool2d(pool_size=2)(wt.ones([1, 4, 4, 1])).shape"
                      "\n        (1, 2, 2, 1)")
global_average_pooling2d = layer_factory(GlobalAveragePooling2D, "global_average_pooling2d",
                                    "wt.layers.global_average_pooling2d()(wt.ones([1, 4, 4, 3]))"
                                    ".shape\n        (1, 3)")
global_max_pooling2d = layer_factory(GlobalMaxPooling2D, "global_max_pooling2d",
                                "wt.layers.global_max_pooling2d()(wt.ones([1, 4, 4, 3])).shape"
                                "\n        (1, 3)")
batch_normalization = layer_factory(BatchNormalization, "batch_normalization",
                               "wt.layers.batch_normalization().momentum\n        0.99")
layer_normalization = layer_factory(LayerNormalization, "layer_normalization",
                               "wt.layers.layer_normalization().epsilon\n        0.001")
concatenate = layer_factory(Concatenate, "concatenate", "wt.layers.concatenate().axis\n        -1")
add = layer_factory(Add, "add",
               "wt.layers.add()([wt.ones([1]), wt.ones([1])]).numpy().tolist()\n        [2.0]")
multiply = layer_factory(Multiply, "multiply",
                    "wt.layers.multiply()([wt.ones([1]), wt.ones([1])]).numpy().tolist()"
                    "\n        [1.0]")
input_layer = layer_factory(InputLayer, "input_layer",
                       "wt.layers.input_layer(input_shape=[3]).batch_input_shape"
                       "\n        (None, 3)")

__all__ = [
    "Layer", "InputLayer", "InputSpec", "SymbolicTensor", "Node", "input", "register_class",
    "get_class", "serialize", "deserialize", "unique_name", "clear_session",
    "Dense", "Activation", "Dropout", "Flatten", "Reshape", "Embedding",
    "Conv1D", "Conv2D", "DepthwiseConv2D", "Conv2DTranspose", "ZeroPadding2D", "UpSampling2D",
    "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
    "BatchNormalization", "LayerNormalization", "Concatenate", "Add", "Multiply",
    "dense", "activation", "dropout", "flatten", "reshape", "embedding", "conv1d", "conv2d",
    "depthwise_conv2d", "conv2d_transpose", "zero_padding2d", "up_sampling2d", "max_pooling2d",
    "max_pool2d", "average_pooling2d", "avg_pool2d", "global_average_pooling2d",
    "global_max_pooling2d", "batch_normalization", "layer_normalization", "concatenate", "add",
    "multiply", "input_layer", *_recurrent_all, *_wrappers_all,
]
