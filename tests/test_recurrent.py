"""Recurrent layers and wrappers against numpy step-by-step references."""

import numpy as np
import pytest

import webtensor as wt
from webtensor.layers.recurrent import (
    GRU,
    LSTM,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    gru,
    lstm,
    ref_gru_step,
    ref_lstm_step,
    ref_simple_rnn_step,
    simple_rnn,
)
from webtensor.layers.wrappers import Bidirectional, TimeDistributed, time_distributed
from webtensor.testing import check_gradients

ACT = {"tanh": 1, "sigmoid": 2, "hard_sigmoid": 3, "relu": 4, "linear": 0}


def _weights(layer, input_dim, seed):
    layer.build((None, 3, input_dim))
    rng = np.random.default_rng(seed)
    ws = [rng.uniform(-0.6, 0.6, w.shape).astype(np.float32) for w in layer.get_weights()]
    layer.set_weights(ws)
    return [w.astype(np.float64) for w in ws]


def np_rnn(kind, x, ws, *, act="tanh", ract="sigmoid", reset_after=False, go_backwards=False,
           return_sequences=False, return_state=False, initial_state=None):
    """numpy float64 reference of a whole recurrent layer (Keras semantics)."""
    x = np.asarray(x, np.float64)
    kernel, rec, bias = ws
    b, steps, _ = x.shape
    units = rec.shape[0]
    rb = None
    if kind == "gru" and reset_after:
        bias, rb = bias[0], bias[1]
    xw = x @ kernel + bias
    n_states = 2 if kind == "lstm" else 1
    states = ([np.asarray(s, np.float64) for s in initial_state] if initial_state
              else [np.zeros((b, units))] * n_states)
    outs = []
    for t in (range(steps - 1, -1, -1) if go_backwards else range(steps)):
        if kind == "rnn":
            states = [ref_simple_rnn_step(xw[:, t], states[0], rec.T, act=ACT[act])]
        elif kind == "lstm":
            states = ref_lstm_step(xw[:, t], states[0], states[1], rec.T, act=ACT[act],
                                   ract=ACT[ract])
        else:
            states = [ref_gru_step(xw[:, t], states[0], states[0], rec.T, rb, act=ACT[act],
                                   ract=ACT[ract], reset_after=reset_after)]
        outs.append(states[0])
    out = np.stack(outs, 1) if return_sequences else states[0]
    return [out, *states] if return_state else out


KINDS = [
    ("rnn", SimpleRNN, {}),
    ("lstm", LSTM, {}),
    ("gru", GRU, {"reset_after": False}),
    ("gru", GRU, {"reset_after": True}),
]


@pytest.mark.parametrize("kind,cls,extra", KINDS, ids=["rnn", "lstm", "gru", "gru_ra"])
@pytest.mark.parametrize("units", [5, 8])
def test_layers_match_numpy(kind, cls, extra, units):
    x = np.random.default_rng(1).uniform(-1, 1, (3, 6, 4)).astype(np.float32)
    for opts in ({}, {"return_sequences": True}, {"go_backwards": True, "return_sequences": True},
                 {"return_state": True, "go_backwards": True}):
        layer = cls(units, **extra, **opts)
        ws = _weights(layer, 4, seed=units)
        got = layer(x)
        want = np_rnn(kind, x, ws, **extra, **opts)
        if isinstance(want, list):
            assert len(got) == len(want)
            for g, w in zip(got, want):
                np.testing.assert_allclose(g.numpy(), w, rtol=1e-4, atol=1e-5)
        else:
            assert got.shape == want.shape
            np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind,cls,extra", KINDS, ids=["rnn", "lstm", "gru", "gru_ra"])
def test_initial_state_and_activations(kind, cls, extra):
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, (2, 4, 3)).astype(np.float32)
    opts = {"activation": "relu"}
    if kind != "rnn":
        opts["recurrent_activation"] = "hard_sigmoid"
    layer = cls(4, return_sequences=True, **extra, **opts)
    ws = _weights(layer, 3, seed=3)
    n = 2 if kind == "lstm" else 1
    init = [rng.uniform(-1, 1, (2, 4)).astype(np.float32) for _ in range(n)]
    got = layer(x, initial_state=[wt.tensor(s) for s in init])
    want = np_rnn(kind, x, ws, act="relu", ract=opts.get("recurrent_activation", "sigmoid"),
                  return_sequences=True, initial_state=init, **extra)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="initial_state"):
        layer(x, initial_state=[wt.zeros([2, 3])] * n)


@pytest.mark.parametrize("kind,cls,extra", KINDS, ids=["rnn", "lstm", "gru", "gru_ra"])
def test_fused_equals_composed(kind, cls, extra):
    """An activation outside the fused table runs the public-op cell: same values."""
    x = np.random.default_rng(4).uniform(-1, 1, (2, 5, 3)).astype(np.float32)
    fused = cls(4, return_sequences=True, **extra)
    ws = _weights(fused, 3, seed=5)
    composed = cls(4, return_sequences=True, activation=lambda t: wt.tanh(t), **extra)
    composed.build((None, 5, 3))
    composed.set_weights([w.astype(np.float32) for w in ws])
    np.testing.assert_allclose(fused(x).numpy(), composed(x).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind,cls,extra", KINDS, ids=["rnn", "lstm", "gru", "gru_ra"])
def test_gradients_match_finite_differences(kind, cls, extra):
    rng = np.random.default_rng(6)
    layer = cls(3, return_sequences=True, **extra)
    ws = _weights(layer, 2, seed=7)
    x = rng.uniform(-1, 1, (2, 3, 2))

    def fn_np(x, k, r, b):
        return np_rnn(kind, x, [k, r, b], return_sequences=True, **extra)

    # weights as inputs: the same projection and step kernels as the layer's call
    check_gradients(lambda x, k, r, b: _functional_layer(kind, extra, x, k, r, b), fn_np,
                    [x, *ws], rtol=3e-2, atol=3e-3)
    assert layer.built


def _functional_layer(kind, extra, x, k, r, b):
    """The layer's forward with weights as inputs (same kernels as the layer's call)."""
    from webtensor.layers import recurrent as R

    reset_after = extra.get("reset_after", False)
    ut = wt.transpose(r)
    rb = None
    if kind == "gru" and reset_after:
        b, rb = b[0], b[1]
    xw = wt.add(wt.matmul(wt.reshape(x, (-1, x.shape[-1])), k), b)
    xw = wt.reshape(xw, (x.shape[0], x.shape[1], -1))
    units = r.shape[0]
    states = [wt.zeros([x.shape[0], units])] * (2 if kind == "lstm" else 1)
    outs = []
    for t in range(x.shape[1]):
        xt = R._xw_at(xw, t)
        if kind == "rnn":
            states = [R.apply("simple_rnn_step", [xt, states[0], ut], act=1)]
        elif kind == "lstm":
            states = R.apply("lstm_step", [xt, states[0], states[1], ut], act=1, ract=2)
        else:
            states = [R.apply("gru_step", [xt, states[0], states[0], ut, rb], act=1, ract=2,
                              reset_after=reset_after)]
        outs.append(states[0])
    return wt.stack(outs, 1)


@pytest.mark.parametrize("kind,cls,extra", KINDS, ids=["rnn", "lstm", "gru", "gru_ra"])
def test_training_decreases_loss(kind, cls, extra):
    rng = np.random.default_rng(8)
    x = rng.uniform(-1, 1, (16, 5, 3)).astype(np.float32)
    y = np.tanh(x.sum(1)[:, :2]).astype(np.float32)
    layer = cls(2, dropout=0.1, recurrent_dropout=0.1, **extra)
    layer.build((None, 5, 3))
    opt = wt.train.adam(0.05)
    losses = []
    for _ in range(25):
        loss = opt.minimize(lambda: wt.mean(wt.square(wt.sub(layer(x, training=True), y))),
                            return_cost=True, var_list=layer.trainable_weights)
        losses.append(float(loss))
        loss.dispose()
    assert np.mean(losses[-3:]) < 0.7 * np.mean(losses[:3]), losses


def test_memory_flat_over_calls():
    layer = LSTM(4, return_sequences=True, return_state=True)
    x = np.ones((2, 7, 3), np.float32)
    out = layer(x)
    wt.dispose(out)
    before = wt.memory()
    for _ in range(3):
        out = layer(x)
        wt.dispose(out)
    after = wt.memory()
    assert after.num_tensors == before.num_tensors
    assert after.num_bytes == before.num_bytes


def test_weights_names_shapes_and_config():
    layer = LSTM(3, name="enc")
    layer.build((None, 4, 2))
    assert [w.name for w in layer.weights] == ["enc/kernel", "enc/recurrent_kernel", "enc/bias"]
    assert [w.shape for w in layer.weights] == [(2, 12), (3, 12), (12,)]
    b = layer.get_weights()[2]
    np.testing.assert_array_equal(b, np.r_[np.zeros(3), np.ones(3), np.zeros(6)])
    g = GRU(3, reset_after=True, name="g")
    g.build((None, 4, 2))
    assert [w.shape for w in g.weights] == [(2, 9), (3, 9), (2, 9)]
    cfg = layer.get_config()
    assert cfg["units"] == 3 and cfg["recurrent_activation"] == "sigmoid"
    assert cfg["unit_forget_bias"] is True and cfg["return_sequences"] is False
    clone = LSTM.from_config(dict(cfg, name="enc2"))
    assert clone.get_config() == dict(cfg, name="enc2")
    assert lstm({"units": 2, "returnSequences": True}).return_sequences
    assert gru(units=2).units == 2 and simple_rnn(units=3).units == 3
    with pytest.raises(ValueError, match="rank 3"):
        SimpleRNN(2)(np.ones((2, 3), np.float32))


def test_cells_one_step():
    rng = np.random.default_rng(9)
    x = rng.uniform(-1, 1, (2, 3)).astype(np.float32)
    cell = LSTMCell(4)
    h, (h2, c) = cell(x)
    k, r, b = [w.astype(np.float64) for w in cell.get_weights()]
    want_h, want_c = ref_lstm_step(x @ k + b, np.zeros((2, 4)), np.zeros((2, 4)), r.T)
    np.testing.assert_allclose(h.numpy(), want_h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(c.numpy(), want_c, rtol=1e-4, atol=1e-5)
    gcell = GRUCell(4, reset_after=True)
    h0 = rng.uniform(-1, 1, (2, 4)).astype(np.float32)
    h, _ = gcell(x, states=[h0])
    k, r, b = [w.astype(np.float64) for w in gcell.get_weights()]
    want = ref_gru_step(x @ k + b[0], h0, h0, r.T, b[1], reset_after=True)
    np.testing.assert_allclose(h.numpy(), want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_merge_modes(mode):
    x = np.random.default_rng(10).uniform(-1, 1, (2, 4, 3)).astype(np.float32)
    bi = Bidirectional(LSTM(3, return_sequences=True, name="lstm"), merge_mode=mode, name="bi")
    bi.build((None, 4, 3))
    rng = np.random.default_rng(11)
    ws = [rng.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in bi.get_weights()]
    bi.set_weights(ws)
    assert [w.name for w in bi.weights][:3] == ["bi/forward_lstm/kernel",
                                                "bi/forward_lstm/recurrent_kernel",
                                                "bi/forward_lstm/bias"]
    assert bi.weights[3].name == "bi/backward_lstm/kernel"
    w64 = [w.astype(np.float64) for w in ws]
    f = np_rnn("lstm", x, w64[:3], return_sequences=True)
    b = np_rnn("lstm", x, w64[3:], return_sequences=True, go_backwards=True)[:, ::-1]
    want = {"concat": np.concatenate([f, b], -1), "sum": f + b, "mul": f * b,
            "ave": (f + b) / 2, None: [f, b]}[mode]
    got = bi(x)
    if mode is None:
        for g, w in zip(got, want):
            np.testing.assert_allclose(g.numpy(), w, rtol=1e-4, atol=1e-5)
    else:
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-5)
        assert bi.compute_output_shape((None, 4, 3)) == (None, *want.shape[1:])


def test_wrapped_layers_activity_regularizers():
    # the wrappers run their inner layers' call directly: the inner activity
    # regularizers must still reach the training loss (and only when training)
    x = np.random.default_rng(3).normal(size=(2, 3, 4)).astype(np.float32)
    bi = Bidirectional(SimpleRNN(2, activity_regularizer=wt.regularizers.l1(0.5)), name="bir")
    y = bi(x, training=True)
    got = sum(t.item() for t in bi._activity_losses)
    assert len(bi._activity_losses) == 2
    assert got == pytest.approx(0.5 * np.abs(y.numpy()).sum(), rel=1e-5)
    td = TimeDistributed(wt.layers.Dense(3, activity_regularizer=wt.regularizers.l2(0.25)),
                         name="tdr")
    z = td(x, training=True)
    (pen,) = td._activity_losses
    assert pen.item() == pytest.approx(0.25 * (z.numpy().astype(np.float64) ** 2).sum(),
                                       rel=1e-5)
    for layer in (bi, td):
        wt.dispose(layer._activity_losses)
        layer._activity_losses = []
        layer(x).dispose()
        assert layer._activity_losses == []
    wt.dispose([y, z])
    model = wt.sequential([TimeDistributed(
        wt.layers.Dense(1, activity_regularizer=wt.regularizers.l2(1.0)), input_shape=(3, 4))])
    model.compile("sgd", "mse")
    plain = model.evaluate(x, np.zeros((2, 3, 1), np.float32))
    out = model.predict(x).numpy()
    assert model.train_on_batch(x, np.zeros((2, 3, 1), np.float32)) == pytest.approx(
        plain + (out.astype(np.float64) ** 2).sum(), rel=1e-4)


def test_bidirectional_states_and_config():
    x = np.ones((2, 3, 2), np.float32)
    bi = Bidirectional(GRU(2, return_state=True), name="bg")
    out = bi(x)
    assert [o.shape for o in out] == [(2, 4), (2, 2), (2, 2)]
    cfg = bi.get_config()
    assert cfg["layer"]["class_name"] == "GRU" and cfg["merge_mode"] == "concat"
    again = Bidirectional.from_config(dict(cfg, name="bg2"))
    assert again.forward_layer.units == 2 and again.backward_layer.go_backwards
    with pytest.raises(ValueError, match="merge_mode"):
        Bidirectional(GRU(2), merge_mode="max")
    with pytest.raises(ValueError, match="opposite go_backwards"):
        Bidirectional(GRU(2), backward_layer=GRU(2))
    with pytest.raises(ValueError, match="recurrent layer"):
        Bidirectional(GRU(2), backward_layer=wt.layers.Dense(2))


def test_time_distributed():
    x = np.random.default_rng(12).uniform(-1, 1, (2, 3, 4)).astype(np.float32)
    td = time_distributed(layer=wt.layers.Dense(5, activation="relu"), name="td")
    y = td(x)
    k, b = td.get_weights()
    assert [w.name for w in td.weights] == ["td/kernel", "td/bias"]
    np.testing.assert_allclose(y.numpy(), np.maximum(x @ k + b, 0), rtol=1e-5, atol=1e-6)
    assert td.compute_output_shape((None, 3, 4)) == (None, 3, 5)
    assert TimeDistributed.from_config(td.get_config()).layer.units == 5


def test_bidirectional_and_td_in_sequential_model():
    model = wt.sequential([
        Bidirectional(SimpleRNN(3, return_sequences=True), input_shape=(4, 2)),
        TimeDistributed(wt.layers.Dense(1)),
    ])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(13).uniform(-1, 1, (8, 4, 2)).astype(np.float32)
    y = x.sum(-1, keepdims=True)
    assert model.predict(x).shape == (8, 4, 1)
    hist = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert len(hist.history["loss"]) == 2
