"""Layers: outputs vs numpy with fixed weights, weight names/shapes, config round trips."""

import numpy as np
import pytest

import webtensor as wt
from webtensor.testing import assert_close

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def set_random(layer):
    ws = [rand(*w.shape) for w in layer.weights]
    layer.set_weights(ws)
    return ws


def conv2d_ref(x, k, stride=(1, 1), padding="valid"):
    n, h, w, c = x.shape
    kh, kw, _, f = k.shape
    if padding == "same":
        oh, ow = -(-h // stride[0]), -(-w // stride[1])
        ph = max((oh - 1) * stride[0] + kh - h, 0)
        pw = max((ow - 1) * stride[1] + kw - w, 0)
        x = np.pad(x, [(0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)])
    else:
        oh, ow = (h - kh) // stride[0] + 1, (w - kw) // stride[1] + 1
    y = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw, :]
            y[:, i, j, :] = np.tensordot(patch, k, axes=([1, 2, 3], [0, 1, 2]))
    return y


def roundtrip(layer, x):
    """Same output from a layer rebuilt by from_config with the same weights."""
    y = layer(x)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    clone(x)  # build
    clone.set_weights(layer.get_weights())
    assert_close(clone(x), y.numpy(), rtol=1e-6, atol=1e-6, what=type(layer).__name__)


# -- core ---------------------------------------------------------------------------
def test_dense_matches_numpy_and_names():
    wt.layers.clear_session()
    d = wt.layers.Dense(3, activation="relu")
    d2 = wt.layers.Dense(2)
    x = rand(4, 5)
    y = d(x)
    assert [w.name for w in d.weights] == ["dense/kernel", "dense/bias"]
    assert d2.name == "dense_1"
    k, b = set_random(d)
    assert_close(d(x), np.maximum(x @ k + b, 0), rtol=1e-5, atol=1e-5)
    assert y.shape == (4, 3)
    roundtrip(d, x)


def test_dense_rank3_and_no_bias():
    d = wt.layers.Dense(2, use_bias=False)
    x = rand(2, 3, 4)
    d(x)
    (k,) = set_random(d)
    assert_close(d(x), x @ k, rtol=1e-5, atol=1e-5)
    assert d.compute_output_shape((None, 3, 4)) == (None, 3, 2)


def test_dense_wrong_input_size():
    d = wt.layers.Dense(2)
    d(rand(1, 3))
    with pytest.raises(ValueError, match="axis -1 should have size 3"):
        d(rand(1, 4))


def test_default_initializers_are_keras():
    d = wt.layers.Dense(4)
    d.build((None, 6))
    assert type(d.kernel_initializer).__name__ == "GlorotUniform"
    k = d.get_weights()[0]
    assert np.abs(k).max() <= np.sqrt(6 / 10) + 1e-6
    assert np.all(d.get_weights()[1] == 0)
    c = wt.layers.Conv2D(2, 3)
    assert type(c.kernel_initializer).__name__ == "GlorotUniform"


@pytest.mark.parametrize("name", ["glorot_normal", "glorotNormal", "GlorotNormal"])
def test_identifier_spellings(name):
    d = wt.layers.Dense(2, kernel_initializer=name)
    assert type(d.kernel_initializer).__name__ == "GlorotNormal"


def test_unknown_names_list_valid_ones():
    with pytest.raises(ValueError, match="valid names:.*glorot_uniform"):
        wt.layers.Dense(2, kernel_initializer="glorot_unicorn")
    with pytest.raises(ValueError, match="valid names:.*relu"):
        wt.layers.Dense(2, activation="rleu")


@pytest.mark.parametrize("name,ref", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("elu", lambda x: np.where(x > 0, x, np.expm1(x))),
    ("selu", lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))),
    ("relu6", lambda x: np.clip(x, 0, 6)),
    ("linear", lambda x: x),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("hard_sigmoid", lambda x: np.clip(0.2 * x + 0.5, 0, 1)),
    ("softplus", lambda x: np.log1p(np.exp(x))),
    ("softsign", lambda x: x / (1 + np.abs(x))),
    ("tanh", np.tanh),
    ("softmax", lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
    ("log_softmax", lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
    ("gelu", lambda x: 0.5 * x * (1 + np.vectorize(__import__("math").erf)(x / np.sqrt(2)))),
    ("swish", lambda x: x / (1 + np.exp(-x))),
    ("mish", lambda x: x * np.tanh(np.log1p(np.exp(x)))),
])
def test_activations(name, ref):
    x = np.linspace(-4, 4, 12).reshape(3, 4)
    layer = wt.layers.Activation(name)
    assert_close(layer(x), ref(x), rtol=1e-4, atol=1e-5, what=name)
    roundtrip(layer, x)


def test_dropout_training_only():
    layer = wt.layers.Dropout(0.5, seed=1)
    x = np.ones((4, 50), np.float32)
    assert_close(layer(x), x)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0 < (y == 0).sum() < y.size
    y2 = layer(x, training=True).numpy()
    assert not np.array_equal(y, y2)  # a new mask per call
    roundtrip(layer, x)


def test_flatten_reshape():
    x = rand(2, 3, 4)
    assert_close(wt.layers.Flatten()(x), x.reshape(2, 12))
    assert_close(wt.layers.Reshape((4, -1))(x), x.reshape(2, 4, 3))
    with pytest.raises(ValueError, match="Reshape"):
        wt.layers.Reshape((5, -1))(x)
    roundtrip(wt.layers.Reshape((2, 6)), x)


def test_embedding():
    e = wt.layers.Embedding(5, 3)
    idx = np.array([[0, 4, 2], [1, 1, 3]])
    e(idx)
    assert e.weights[0].name.endswith("/embeddings") and e.weights[0].shape == (5, 3)
    (w,) = set_random(e)
    assert_close(e(idx), w[idx])
    roundtrip(e, idx)


# -- convolutional -------------------------------------------------------------------
@pytest.mark.parametrize("padding,strides", [("valid", 1), ("same", 2)])
def test_conv2d(padding, strides):
    c = wt.layers.Conv2D(3, (2, 3), strides=strides, padding=padding, activation="tanh")
    x = rand(2, 5, 6, 2)
    y = c(x)
    assert [w.shape for w in c.weights] == [(2, 3, 2, 3), (3,)]
    assert [w.name.split("/")[1] for w in c.weights] == ["kernel", "bias"]
    k, b = set_random(c)
    want = np.tanh(conv2d_ref(x, k, (strides, strides), padding) + b)
    assert_close(c(x), want, rtol=1e-4, atol=1e-4)
    assert c.compute_output_shape((None, 5, 6, 2)) == (None, *y.shape[1:])
    roundtrip(c, x)


def test_conv2d_channels_first():
    c = wt.layers.Conv2D(2, 2, data_format="channels_first", use_bias=False)
    x = rand(1, 3, 4, 4)
    c(x)
    (k,) = set_random(c)
    want = conv2d_ref(x.transpose(0, 2, 3, 1), k).transpose(0, 3, 1, 2)
    assert_close(c(x), want, rtol=1e-4, atol=1e-4)


def test_conv1d():
    c = wt.layers.Conv1D(2, 3, padding="same")
    x = rand(2, 7, 3)
    c(x)
    k, b = set_random(c)
    want = conv2d_ref(x[:, None], k[None], padding="same")[:, 0] + b
    assert_close(c(x), want, rtol=1e-4, atol=1e-4)
    roundtrip(c, x)


def test_depthwise_conv2d():
    c = wt.layers.DepthwiseConv2D(2, depth_multiplier=2)
    x = rand(1, 4, 4, 3)
    c(x)
    assert [w.name.split("/")[1] for w in c.weights] == ["depthwise_kernel", "bias"]
    k, b = set_random(c)
    want = np.concatenate([conv2d_ref(x[..., i:i + 1], k[:, :, i:i + 1, :])
                           for i in range(3)], axis=-1) + b
    assert_close(c(x), want, rtol=1e-4, atol=1e-4)
    roundtrip(c, x)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv2d_transpose(padding):
    c = wt.layers.Conv2DTranspose(2, 3, strides=2, padding=padding)
    x = rand(1, 3, 3, 4)
    y = c(x)
    assert c.weights[0].shape == (3, 3, 2, 4)
    assert y.shape == ((1, 6, 6, 2) if padding == "same" else (1, 7, 7, 2))
    k, b = set_random(c)
    # reference: scatter each input pixel times the kernel, then crop for 'same'
    full = np.zeros((1, 2 * 2 + 3, 2 * 2 + 3, 2))
    for i in range(3):
        for j in range(3):
            full[0, 2 * i:2 * i + 3, 2 * j:2 * j + 3] += np.einsum("c,hwoc->hwo", x[0, i, j], k)
    if padding == "same":
        total = 7 - 6
        full = full[:, total // 2:total // 2 + 6, total // 2:total // 2 + 6]
    assert_close(c(x), full + b, rtol=1e-4, atol=1e-4)
    roundtrip(c, x)


def test_zero_padding_and_upsampling():
    x = rand(1, 2, 3, 2)
    assert_close(wt.layers.ZeroPadding2D(((1, 0), (2, 1)))(x),
                 np.pad(x, [(0, 0), (1, 0), (2, 1), (0, 0)]))
    assert_close(wt.layers.UpSampling2D((2, 3))(x), x.repeat(2, 1).repeat(3, 2))
    roundtrip(wt.layers.ZeroPadding2D(1), x)
    roundtrip(wt.layers.UpSampling2D(2), x)


# -- pooling ---------------------------------------------------------------------------
def test_pooling():
    x = rand(2, 4, 6, 3)
    r = x.reshape(2, 2, 2, 3, 2, 3)
    assert_close(wt.layers.MaxPooling2D()(x), r.max(axis=(2, 4)))
    assert_close(wt.layers.AveragePooling2D()(x), r.mean(axis=(2, 4)), rtol=1e-5, atol=1e-6)
    assert_close(wt.layers.GlobalAveragePooling2D()(x), x.mean(axis=(1, 2)), rtol=1e-5,
                 atol=1e-6)
    assert_close(wt.layers.GlobalMaxPooling2D()(x), x.max(axis=(1, 2)))
    mp = wt.layers.MaxPooling2D(pool_size=3, strides=1, padding="same")
    assert mp(x).shape == (2, 4, 6, 3)
    assert mp.compute_output_shape((None, 4, 6, 3)) == (None, 4, 6, 3)
    roundtrip(mp, x)
    roundtrip(wt.layers.GlobalAveragePooling2D(), x)


# -- normalization ----------------------------------------------------------------------
def test_batch_normalization():
    bn = wt.layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    x = rand(8, 3) * 2 + 1
    bn(x)
    assert [w.name.split("/")[1] for w in bn.weights] == ["gamma", "beta", "moving_mean",
                                                          "moving_variance"]
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2
    gamma, beta = rand(3), rand(3)
    bn.set_weights([gamma, beta, np.zeros(3), np.ones(3)])
    mean, var = x.mean(0), x.var(0)
    y = bn(x, training=True)
    assert_close(y, (x - mean) / np.sqrt(var + 1e-3) * gamma + beta, rtol=1e-4, atol=1e-4)
    mm, mv = bn.get_weights()[2:]
    assert_close(mm, 0.1 * mean, rtol=1e-5, atol=1e-6)
    assert_close(mv, 0.9 + 0.1 * var, rtol=1e-5, atol=1e-6)
    assert_close(bn(x), (x - mm) / np.sqrt(mv + 1e-3) * gamma + beta, rtol=1e-4, atol=1e-4)
    roundtrip(bn, x)


def test_batch_normalization_conv_axis():
    bn = wt.layers.BatchNormalization()
    x = rand(2, 3, 3, 4)
    y = bn(x, training=True)
    m, v = x.mean((0, 1, 2)), x.var((0, 1, 2))
    assert_close(y, (x - m) / np.sqrt(v + 1e-3), rtol=1e-4, atol=1e-4)


def test_layer_normalization():
    ln = wt.layers.LayerNormalization()
    x = rand(3, 5)
    ln(x)
    gamma, beta = set_random(ln)
    m, v = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    assert_close(ln(x), (x - m) / np.sqrt(v + 1e-3) * gamma + beta, rtol=1e-4, atol=1e-4)
    roundtrip(ln, x)


# -- merge ------------------------------------------------------------------------------
def test_merge_layers():
    a, b = rand(2, 3), rand(2, 3)
    assert_close(wt.layers.Add()([a, b]), a + b)
    assert_close(wt.layers.Multiply()([a, b]), a * b)
    assert_close(wt.layers.Concatenate()([a, b]), np.concatenate([a, b], -1))
    assert_close(wt.layers.Concatenate(axis=0)([a, b]), np.concatenate([a, b], 0))
    with pytest.raises(ValueError, match="list"):
        wt.layers.Add()(a)


# -- factories, registry, regularizers, constraints -----------------------------------------
def test_factories_and_registry():
    d = wt.layers.dense({"units": 3, "kernelInitializer": "heNormal", "inputShape": [2]})
    assert isinstance(d, wt.layers.Dense) and d.batch_input_shape == (None, 2)
    assert isinstance(wt.layers.max_pooling2d(pool_size=2), wt.layers.MaxPooling2D)
    assert isinstance(wt.layers.batch_normalization(), wt.layers.BatchNormalization)
    assert isinstance(wt.layers.conv2d_transpose(filters=1, kernel_size=2),
                      wt.layers.Conv2DTranspose)
    assert wt.layers.get_class("maxPooling2d") is wt.layers.MaxPooling2D
    layer = wt.layers.deserialize(wt.layers.serialize(d))
    assert layer.units == 3 and type(layer.kernel_initializer).__name__ == "HeNormal"
    with pytest.raises(ValueError, match="valid names"):
        wt.layers.get_class("Dense3D")
    with pytest.raises(TypeError, match="unexpected keyword"):
        wt.layers.Dense(2, unitz=3)


def test_regularizer_and_constraint():
    d = wt.layers.Dense(2, kernel_regularizer=wt.regularizers.l2(0.5),
                        kernel_constraint="nonNeg")
    d.build((None, 2))
    k = np.array([[1.0, -2.0], [3.0, 0.5]], np.float32)
    d.set_weights([k, np.zeros(2)])
    (pen,) = d.regularization_losses()
    assert pen.item() == pytest.approx(0.5 * (k ** 2).sum())
    d.apply_constraints()
    assert_close(d.kernel, np.maximum(k, 0))
    config = d.get_config()
    assert config["kernel_regularizer"] == {"class_name": "L1L2",
                                            "config": {"l1": 0.0, "l2": 0.5}}
    assert wt.layers.Dense.from_config(config).kernel_constraint.__class__.__name__ == "NonNeg"


def test_initializers():
    init = wt.initializers
    assert_close(init.get("identity")((3, 3)), np.eye(3))
    q = init.Orthogonal(seed=1)((6, 3))
    assert_close(q.T @ q, np.eye(3), atol=1e-5)
    for name, std in [("he_normal", np.sqrt(2 / 400)), ("lecun_normal", np.sqrt(1 / 400)),
                      ("glorot_normal", np.sqrt(2 / 600))]:
        w = init.get(name)((400, 200))
        assert abs(w.std() - std) / std < 0.05, name
    w = init.VarianceScaling(3.0, "fan_out", "uniform", seed=0)((100, 50))
    assert np.abs(w).max() <= np.sqrt(9 / 50) and np.abs(w).max() > 0.9 * np.sqrt(9 / 50)
    tn = init.TruncatedNormal(stddev=1.0, seed=0)((1000,))
    assert np.abs(tn).max() <= 2.0
    assert init.get({"class_name": "RandomUniform", "config": {"minval": 1, "maxval": 2}})(
        (10,)).min() >= 1
    with pytest.raises(ValueError, match="valid names"):
        init.get("he_unicorn")


def test_symbolic_shapes():
    x = wt.input(shape=(8, 8, 3))
    y = wt.layers.Conv2D(4, 3, padding="same")(x)
    y = wt.layers.MaxPooling2D()(y)
    y = wt.layers.Flatten()(y)
    assert y.shape == (None, 64)
    with pytest.raises(ValueError, match="rank 4"):
        wt.layers.Conv2D(2, 2)(wt.input(shape=(3,)))
