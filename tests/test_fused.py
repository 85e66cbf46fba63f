"""fused_matmul and softmax_cross_entropy: values, gradients, errors, and draws skipped."""

import numpy as np
import pytest

import webtensor as wt
from webtensor.testing import assert_close, check_gradients

RNG = np.random.default_rng(5)


def r(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def np_act(z, act):
    return {"linear": z, "relu": np.maximum(z, 0), "relu6": np.clip(z, 0, 6),
            "elu": np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
            "sigmoid": 1 / (1 + np.exp(-z))}[act]


@pytest.mark.parametrize("act", ["linear", "relu", "relu6", "elu", "sigmoid"])
@pytest.mark.parametrize("shapes", [((4, 6), (6, 8)), ((16, 40), (40, 12)), ((5, 3), (3, 7))])
def test_fused_matmul_matches_numpy(act, shapes):
    a, b = r(*shapes[0]), r(*shapes[1], scale=2.0)
    bias = r(shapes[1][1])
    got = wt.fused_matmul(a, b, bias, activation=act).numpy()
    want = np_act(a.astype(np.float64) @ b + bias, act)
    assert_close(got, want, rtol=1e-4, atol=1e-5)


def test_fused_matmul_transposes_scalar_bias_and_batch():
    a, b = r(7, 5), r(9, 7)
    got = wt.fused_matmul(a, b, 0.5, transpose_a=True, transpose_b=True).numpy()
    assert_close(got, a.T.astype(np.float64) @ b.T + 0.5, rtol=1e-4, atol=1e-5)
    a3, b3 = r(2, 3, 4), r(4, 8)
    got = wt.fused_matmul(a3, b3, activation="relu").numpy()
    assert_close(got, np.maximum(a3.astype(np.float64) @ b3, 0), rtol=1e-4, atol=1e-5)


def test_fused_matmul_nan_passes_the_activation():
    a = np.array([[np.nan], [-1.0], [2.0]], np.float32)
    out = wt.fused_matmul(a, np.array([[1.0, 3.0]], np.float32), activation="relu").numpy()
    assert np.isnan(out[0]).all()
    assert out[1:].tolist() == [[0.0, 0.0], [2.0, 6.0]]


@pytest.mark.parametrize("act", ["linear", "relu", "elu", "sigmoid"])
def test_fused_matmul_gradients(act):
    a, b, bias = r(5, 6), r(6, 8), r(8)
    # keep the pre-activations away from relu's kink for the finite differences
    check_gradients(lambda x, w, c: wt.fused_matmul(x, w, c, activation=act),
                    lambda x, w, c: np_act(x @ w + c, act), [a, b, bias])


def test_fused_matmul_gradients_transposed_and_unaligned():
    a, b, bias = r(3, 5), r(7, 3), r(1)
    check_gradients(lambda x, w, c: wt.fused_matmul(x, w, c, transpose_a=True,
                                                    transpose_b=True, activation="relu6"),
                    lambda x, w, c: np.clip(x.T @ w.T + c, 0, 6), [a, b, bias])


def test_fused_activation_grad_second_order():
    a, b = r(4, 3), r(3, 5)

    def f(x):
        return wt.grad(lambda v: wt.fused_matmul(v, b, activation="sigmoid").sum())(x)

    def f_np(x):
        y = 1 / (1 + np.exp(-(x @ b)))
        return (y * (1 - y)) @ b.T

    check_gradients(f, f_np, [a])


def test_fused_matmul_errors():
    with pytest.raises(ValueError, match="fused_matmul.*inner"):
        wt.fused_matmul(r(2, 3), r(4, 5))
    with pytest.raises(ValueError, match="fused_matmul.*bias"):
        wt.fused_matmul(r(2, 3), r(3, 5), r(4))
    with pytest.raises(ValueError, match="fused_matmul.*activation"):
        wt.fused_matmul(r(2, 3), r(3, 5), activation="swish")
    with pytest.raises(ValueError, match="fused_matmul.*rank"):
        wt.fused_matmul(r(3), r(3, 5))


def test_matmul_gradient_skips_constant_operands():
    xn, wn = r(8, 16), r(16, 4)
    x, w = wt.tensor(xn), wt.variable(wn, name="w_skip")
    p = wt.profile(lambda: wt.variable_grads(lambda: wt.matmul(x, w).sum(), [w]))
    names = [k.name for k in p.kernels]
    assert names.count("matmul") == 2  # forward and dW only, no dX
    _, grads = p.result
    np.testing.assert_allclose(grads["w_skip"].numpy(),
                               np.broadcast_to(xn.sum(0)[:, None], (16, 4)), rtol=1e-5)
    wt.dispose([w, *p.result[1].values(), p.result[0]])


def np_xent(labels, logits, eps=0.0, reduction="mean"):
    z = logits - logits.max(-1, keepdims=True)
    lp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    if eps > 0:
        lp = np.maximum(lp, np.log(eps))
    loss = -(labels * lp).sum(-1)
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("eps", [0.0, 1e-7])
def test_softmax_cross_entropy_matches_numpy(reduction, eps):
    logits = r(12, 10, scale=4.0)
    labels = np.eye(10, dtype=np.float32)[RNG.integers(0, 10, 12)]
    got = wt.softmax_cross_entropy(labels, logits, eps, reduction).numpy()
    assert_close(got, np_xent(labels.astype(np.float64), logits.astype(np.float64), eps,
                              reduction), rtol=1e-5, atol=1e-5)


def test_softmax_cross_entropy_equals_the_unfused_clipped_loss():
    logits = r(64, 10, scale=20.0)  # some probabilities fall below the clip
    labels = np.eye(10, dtype=np.float32)[RNG.integers(0, 10, 64)]

    def unfused(z):
        p = wt.clip_by_value(wt.softmax(z), 1e-7, 1.0)
        return wt.mean(wt.sum(wt.mul(labels, wt.log(p)), axis=1)).neg()

    def fused(z):
        return wt.softmax_cross_entropy(labels, z, epsilon=1e-7)

    z = wt.tensor(logits)
    v1, g1 = wt.value_and_grad(unfused)(z)
    v2, g2 = wt.value_and_grad(fused)(z)
    assert_close(v2.numpy(), v1.numpy(), rtol=1e-5, atol=1e-5)
    assert_close(g2.numpy(), g1.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_softmax_cross_entropy_gradients(reduction):
    logits, soft = r(4, 5), RNG.uniform(0, 1, (4, 5)).astype(np.float32)
    check_gradients(lambda y, z: wt.softmax_cross_entropy(y, z, reduction=reduction),
                    lambda y, z: np_xent(y, z, 0.0, reduction), [soft, logits])


def test_softmax_cross_entropy_long_rows_use_the_stats_pass():
    logits, labels = r(3, 70), RNG.uniform(0, 1, (3, 70)).astype(np.float32)
    check_gradients(lambda z: wt.softmax_cross_entropy(labels, z, reduction="sum"),
                    lambda z: np_xent(labels, z, 0.0, "sum"), [logits])


def test_softmax_cross_entropy_second_order():
    labels = RNG.uniform(0, 1, (3, 4)).astype(np.float32)

    def f(z):
        return wt.grad(lambda v: wt.softmax_cross_entropy(labels, v, reduction="sum"))(z)

    def f_np(z):
        e = np.exp(z - z.max(-1, keepdims=True))
        p = e / e.sum(-1, keepdims=True)
        return p * labels.sum(-1, keepdims=True) - labels

    check_gradients(f, f_np, [r(3, 4)])


def test_softmax_cross_entropy_errors():
    with pytest.raises(ValueError, match="softmax_cross_entropy"):
        wt.softmax_cross_entropy(r(2, 3), r(2, 4))
    with pytest.raises(ValueError, match="softmax_cross_entropy.*reduction"):
        wt.softmax_cross_entropy(r(2, 3), r(2, 3), reduction="avg")
    with pytest.raises(ValueError, match="softmax_cross_entropy.*epsilon"):
        wt.softmax_cross_entropy(r(2, 3), r(2, 3), epsilon=-1.0)


def test_mlp_step_draws_few_kernels():
    from webtensor import bench

    spec = bench.load_spec()
    w = next(x for x in spec["workloads"] if x["name"] == "mlp_train_step")
    case = bench.webtensor_case(w, wt)
    try:
        want = bench.numpy_case(w).run()
        got = case.run()
        assert abs(got - want) < 1e-4
        p = wt.profile(case.run)
        draws = sum(len(k.draws) for k in p.kernels)
        assert draws <= 25, [k.name for k in p.kernels]
    finally:
        case.cleanup()
