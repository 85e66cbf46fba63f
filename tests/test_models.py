"""Models: Sequential and functional graphs, compile/fit/evaluate/predict, callbacks, errors."""

import numpy as np
import pytest

import webtensor as wt
from webtensor.testing import assert_close, no_leaks

RNG = np.random.default_rng(2)


def blobs(n=64):
    """Two separable 2-D classes; labels one-hot [n, 2] and binary [n, 1]."""
    x = RNG.standard_normal((n, 2)).astype(np.float32)
    cls = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    return x, np.eye(2, dtype=np.float32)[cls], cls[:, None].astype(np.float32)


def mlp(**kw):
    return wt.sequential([
        wt.layers.Dense(8, activation="tanh", input_shape=(2,)),
        wt.layers.Dense(2, activation="softmax"),
    ], **kw)


def test_dense_net_learns():
    x, y, _ = blobs()
    model = mlp()
    model.compile(optimizer=wt.train.adam(0.05), loss="categoricalCrossentropy",
                  metrics=["accuracy"])
    before = model.evaluate(x, y)
    h = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert set(h.history) == {"loss", "accuracy"} and len(h.history["loss"]) == 15
    assert h.history["loss"][-1] < 0.5 * h.history["loss"][0]
    loss, acc = model.evaluate(x, y)
    assert isinstance(loss, float) and loss < before[0]
    assert acc >= 0.9
    pred = model.predict(x)
    assert isinstance(pred, wt.Tensor) and pred.shape == (64, 2)
    want = np.mean(-np.log(np.clip(pred.numpy()[y == 1], 1e-7, 1)))
    assert loss == pytest.approx(want, rel=1e-4)


def test_small_cnn_learns():
    # class 1: bright top half; class 0: bright bottom half
    n = 32
    x = RNG.random((n, 6, 6, 1)).astype(np.float32) * 0.2
    cls = RNG.integers(0, 2, n)
    for i, c in enumerate(cls):
        if c:
            x[i, :3] += 1
        else:
            x[i, 3:] += 1
    model = wt.sequential([
        wt.layers.conv2d(filters=4, kernel_size=3, activation="relu", input_shape=(6, 6, 1),
                         padding="same"),
        wt.layers.max_pooling2d(pool_size=2),
        wt.layers.batch_normalization(),
        wt.layers.flatten(),
        wt.layers.dense(units=1, activation="sigmoid"),
    ])
    model.compile(wt.train.adam(0.02), "binary_crossentropy", ["accuracy"])
    h = model.fit(x, cls[:, None].astype(np.float32), epochs=8, batch_size=8, verbose=0)
    assert h.history["loss"][-1] < 0.6 * h.history["loss"][0]
    assert h.history["accuracy"][-1] >= 0.9


def test_memory_flat_across_epochs():
    x, y, _ = blobs(40)
    model = wt.sequential([
        wt.layers.Dense(8, activation="relu", input_shape=(2,), kernel_regularizer="l2",
                        kernel_constraint=wt.constraints.max_norm(2.0)),
        wt.layers.BatchNormalization(),
        wt.layers.Dropout(0.1),
        wt.layers.Dense(2, activation="softmax", activity_regularizer="l1"),
    ])
    model.compile("adam", "categorical_crossentropy", ["accuracy", "mse"])
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, validation_split=0.25)
    with no_leaks("fit"):
        model.fit(x, y, epochs=3, batch_size=16, verbose=0, validation_split=0.25)
        model.evaluate(x, y)
        model.train_on_batch(x[:8], y[:8])
        model.predict(x).dispose()


def test_single_input_and_target_given_as_one_element_lists():
    # Keras accepts [x] / [y] for a single-input, single-output model; a plain
    # nested list of numbers stays data
    x, y, _ = blobs(8)
    model = mlp()
    model.compile(wt.train.sgd(0.1), "mse")
    want = model.predict(x).numpy()
    np.testing.assert_array_equal(model.predict([x]).numpy(), want)
    np.testing.assert_array_equal(model.predict([wt.tensor(x)]).numpy(), want)
    np.testing.assert_array_equal(model.predict(x.tolist()).numpy(), want)
    np.testing.assert_array_equal(model.predict([x[0].tolist()]).numpy(), want[:1])
    assert model.evaluate([x], [y]) == pytest.approx(model.evaluate(x, y), rel=1e-6)
    hist = model.fit([x], [y], epochs=1, batch_size=4, verbose=0)
    assert len(hist.history["loss"]) == 1


def test_train_on_batch_returns_loss_before_update():
    x, y, _ = blobs(8)
    model = mlp()
    model.compile(wt.train.sgd(0.5), "mse", ["mae"])
    before = model.evaluate(x, y)
    got = model.train_on_batch(x, y)
    assert got == pytest.approx(before, rel=1e-5)
    assert model.evaluate(x, y)[0] < before[0]
    assert model.test_on_batch(x, y) == pytest.approx(model.evaluate(x, y), rel=1e-5)


def test_history_keys_validation_and_metric_choice():
    x, _, yb = blobs(40)
    model = wt.sequential([wt.layers.Dense(1, activation="sigmoid", input_shape=(2,))])
    model.compile("sgd", "binaryCrossentropy", ["accuracy", "precision"])
    assert model._metrics[0][0][1] is wt.metrics.binary_accuracy
    h = model.fit(x, yb, epochs=2, verbose=0, validation_data=(x[:10], yb[:10]))
    # SPEC: loss, val_loss, then the metric names
    assert list(h.history) == ["loss", "val_loss", "accuracy", "precision", "val_accuracy",
                               "val_precision"]
    h = model.fit(x, yb, epochs=1, verbose=0, validation_split=0.2)
    assert "val_loss" in h.history


def test_optimizer_names_use_keras_defaults():
    model = mlp()
    for name, lr in [("sgd", 0.01), ("Adam", 0.001), ("rmsprop", 0.001), ("adagrad", 0.001)]:
        model.compile(name, "mse")
        assert model.optimizer.learning_rate == pytest.approx(lr)
    with pytest.raises(ValueError, match="valid names:.*adam"):
        model.compile("adamw2", "mse")
    with pytest.raises(ValueError, match="valid names"):
        model.compile("sgd", "mean_sqared_error")


def test_get_weights_order_and_set_weights():
    wt.layers.clear_session()
    model = wt.sequential([
        wt.layers.Dense(3, input_shape=(2,)),
        wt.layers.BatchNormalization(),
        wt.layers.Dense(1),
    ])
    names = [w.name for w in model.weights]
    assert names == ["dense/kernel", "dense/bias", "batch_normalization/gamma",
                     "batch_normalization/beta", "dense_1/kernel", "dense_1/bias",
                     "batch_normalization/moving_mean", "batch_normalization/moving_variance"]
    ws = [RNG.standard_normal(w.shape).astype(np.float32) for w in model.get_weights()]
    ws[-1] = np.abs(ws[-1]) + 0.5
    model.set_weights(ws)
    for a, b in zip(model.get_weights(), ws):
        assert_close(a, b)
    x = RNG.standard_normal((4, 2)).astype(np.float32)
    h = x @ ws[0] + ws[1]
    h = (h - ws[6]) / np.sqrt(ws[7] + 1e-3) * ws[2] + ws[3]
    assert_close(model.predict(x), h @ ws[4] + ws[5], rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="shape"):
        model.set_weights([w.T if w.ndim == 2 else w for w in ws])
    with pytest.raises(ValueError, match="8 weights"):
        model.set_weights(ws[:3])


def test_trainable_false_freezes_layer():
    x, y, _ = blobs(16)
    model = mlp()
    model.layers[0].trainable = False
    frozen = model.layers[0].get_weights()
    model.compile(wt.train.sgd(0.5), "mse")
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(model.layers[0].get_weights(), frozen):
        assert_close(a, b)
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2


def test_functional_multi_input_output_shared_layer():
    a = wt.input(shape=(3,), name="a")
    b = wt.input(shape=(3,), name="b")
    shared = wt.layers.Dense(4, activation="relu", name="shared")
    ha, hb = shared(a), shared(b)
    merged = wt.layers.Concatenate(name="cat")([ha, hb])
    out1 = wt.layers.Dense(1, name="sum_out")(wt.layers.Add()([ha, hb]))
    out2 = wt.layers.Dense(2, activation="softmax", name="cls_out")(merged)
    model = wt.model(inputs=[a, b], outputs=[out1, out2])
    assert [ly.name for ly in model.layers][:2] == ["a", "b"]
    assert sum(ly is shared for ly in model.layers) == 1
    assert model.count_params() == 3 * 4 + 4 + 4 + 1 + 8 * 2 + 2
    xa = RNG.standard_normal((8, 3)).astype(np.float32)
    xb = RNG.standard_normal((8, 3)).astype(np.float32)
    y1, y2 = model.predict([xa, xb])
    k, bias = shared.get_weights()
    ra, rb = np.maximum(xa @ k + bias, 0), np.maximum(xb @ k + bias, 0)
    k1, b1 = model.get_layer("sum_out").get_weights()
    assert_close(y1, (ra + rb) @ k1 + b1, rtol=1e-4, atol=1e-4)
    assert y2.shape == (8, 2)
    t1 = RNG.standard_normal((8, 1)).astype(np.float32)
    t2 = np.eye(2, dtype=np.float32)[RNG.integers(0, 2, 8)]
    model.compile("adam", {"sum_out": "mse", "cls_out": "categorical_crossentropy"},
                  metrics={"cls_out": ["accuracy"]})
    assert model.metrics_names == ["loss", "sum_out_loss", "cls_out_loss", "cls_out_accuracy"]
    h = model.fit({"a": xa, "b": xb}, [t1, t2], epochs=3, batch_size=4, verbose=0)
    assert set(h.history) == set(model.metrics_names)
    loss, l1, l2, acc = model.evaluate([xa, xb], [t1, t2])
    assert loss == pytest.approx(l1 + l2, rel=1e-5)


def test_nested_model_as_layer():
    inner = wt.sequential([wt.layers.Dense(3, input_shape=(2,), name="inner_dense")],
                          name="inner")
    x = wt.input(shape=(2,))
    y = wt.layers.Dense(1)(inner(x))
    outer = wt.model(inputs=x, outputs=y)
    assert len(outer.get_weights()) == 4
    data = RNG.standard_normal((5, 2)).astype(np.float32)
    k, b = inner.get_weights()
    k2, b2 = outer.layers[-1].get_weights()
    assert_close(outer.predict(data), (data @ k + b) @ k2 + b2, rtol=1e-4, atol=1e-4)


def test_model_config_round_trip():
    seq = mlp()
    clone = wt.Sequential.from_config(seq.get_config())
    clone.set_weights(seq.get_weights())
    x, _, _ = blobs(6)
    assert_close(clone.predict(x), seq.predict(x).numpy(), rtol=1e-6, atol=1e-6)

    a = wt.input(shape=(4,))
    h = wt.layers.Dense(3, activation="relu")(a)
    out = wt.layers.Add()([h, wt.layers.Dense(3)(a)])
    func = wt.model(inputs=a, outputs=out)
    clone = wt.Model.from_config(func.get_config())
    clone.set_weights(func.get_weights())
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    assert_close(clone.predict(x), func.predict(x).numpy(), rtol=1e-6, atol=1e-6)
    assert [type(ly).__name__ for ly in clone.layers] == [type(ly).__name__
                                                         for ly in func.layers]


def test_summary(capsys):
    wt.layers.clear_session()
    model = wt.sequential([
        wt.layers.Conv2D(2, 3, input_shape=(5, 5, 1)),
        wt.layers.BatchNormalization(),
        wt.layers.Flatten(),
        wt.layers.Dense(3),
    ], name="net")
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "net"' in text
    for name, shape, params in [("conv2d (Conv2D)", "(None, 3, 3, 2)", 20),
                                ("batch_normalization (BatchNormalization)", "(None, 3, 3, 2)",
                                 8),
                                ("flatten (Flatten)", "(None, 18)", 0),
                                ("dense (Dense)", "(None, 3)", 57)]:
        line = next(ln for ln in lines if ln.startswith(" " + name.split(" ")[0]))
        assert name.split(" ")[1] in line and shape in line and line.rstrip().endswith(
            str(params)), line
    assert "Total params: 85" in text and "Trainable params: 81" in text
    assert "Non-trainable params: 4" in text
    a = wt.input(shape=(2,))
    m = wt.model(inputs=a, outputs=wt.layers.Add()([wt.layers.Dense(2)(a), a]))
    m.summary()
    assert "Connected to" in capsys.readouterr().out


def test_early_stopping_and_lambda_callbacks():
    x, y, _ = blobs(16)
    model = mlp()
    model.compile(wt.train.sgd(0.0), "mse")  # lr 0: the loss never improves
    seen = []
    # no shuffle: a reordered batch can change the float32 loss by an ulp (an "improvement")
    h = model.fit(x, y, epochs=10, verbose=0, shuffle=False, callbacks=[
        wt.callbacks.EarlyStopping(monitor="loss", patience=2),
        {"onEpochEnd": lambda epoch, logs: seen.append((epoch, logs["loss"]))},
        wt.callbacks.LambdaCallback(on_batch_end=lambda b, logs: seen.append("b")),
    ])
    assert len(h.history["loss"]) == 3
    assert [s[0] for s in seen if s != "b"] == [0, 1, 2]
    assert seen.count("b") == 3


def test_class_weight_scales_loss():
    x, y, _ = blobs(16)
    model = mlp()
    model.compile(wt.train.sgd(0.0), "categorical_crossentropy")
    base = model.train_on_batch(x, y)
    doubled = model.train_on_batch(x, y, class_weight={0: 2.0, 1: 2.0})
    assert doubled == pytest.approx(2 * base, rel=1e-5)


def test_verbose_progress_bar(capsys):
    x, y, _ = blobs(16)
    model = mlp()
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=2, batch_size=8, verbose=1)
    err = capsys.readouterr().err
    assert "Epoch 2/2" in err and "loss" in err
    model.fit(x, y, epochs=1, verbose=2)
    assert "Epoch 1/1 - loss:" in capsys.readouterr().out


def test_errors():
    x, y, _ = blobs(8)
    model = mlp()
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"should have shape \[None, 2\], got \[8, 3\]"):
        model.predict(np.zeros((8, 3)))
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(x, y[:5], verbose=0)
    lazy = wt.sequential([wt.layers.Dense(2)])
    with pytest.raises(ValueError, match="no input shape"):
        lazy.predict(x)
    with pytest.raises(ValueError, match="compile"):
        mlp().fit(x, y, verbose=0)
    a, b = wt.input(shape=(2,)), wt.input(shape=(2,))
    with pytest.raises(ValueError, match="disconnected"):
        wt.model(inputs=a, outputs=wt.layers.Add()([a, b]))
    with pytest.raises(ValueError, match="rank"):
        model.add(wt.layers.Conv2D(1, 2))
    assert len(model.layers) == 2


def test_deferred_sequential_build():
    model = wt.sequential([wt.layers.Dense(2), wt.layers.Dense(1)])
    model.build((None, 3))
    assert [w.shape for w in model.get_weights()] == [(3, 2), (2,), (2, 1), (1,)]
    assert model.predict(np.zeros((2, 3))).shape == (2, 1)


def test_regularization_adds_to_loss():
    x, y, _ = blobs(8)
    model = wt.sequential([wt.layers.Dense(2, input_shape=(2,),
                                           kernel_regularizer=wt.regularizers.l2(0.1))])
    model.compile(wt.train.sgd(0.0), "mse")
    k, b = model.get_weights()
    want = ((x @ k + b - y) ** 2).mean() + 0.1 * (k ** 2).sum()
    assert model.train_on_batch(x, y) == pytest.approx(want, rel=1e-4)
    assert model.evaluate(x, y) == pytest.approx(want, rel=1e-4)


def test_sparse_labels_and_binary_targets_without_last_axis():
    x, y, yb = blobs(32)
    model = mlp()
    model.compile(wt.train.adam(0.05), "sparse_categorical_crossentropy", ["acc"])
    h = model.fit(x, y.argmax(-1), epochs=5, batch_size=8, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert list(h.history) == ["loss", "acc"]
    binary = wt.sequential([wt.layers.Dense(1, activation="sigmoid", input_shape=(2,))])
    binary.compile("sgd", "binary_crossentropy", ["accuracy"])
    flat = binary.evaluate(x, yb[:, 0])
    assert flat == pytest.approx(binary.evaluate(x, yb), rel=1e-6)


def test_sequential_input_layer_and_eager_call():
    m = wt.sequential([wt.layers.InputLayer(input_shape=(3,)), wt.layers.Dense(2)])
    assert len(m.layers) == 1 and m.outputs[0].shape == (None, 2)
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    k, b = m.get_weights()
    assert_close(m(x), x @ k + b, rtol=1e-5, atol=1e-5)
    m2 = wt.sequential()
    m2.add(wt.input(shape=(4,)))
    m2.add(wt.layers.Dense(1))
    assert m2.predict(np.ones((3, 4))).shape == (3, 1)
    cfg = m.get_config()
    assert cfg["layers"][0]["config"]["batch_input_shape"] == [None, 3]
    assert wt.Sequential.from_config(cfg).predict(x).shape == (2, 2)


def test_epoch_loss_after_stop_mid_epoch_averages_seen_batches():
    """Stopping after the first batch: the epoch loss is that batch's, not a share of n."""
    model = wt.sequential([wt.layers.Dense(1, input_shape=(1,), use_bias=False,
                                           kernel_initializer="zeros")])
    model.compile(wt.train.sgd(0.0), "mse")

    class Stop(wt.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            self.model.stop_training = True

    h = model.fit(np.ones((8, 1)), np.full((8, 1), 2.0), batch_size=2, verbose=0,
                  callbacks=[Stop()])
    assert h.history["loss"] == [pytest.approx(4.0)]


def test_validation_sample_weights_are_used():
    model = wt.sequential([wt.layers.Dense(1, input_shape=(1,), use_bias=False,
                                           kernel_initializer="zeros")])
    model.compile(wt.train.sgd(0.0), "mse")
    x, y = np.ones((4, 1)), np.array([[1.0], [1.0], [2.0], [2.0]])
    h = model.fit(x, y, verbose=0, validation_data=(x, y, np.array([0.0, 0.0, 1.0, 1.0])))
    assert h.history["val_loss"] == [pytest.approx(2.0)]  # mean of [0, 0, 4, 4]
    h = model.fit(x, y, verbose=0, validation_split=0.5, sample_weight=[1, 1, 0, 1],
                  class_weight={2: 10.0})  # class weights are for training only
    assert h.history["val_loss"] == [pytest.approx(2.0)]  # mean of [0, 4]


def test_dict_targets_missing_an_output():
    a = wt.input(shape=(1,))
    model = wt.model(inputs=a, outputs=[wt.layers.Dense(1, name="o1")(a),
                                        wt.layers.Dense(1, name="o2")(a)])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"no targets for outputs \['o2'\]"):
        model.evaluate(np.ones((2, 1)), {"o1": np.ones((2, 1))})
