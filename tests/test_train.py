"""Optimizers (wt.train): TF.js update rules step by step against float64 numpy, the
minimize/apply_gradients API, state (weights, dispose), errors, and memory."""

import numpy as np
import pytest

import webtensor as wt
from webtensor.engine import engine
from webtensor.testing import assert_close, no_leaks

EPS = 1e-7  # TF.js's float32 backend epsilon


# -- float64 references: the TF.js formulas (tfjs-core/src/optimizers/*.ts) -------------
def ref_init(name, shape, cfg):
    z = np.zeros(shape)
    if name == "momentum":
        return {"momentum": z}
    if name == "adam":
        return {"m": z, "v": z}
    if name == "adagrad":
        return {"accumulator": np.full(shape, cfg.get("initial_accumulator_value", 0.1))}
    if name == "adadelta":
        return {"accum_grad": z, "accum_var": z}
    if name == "adamax":
        return {"m": z, "v": z}
    if name == "rmsprop":
        out = {"rms": z, "momentum": z}
        if cfg.get("centered"):
            out["mg"] = z
        return out
    return {}


def ref_step(name, cfg, x, g, s, t):
    """One TF.js step at 1-based step ``t``; returns (new x, new state)."""
    lr = cfg.get("lr", {"adam": 0.001, "adadelta": 0.001, "adamax": 0.002}.get(name))
    s = dict(s)
    if name == "sgd":
        return x - lr * g, s
    if name == "momentum":
        m = cfg["momentum"]
        a = m * s["momentum"] + g
        s["momentum"] = a
        if cfg.get("use_nesterov"):
            return x - lr * (g + a * m), s
        return x - lr * a, s
    if name == "adam":
        b1, b2 = cfg.get("beta1", 0.9), cfg.get("beta2", 0.999)
        eps = cfg.get("epsilon", EPS)
        m = b1 * s["m"] + (1 - b1) * g
        v = b2 * s["v"] + (1 - b2) * g * g
        s["m"], s["v"] = m, v
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        return x - lr * m_hat / (np.sqrt(v_hat) + eps), s
    if name == "adagrad":
        a = s["accumulator"] + g * g
        s["accumulator"] = a
        return x - lr * g / np.sqrt(a + EPS), s
    if name == "adadelta":
        rho, eps = cfg.get("rho", 0.95), cfg.get("epsilon", EPS)
        ag, au = s["accum_grad"], s["accum_var"]
        upd = np.sqrt(au + eps) / np.sqrt(ag + eps) * g  # the previous accumulators
        s["accum_grad"] = rho * ag + (1 - rho) * g * g
        s["accum_var"] = rho * au + (1 - rho) * upd * upd
        return x - lr * upd, s
    if name == "adamax":
        b1, b2 = cfg.get("beta1", 0.9), cfg.get("beta2", 0.999)
        eps, decay = cfg.get("epsilon", EPS), cfg.get("decay", 0.0)
        lr_t = lr / (1 + (t - 1) * decay)
        m = b1 * s["m"] + (1 - b1) * g
        u = np.maximum(b2 * s["v"], np.abs(g))
        s["m"], s["v"] = m, u
        return x - lr_t / (1 - b1 ** t) * m / (u + eps), s
    if name == "rmsprop":
        d, mom, eps = cfg.get("decay", 0.9), cfg.get("momentum", 0.0), cfg.get("epsilon", EPS)
        ms = d * s["rms"] + (1 - d) * g * g
        if cfg.get("centered"):
            mg = d * s["mg"] + (1 - d) * g
            s["mg"] = mg
            denom = np.sqrt(ms - (mg * mg + eps))
        else:
            denom = np.sqrt(ms + eps)
        moment = mom * s["momentum"] + lr * g / denom
        s["rms"], s["momentum"] = ms, moment
        return x - moment, s
    raise AssertionError(name)


def make(name, cfg):
    return getattr(wt.train, name)(**cfg)


CONFIGS = [
    ("sgd", {"lr": 0.1}),
    ("momentum", {"lr": 0.1, "momentum": 0.9}),
    ("momentum", {"lr": 0.05, "momentum": 0.5, "use_nesterov": True}),
    ("adam", {}),
    ("adam", {"lr": 0.1, "beta1": 0.8, "beta2": 0.9, "epsilon": 1e-3}),
    ("adagrad", {"lr": 0.1}),
    ("adagrad", {"lr": 0.5, "initial_accumulator_value": 0.3}),
    ("adadelta", {"lr": 1.0}),
    ("adadelta", {"lr": 0.5, "rho": 0.9, "epsilon": 1e-3}),
    ("adamax", {}),
    ("adamax", {"lr": 0.1, "beta1": 0.8, "beta2": 0.5, "decay": 0.5}),
    ("rmsprop", {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01, "momentum": 0.9, "decay": 0.8}),
    ("rmsprop", {"lr": 0.01, "momentum": 0.5, "centered": True}),
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)]


def _grads(rng, shape, steps):
    mag = rng.uniform(0.3, 2.0, size=(steps, *shape))
    return (mag * rng.choice([-1.0, 1.0], size=mag.shape)).astype(np.float32)


@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
@pytest.mark.parametrize("shape", [(3, 5), (37,)])
def test_apply_gradients_matches_tfjs_rule(name, cfg, shape):
    rng = np.random.default_rng(len(name) + len(cfg))
    x0 = rng.normal(size=shape).astype(np.float32)
    gs = _grads(rng, shape, 3)
    w = wt.variable(x0)
    opt = make(name, cfg)
    x, s = x0.astype(np.float64), ref_init(name, shape, cfg)
    for t in range(1, 4):
        opt.apply_gradients({w.name: wt.tensor(gs[t - 1])})
        x, s = ref_step(name, cfg, x, gs[t - 1].astype(np.float64), s, t)
        assert_close(w, x, rtol=1e-5, atol=1e-6, what=f"{name} value after step {t}")
    assert opt.iterations == 3
    weights = opt.get_weights()
    assert weights[0] == 3 and weights[0].dtype == np.int32
    names = opt.weight_names()
    assert names[0] == "iter"
    assert len(weights) == 1 + len(s)
    for wname, arr in zip(names[1:], weights[1:], strict=True):
        slot = wname.rpartition("/")[2]
        assert wname == f"{w.name}/{slot}"
        assert_close(arr, s[slot], rtol=1e-5, atol=1e-6, what=f"{name} state {slot}")
    opt.dispose()


@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_minimize_quadratic_matches_tfjs_rule(name, cfg):
    # f = 3 (w1 - 1)^2 + (w2 + 2)^2 with scalar variables: df/dw1 = 6 (w1 - 1), df/dw2 = 2 (w2 + 2)
    w1, w2 = wt.variable(wt.scalar(0.5)), wt.variable(wt.scalar(1.5))
    opt = make(name, cfg)
    xs = [np.float64(0.5), np.float64(1.5)]
    states = [ref_init(name, (), cfg), ref_init(name, (), cfg)]

    def loss():
        return wt.add(wt.mul(wt.square(wt.sub(w1, 1.0)), 3.0), wt.square(wt.add(w2, 2.0)))

    for t in range(1, 4):
        want_cost = 3 * (xs[0] - 1) ** 2 + (xs[1] + 2) ** 2
        cost = opt.minimize(loss, return_cost=True, var_list=[w1, w2])
        assert_close(cost, want_cost, rtol=1e-5, what="cost before the step")
        cost.dispose()
        gs = [6 * (xs[0] - 1), 2 * (xs[1] + 2)]
        for k in range(2):
            xs[k], states[k] = ref_step(name, cfg, xs[k], gs[k], states[k], t)
        assert_close(w1, xs[0], rtol=1e-5, atol=1e-6, what=f"{name} w1 step {t}")
        assert_close(w2, xs[1], rtol=1e-5, atol=1e-6, what=f"{name} w2 step {t}")
    opt.dispose()


def test_minimize_vector_quadratic_with_sum():
    target = np.array([1.0, -2.0, 3.0, 0.5, 4.0], np.float32)
    w = wt.variable(np.zeros(5, np.float32))
    opt = wt.train.adam(0.1)
    x, s = np.zeros(5), ref_init("adam", (5,), {})
    for t in range(1, 4):
        opt.minimize(lambda: wt.sum(wt.square(wt.sub(w, target))), var_list=[w])
        x, s = ref_step("adam", {"lr": 0.1}, x, 2 * (x - target), s, t)
        assert_close(w, x, rtol=1e-5, atol=1e-6)
    opt.dispose()


@pytest.mark.parametrize("name,cfg,steps", [
    ("sgd", {"lr": 0.1}, 300), ("momentum", {"lr": 0.05, "momentum": 0.9}, 300),
    ("adam", {"lr": 0.1}, 300), ("adagrad", {"lr": 0.5}, 300),
    ("adadelta", {"lr": 0.5, "epsilon": 0.1}, 300), ("adamax", {"lr": 0.1}, 300),
    ("rmsprop", {"lr": 0.02}, 300),
    # TF.js's centered RMSProp divides by sqrt(ms - (mg^2 + eps)): once the gradient is
    # exactly 0 (converged in float32) that is sqrt(-eps) = NaN, so stop before that.
    ("rmsprop", {"lr": 0.01, "momentum": 0.5, "centered": True}, 130),
])
def test_linear_regression_converges(name, cfg, steps):
    rng = np.random.default_rng(1)
    xs = rng.uniform(-1, 1, size=(64,)).astype(np.float32)
    ys = (3.0 * xs + 2.0).astype(np.float32)
    x_t, y_t = wt.tensor(xs), wt.tensor(ys)
    a, b = wt.variable(wt.scalar(0.0)), wt.variable(wt.scalar(0.0))
    opt = make(name, cfg)

    def loss():
        return wt.mean(wt.square(wt.sub(wt.add(wt.mul(x_t, a), b), y_t)))

    first = opt.minimize(loss, return_cost=True, var_list=[a, b]).item()
    for _ in range(steps):
        opt.minimize(loss, var_list=[a, b])
    last = wt.tidy(loss).item()
    assert last < 1e-3 * first, (first, last)
    assert abs(a.item() - 3.0) < 0.1 and abs(b.item() - 2.0) < 0.1
    opt.dispose()


def test_minimize_default_trains_only_trainable_variables():
    w = wt.variable(wt.scalar(2.0))
    c = wt.variable(wt.scalar(3.0), trainable=False)
    opt = wt.train.sgd(0.01)
    opt.minimize(lambda: wt.square(wt.sub(wt.mul(w, c), 1.0)))
    # d/dw (w c - 1)^2 = 2 (w c - 1) c = 30
    assert_close(w, 2.0 - 0.01 * 30.0, rtol=1e-6)
    assert c.item() == 3.0
    # an explicit var_list trains exactly those, trainable or not
    opt.minimize(lambda: wt.square(wt.sub(wt.mul(w, c), 1.0)), var_list=[c])
    assert_close(w, 1.7, rtol=1e-6)
    wc = 1.7 * 3.0
    assert_close(c, 3.0 - 0.01 * 2 * (wc - 1) * 1.7, rtol=1e-5)
    opt.dispose()


def test_minimize_returns_none_or_cost_before_update():
    w = wt.variable(wt.scalar(3.0))
    opt = wt.train.sgd(0.1)
    assert opt.minimize(lambda: w.square(), var_list=[w]) is None
    cost = opt.minimize(lambda: w.square(), return_cost=True, var_list=[w])
    assert_close(cost, 2.4 ** 2, rtol=1e-6)
    assert_close(w, 2.4 - 0.48, rtol=1e-6)
    cost.dispose()


def test_apply_gradients_forms():
    a = wt.variable(wt.tensor([1.0, 2.0]), name="train_forms_a")
    b = wt.variable(wt.tensor([[1.0]]), name="train_forms_b")
    opt = wt.train.sgd(1.0)
    opt.apply_gradients({"train_forms_a": wt.tensor([1.0, 1.0]), "train_forms_b": None})
    assert a.numpy().tolist() == [0.0, 1.0] and b.numpy().tolist() == [[1.0]]
    opt.apply_gradients([("train_forms_a", [1.0, 2.0]), (b, np.array([[0.5]]))])
    assert a.numpy().tolist() == [-1.0, -1.0] and b.numpy().tolist() == [[0.5]]
    opt.apply_gradients([{"name": "train_forms_b", "tensor": wt.tensor([[0.5]])}])
    assert b.numpy().tolist() == [[0.0]]
    opt.apply_gradients({a: wt.tensor([1, 1], dtype="int32")})  # int gradient becomes float
    assert a.numpy().tolist() == [-2.0, -2.0]
    assert opt.iterations == 4


def test_errors():
    w = wt.variable(wt.tensor([1.0, 2.0]))
    opt = wt.train.adam(0.1)
    with pytest.raises(ValueError, match="var_list is empty"):
        opt.minimize(lambda: w.square(), var_list=[])
    with pytest.raises(ValueError, match="scalar"):
        opt.minimize(lambda: w.square(), var_list=[w])
    other = wt.variable(wt.scalar(1.0))
    with pytest.raises(ValueError, match="does not depend"):
        opt.minimize(lambda: other.square(), var_list=[w])
    with pytest.raises(ValueError, match="no live variable"):
        opt.apply_gradients({"no_such_variable_xyz": wt.tensor([1.0, 1.0])})
    with pytest.raises(ValueError, match=r"shape \[3\]"):
        opt.apply_gradients({w.name: wt.tensor([1.0, 1.0, 1.0])})
    with pytest.raises(ValueError, match="pairs"):
        opt.apply_gradients([w])
    with pytest.raises(ValueError, match="dict"):
        opt.apply_gradients(wt.tensor([1.0, 1.0]))
    iw = wt.variable(wt.tensor([1, 2], dtype="int32"))
    with pytest.raises(ValueError, match="int32"):
        opt.apply_gradients([(iw, wt.tensor([1.0, 1.0]))])
    with pytest.raises(ValueError, match="learning_rate"):
        wt.train.sgd("fast")
    with pytest.raises(ValueError, match="momentum"):
        wt.train.momentum(0.1, None)
    # nothing was updated or created by the failed calls
    assert w.numpy().tolist() == [1.0, 2.0] and opt.iterations == 0
    assert opt.get_weights()[0] == 0 and len(opt.get_weights()) == 1
    with pytest.raises(ValueError, match="no state yet"):
        opt.set_weights([np.int32(0), np.zeros(2), np.zeros(2)])
    opt.apply_gradients([(w, [1.0, 1.0])])
    with pytest.raises(ValueError, match="expected 3 weights"):
        opt.set_weights([0, np.zeros(2)])
    with pytest.raises(ValueError, match="has shape"):
        opt.set_weights([0, np.zeros(3), np.zeros(2)])
    with pytest.raises(ValueError, match="slot"):
        opt.set_weights([("iter", 0), (f"{w.name}/nope", np.zeros(2))])
    opt.dispose()


def test_duplicate_variable_names_rejected():
    a = wt.variable(wt.scalar(1.0), name="train_dup")
    b = wt.variable(wt.scalar(2.0), name="train_dup")
    opt = wt.train.sgd(0.1)
    with pytest.raises(ValueError, match="share the name"):
        opt.minimize(lambda: wt.mul(a, b), var_list=[a, b])
    with pytest.raises(ValueError, match="2 variables are named"):
        opt.apply_gradients({"train_dup": wt.scalar(1.0)})
    assert a.item() == 1.0 and b.item() == 2.0


@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_dispose_frees_state(name, cfg):
    w1 = wt.variable(wt.zeros([4, 3]))
    w2 = wt.variable(wt.zeros([7]))
    opt = make(name, cfg)
    before = wt.memory().num_tensors
    opt.apply_gradients([(w1, wt.ones([4, 3])), (w2, wt.ones([7]))])
    n_slots = len(opt.get_weights()) - 1
    assert n_slots == 2 * len(ref_init(name, (), cfg))
    assert wt.memory().num_tensors == before + n_slots
    opt.dispose()
    assert wt.memory().num_tensors == before
    assert opt.get_weights()[0] == 1 and len(opt.get_weights()) == 1
    # usable again after dispose: the state starts over
    opt.apply_gradients([(w1, wt.ones([4, 3]))])
    assert wt.memory().num_tensors == before + n_slots // 2
    opt.dispose()


def test_state_variables_are_not_trainable():
    w = wt.variable(wt.scalar(1.0))
    opt = wt.train.adam(0.1)
    opt.minimize(lambda: w.square(), var_list=[w])
    from webtensor.tensor import trainable_variables

    assert not any(v.name.startswith(w.name + "/") for v in trainable_variables())
    opt.dispose()


@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_set_weights_restores_state(name, cfg):
    rng = np.random.default_rng(7)
    gs = _grads(rng, (6,), 3)
    x0 = rng.normal(size=6).astype(np.float32)
    wa, wb = wt.variable(x0), wt.variable(x0)
    a = make(name, cfg)
    a.apply_gradients([(wa, gs[0])])
    a.apply_gradients([(wa, gs[1])])
    # a fresh optimizer restored by name, for another variable holding the same value
    b = make(name, cfg)
    renamed = [(n.replace(wa.name + "/", wb.name + "/"), v)
               for n, v in zip(a.weight_names(), a.get_weights(), strict=True)]
    wb.assign(wa)
    b.set_weights(renamed)
    assert b.iterations == 2
    a.apply_gradients([(wa, gs[2])])
    b.apply_gradients([(wb, gs[2])])
    assert_close(wb, wa.numpy(), rtol=1e-6, atol=1e-7)
    # positional round trip, tensors accepted
    saved = a.get_weights()
    a.apply_gradients([(wa, gs[0])])
    a.set_weights([saved[0], *[wt.tensor(s) for s in saved[1:]]])
    for got, want in zip(a.get_weights(), saved, strict=True):
        np.testing.assert_array_equal(got, want)
    assert a.iterations == 3
    a.dispose()
    b.dispose()


def test_config_round_trip():
    for name, cfg in CONFIGS:
        opt = make(name, cfg)
        again = type(opt).from_config(opt.get_config())
        assert again.get_config() == opt.get_config()
        assert opt.class_name in repr(opt)


def test_one_draw_per_variable_per_step():
    w1, w2 = wt.variable(wt.ones([10, 10])), wt.variable(wt.ones([3]))
    g1, g2 = wt.ones([10, 10]), wt.ones([3])
    draws = []
    eng = engine()
    for name, cfg in CONFIGS:
        opt = make(name, cfg)
        opt.apply_gradients([(w1, g1), (w2, g2)])  # creates the state (fills)
        eng.listeners.append(lambda prog, *rest: draws.append(prog.name))
        try:
            opt.apply_gradients([(w1, g1), (w2, g2)])
        finally:
            eng.listeners.pop()
        assert draws == [opt.shader, opt.shader], (name, draws)
        draws.clear()
        opt.dispose()


def test_new_shapes_compile_nothing():
    for name, cfg in CONFIGS:
        opt = make(name, cfg)
        w = wt.variable(wt.ones([5]))
        opt.apply_gradients([(w, wt.ones([5]))])
        compiles = engine().programs.compiles
        w2 = wt.variable(wt.ones([33, 9]))
        opt.apply_gradients([(w2, wt.ones([33, 9]))])
        assert engine().programs.compiles == compiles, name
        opt.dispose()


def test_thousand_steps_do_not_leak():
    v = wt.variable(wt.scalar(1.0))
    opt = wt.train.adam(0.01)

    def loss():
        return wt.add(wt.square(wt.mul(v, 3.0)), wt.square(wt.sub(v, 0.5)))

    opt.minimize(loss)  # creates the optimizer state
    with no_leaks("1000 minimize steps"):
        for _ in range(1000):
            opt.minimize(loss)
        cost = opt.minimize(loss, return_cost=True)
        cost.dispose()
    assert opt.iterations == 1002
    opt.dispose()


@pytest.mark.parametrize("name,cfg", CONFIGS, ids=IDS)
def test_steps_do_not_leak(name, cfg):
    w = wt.variable(wt.tensor([0.5, -1.0, 2.0]))
    v = wt.variable(wt.scalar(0.3))
    opt = make(name, cfg)
    g = wt.tensor([0.1, 0.2, -0.3])
    opt.apply_gradients([(w, g)])
    opt.minimize(lambda: wt.square(wt.sub(v, 1.0)), var_list=[v])
    with no_leaks(name):
        for _ in range(20):
            opt.apply_gradients([(w, g)])
            opt.minimize(lambda: wt.square(wt.sub(v, 1.0)), var_list=[v])
    opt.dispose()
