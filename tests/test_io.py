"""Saving and loading the TensorFlow.js layers format."""

import json
import os
from pathlib import Path

import numpy as np
import pytest

import webtensor as wt
from webtensor.io import load_layers_model, read_weights, save_model
from webtensor.layers.recurrent import GRU, LSTM, SimpleRNN, ref_gru_step, ref_lstm_step
from webtensor.layers.wrappers import Bidirectional, TimeDistributed


def _rand(shape, seed, scale=0.5):
    return (np.random.default_rng(seed).uniform(-1, 1, shape) * scale).astype(np.float32)


def test_round_trip_sequential_identical_predictions(tmp_path):
    model = wt.sequential([
        LSTM(4, return_sequences=True, input_shape=(5, 3), name="enc"),
        Bidirectional(GRU(3, reset_after=True, name="g"), merge_mode="ave", name="bi"),
        wt.layers.Dense(2, activation="softmax", name="out"),
    ])
    x = _rand((4, 5, 3), 1, 1.0)
    want = model.predict(x).numpy()
    save_model(model, tmp_path / "m")
    doc = json.loads((tmp_path / "m" / "model.json").read_text())
    assert doc["format"] == "layers-model" and doc["generatedBy"].startswith("webtensor")
    assert doc["modelTopology"]["class_name"] == "Sequential"
    assert "keras_version" in doc["modelTopology"] and "backend" in doc["modelTopology"]
    names = [w["name"] for w in doc["weightsManifest"][0]["weights"]]
    assert names[:3] == ["enc/kernel", "enc/recurrent_kernel", "enc/bias"]
    assert "bi/forward_g/kernel" in names and "bi/backward_g/bias" in names
    assert doc["weightsManifest"][0]["paths"] == ["group1-shard1of1.bin"]
    size = sum(4 * int(np.prod(w["shape"])) for w in doc["weightsManifest"][0]["weights"])
    assert os.path.getsize(tmp_path / "m" / "group1-shard1of1.bin") == size
    loaded = load_layers_model(tmp_path / "m" / "model.json")
    np.testing.assert_array_equal(loaded.predict(x).numpy(), want)
    assert [w.name for w in loaded.weights] == [w.name for w in model.weights]
    again = load_layers_model("file://" + str(tmp_path / "m"))
    np.testing.assert_array_equal(again.predict(x).numpy(), want)
    model.dispose(), loaded.dispose(), again.dispose()


def test_round_trip_functional_with_time_distributed(tmp_path):
    inp = wt.input(shape=(4, 3))
    seq = SimpleRNN(5, return_sequences=True, name="rnn")(inp)
    out = TimeDistributed(wt.layers.Dense(2), name="td")(seq)
    model = wt.model(inputs=inp, outputs=out)
    x = _rand((2, 4, 3), 2, 1.0)
    want = model.predict(x).numpy()
    model.save(str(tmp_path / "f"))
    loaded = load_layers_model(str(tmp_path / "f"))
    np.testing.assert_array_equal(loaded.predict(x).numpy(), want)
    model.dispose(), loaded.dispose()


def test_save_is_atomic(tmp_path, monkeypatch):
    model = wt.sequential([wt.layers.Dense(2, input_shape=(3,), name="d")])
    save_model(model, tmp_path / "m")
    before = (tmp_path / "m" / "model.json").read_text()

    def fail(self, *a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_text", fail)
    with pytest.raises(OSError, match="disk full"):
        save_model(model, tmp_path / "m")
    with pytest.raises(OSError, match="disk full"):
        save_model(model, tmp_path / "new")
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == ["m"]  # no temp dirs, no half-written 'new'
    assert (tmp_path / "m" / "model.json").read_text() == before
    model.dispose()


def _write(path: Path, doc: dict, shards: dict) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, data in shards.items():
        (path / name).write_bytes(data)
    (path / "model.json").write_text(json.dumps(doc))
    return path / "model.json"


def test_load_tfjs_written_model(tmp_path):
    """A model.json as TensorFlow.js writes it: LSTM without recurrent_activation."""
    k, r, b = _rand((2, 12), 3), _rand((3, 12), 4), _rand((12,), 5)
    dk, db = _rand((3, 2), 6), _rand((2,), 7)
    glorot = {"class_name": "GlorotUniform", "config": {"seed": None}}
    topology = {
        "class_name": "Sequential",
        "config": {"name": "sequential_1", "layers": [
            {"class_name": "LSTM", "config": {
                "units": 3, "activation": "tanh", "use_bias": True,
                "kernel_initializer": glorot,
                "recurrent_initializer": {"class_name": "Orthogonal",
                                          "config": {"gain": 1, "seed": None}},
                "bias_initializer": {"class_name": "Zeros", "config": {}},
                "unit_forget_bias": True, "dropout": 0, "recurrent_dropout": 0,
                "return_sequences": False, "return_state": False, "go_backwards": False,
                "stateful": False, "unroll": False, "implementation": 1,
                "name": "lstm_L1", "trainable": True, "batch_input_shape": [None, 4, 2],
                "dtype": "float32"}},
            {"class_name": "Dense", "config": {
                "units": 2, "activation": "linear", "use_bias": True,
                "kernel_initializer": glorot, "name": "dense_D1", "trainable": True}},
        ]},
        "keras_version": "tfjs-layers 4.10.0", "backend": "tensor_flow.js"}
    weights = [("lstm_L1/kernel", k), ("lstm_L1/recurrent_kernel", r), ("lstm_L1/bias", b),
               ("dense_D1/kernel", dk), ("dense_D1/bias", db)]
    manifest = [{"paths": ["weights.bin"],
                 "weights": [{"name": n, "shape": list(a.shape), "dtype": "float32"}
                             for n, a in weights]}]
    doc = {"modelTopology": topology, "format": "layers-model",
           "generatedBy": "TensorFlow.js tfjs-layers v4.10.0", "convertedBy": None,
           "weightsManifest": manifest}
    blob = b"".join(a.tobytes() for _, a in weights)
    path = _write(tmp_path / "tfjs", doc, {"weights.bin": blob})
    model = load_layers_model(path)
    lstm = model.layers[0]
    assert lstm.get_config()["recurrent_activation"] == "hard_sigmoid"
    x = _rand((2, 4, 2), 8, 1.0)
    h, c = np.zeros((2, 3)), np.zeros((2, 3))
    xw = x.astype(np.float64) @ k + b
    for t in range(4):
        h, c = ref_lstm_step(xw[:, t], h, c, r.T.astype(np.float64), act=1, ract=3)
    np.testing.assert_allclose(model.predict(x).numpy(), h @ dk + db, rtol=1e-4, atol=1e-5)
    model.dispose()


def test_load_converter_model(tmp_path):
    """The tensorflowjs converter's output for a Keras functional GRU model: model_config
    wrapping, Keras cell weight names in another order, two shards, float16 and uint8
    quantized weights."""
    k, r, b = _rand((3, 12), 9), _rand((4, 12), 10), _rand((2, 12), 11)
    dk, db = _rand((4, 1), 12), np.array([0.25], np.float32)
    k16 = k.astype(np.float16)
    q_min, q_scale = -0.5, 1.0 / 255.0
    r_q = np.round((r - q_min) / q_scale).clip(0, 255).astype(np.uint8)
    r_deq = (r_q.astype(np.float64) * q_scale + q_min).astype(np.float32)
    glorot = {"class_name": "GlorotUniform", "config": {"seed": None}}
    layers = [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 5, 3],
                                                "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "input_1"},
         "name": "input_1", "inbound_nodes": []},
        {"class_name": "GRU", "config": {
            "name": "gru", "trainable": True, "dtype": "float32", "return_sequences": False,
            "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
            "time_major": False, "units": 4, "activation": "tanh",
            "recurrent_activation": "sigmoid", "use_bias": True, "kernel_initializer": glorot,
            "recurrent_initializer": {"class_name": "Orthogonal",
                                      "config": {"gain": 1.0, "seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}},
            "kernel_regularizer": None, "recurrent_regularizer": None,
            "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
            "recurrent_constraint": None, "bias_constraint": None, "dropout": 0.0,
            "recurrent_dropout": 0.0, "implementation": 2, "reset_after": True},
         "name": "gru", "inbound_nodes": [[["input_1", 0, 0, {}]]]},
        {"class_name": "Dense", "config": {"name": "dense", "trainable": True,
                                           "dtype": "float32", "units": 1,
                                           "activation": "sigmoid", "use_bias": True},
         "name": "dense", "inbound_nodes": [[["gru", 0, 0, {}]]]},
    ]
    topology = {"keras_version": "2.13.1", "backend": "tensorflow",
                "model_config": {"class_name": "Functional", "config": {
                    "name": "model", "layers": layers, "input_layers": [["input_1", 0, 0]],
                    "output_layers": [["dense", 0, 0]]}},
                "training_config": {"loss": "binary_crossentropy"}}
    specs = [
        {"name": "dense/bias", "shape": [1], "dtype": "float32"},
        {"name": "dense/kernel", "shape": [4, 1], "dtype": "float32"},
        {"name": "gru/gru_cell/bias", "shape": [2, 12], "dtype": "float32"},
        {"name": "gru/gru_cell/kernel", "shape": [3, 12], "dtype": "float32",
         "quantization": {"dtype": "float16", "original_dtype": "float32"}},
        {"name": "gru/gru_cell/recurrent_kernel", "shape": [4, 12], "dtype": "float32",
         "quantization": {"dtype": "uint8", "scale": q_scale, "min": q_min,
                          "original_dtype": "float32"}},
    ]
    data = db.tobytes() + dk.tobytes() + b.tobytes() + k16.tobytes() + r_q.tobytes()
    cut = 37  # shards split anywhere, even inside a weight
    manifest = [{"paths": ["group1-shard1of2.bin", "group1-shard2of2.bin"], "weights": specs}]
    doc = {"format": "layers-model", "generatedBy": "keras v2.13.1",
           "convertedBy": "TensorFlow.js Converter v4.10.0", "modelTopology": topology,
           "weightsManifest": manifest}
    path = _write(tmp_path / "conv", doc, {"group1-shard1of2.bin": data[:cut],
                                           "group1-shard2of2.bin": data[cut:]})
    model = load_layers_model(tmp_path / "conv")
    gru = model.get_layer("gru")
    assert gru.get_config()["reset_after"] is True
    np.testing.assert_array_equal(gru.get_weights()[0], k16.astype(np.float32))
    np.testing.assert_allclose(gru.get_weights()[1], r_deq, rtol=1e-6)
    x = _rand((2, 5, 3), 13, 1.0)
    xw = x.astype(np.float64) @ k16.astype(np.float64) + b[0]
    h = np.zeros((2, 4))
    for t in range(5):
        h = ref_gru_step(xw[:, t], h, h, r_deq.T.astype(np.float64), b[1], reset_after=True)
    want = 1 / (1 + np.exp(-(h @ dk + db)))
    np.testing.assert_allclose(model.predict(x).numpy(), want, rtol=1e-4, atol=1e-5)
    model.dispose()
    del path


def test_read_weights_int32_and_short_file(tmp_path):
    (tmp_path / "w.bin").write_bytes(np.array([3, -4], "<i4").tobytes())
    m = [{"paths": ["w.bin"], "weights": [{"name": "i", "shape": [2], "dtype": "int32"}]}]
    assert read_weights(m, tmp_path)[0][1].tolist() == [3.0, -4.0]
    m[0]["weights"][0]["shape"] = [3]
    with pytest.raises(ValueError, match="too short"):
        read_weights(m, tmp_path)


def test_unknown_layer_class(tmp_path):
    doc = {"modelTopology": {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "FancyAttention", "config": {"name": "fa",
                                                    "batch_input_shape": [None, 3]}}]}},
           "format": "layers-model", "generatedBy": "TensorFlow.js tfjs-layers v4.0.0",
           "weightsManifest": []}
    path = _write(tmp_path / "u", doc, {})
    with pytest.raises(ValueError, match="FancyAttention"):
        load_layers_model(path)


def test_weight_shape_mismatch_is_reported(tmp_path):
    model = wt.sequential([wt.layers.Dense(2, input_shape=(3,), name="d")])
    save_model(model, tmp_path / "m")
    doc = json.loads((tmp_path / "m" / "model.json").read_text())
    doc["modelTopology"]["config"]["layers"][0]["config"]["units"] = 3
    (tmp_path / "m" / "model.json").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="d/kernel"):
        load_layers_model(tmp_path / "m")
    model.dispose()


@pytest.mark.parametrize("generated_by, want", [
    ("TensorFlow.js tfjs-layers v4.10.0", "hard_sigmoid"),
    ("keras v2.13.1", "sigmoid"),
    (None, "sigmoid"),
])
def test_missing_recurrent_activation_default_depends_on_writer(tmp_path, generated_by, want):
    """SPEC: a config naming no recurrent_activation gets hard_sigmoid only from TF.js."""
    topology = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "GRU", "config": {"units": 2, "name": "g",
                                         "batch_input_shape": [None, 3, 2]}}]}}
    doc = {"modelTopology": topology, "generatedBy": generated_by, "weightsManifest": []}
    model = load_layers_model(_write(tmp_path, doc, {}), strict=False)
    assert model.layers[0].get_config()["recurrent_activation"] == want
    model.dispose()


def test_bidirectional_explicit_backward_layer_round_trip(tmp_path):
    """An explicit backward_layer (other activation) is saved, so the reload is identical."""
    bi = Bidirectional(SimpleRNN(2, name="f"), input_shape=(3, 2), name="bi",
                       backward_layer=SimpleRNN(2, go_backwards=True, activation="relu"))
    model = wt.sequential([bi])
    model.save(tmp_path / "m")
    again = load_layers_model(tmp_path / "m")
    assert again.layers[0].backward_layer.get_config()["activation"] == "relu"
    x = _rand((2, 3, 2), 21, 1.0)
    np.testing.assert_array_equal(model.predict(x).numpy(), again.predict(x).numpy())
    model.dispose()
    again.dispose()
