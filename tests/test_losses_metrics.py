"""Losses and metrics against numpy (Keras formulas), names in every spelling."""

import numpy as np
import pytest

import webtensor as wt
from webtensor.testing import assert_close

EPS = 1e-7
RNG = np.random.default_rng(1)


def probs(n, k):
    p = RNG.random((n, k)) + 0.05
    return (p / p.sum(-1, keepdims=True)).astype(np.float32)


def onehot(n, k):
    return np.eye(k, dtype=np.float32)[RNG.integers(0, k, n)]


def ref_cce(t, p):
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(t * np.log(p)).sum(-1)


def ref_bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p + EPS) + (1 - t) * np.log(1 - p + EPS)).mean(-1)


def ref_huber(t, p, d=1.0):
    e = np.abs(p - t)
    return np.where(e <= d, 0.5 * e ** 2, d * e - 0.5 * d ** 2).mean(-1)


def ref_hinge(t, p):
    t = 2 * t - 1 if np.isin(t, [0, 1]).all() else t
    return np.maximum(1 - t * p, 0).mean(-1)


def ref_kld(t, p):
    t, p = np.clip(t, EPS, 1), np.clip(p, EPS, 1)
    return (t * np.log(t / p)).sum(-1)


def ref_cos(t, p):
    tn = t / np.sqrt(np.maximum((t ** 2).sum(-1, keepdims=True), 1e-12))
    pn = p / np.sqrt(np.maximum((p ** 2).sum(-1, keepdims=True), 1e-12))
    return -(tn * pn).sum(-1)


CASES = [
    ("mean_squared_error", lambda t, p: ((p - t) ** 2).mean(-1), "reg"),
    ("mean_absolute_error", lambda t, p: np.abs(p - t).mean(-1), "reg"),
    ("categorical_crossentropy", ref_cce, "cat"),
    ("binary_crossentropy", ref_bce, "bin"),
    ("huber", ref_huber, "reg"),
    ("hinge", ref_hinge, "bin"),
    ("kl_divergence", ref_kld, "cat"),
    ("cosine_similarity", ref_cos, "reg"),
]


def data(kind):
    if kind == "cat":
        return onehot(6, 4), probs(6, 4)
    if kind == "bin":
        return (RNG.random((6, 3)) > 0.5).astype(np.float32), RNG.random((6, 3)).astype(
            np.float32)
    return RNG.standard_normal((6, 3)).astype(np.float32) * 2, RNG.standard_normal(
        (6, 3)).astype(np.float32) * 2


@pytest.mark.parametrize("name,ref,kind", CASES)
def test_losses_per_sample(name, ref, kind):
    t, p = data(kind)
    got = wt.losses.get(name)(t, p)
    assert got.shape == (6,)
    assert_close(got, ref(t.astype(np.float64), p.astype(np.float64)), rtol=1e-4, atol=1e-5,
                 what=name)


def test_hinge_keeps_signed_labels():
    t = np.array([[1.0, -1.0]], np.float32)
    p = np.array([[0.5, 0.5]], np.float32)
    assert_close(wt.losses.hinge(t, p), [(0.5 + 1.5) / 2])


def test_sparse_categorical_crossentropy():
    p = probs(5, 3)
    labels = np.array([0, 2, 1, 1, 0])
    want = ref_cce(np.eye(3)[labels], p)
    assert_close(wt.losses.sparse_categorical_crossentropy(labels, p), want, rtol=1e-5,
                 atol=1e-6)
    assert_close(wt.losses.sparse_categorical_crossentropy(labels[:, None], p), want,
                 rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="labels"):
        wt.losses.sparse_categorical_crossentropy(labels[:4], p)


@pytest.mark.parametrize("spelling", ["categorical_crossentropy", "categoricalCrossentropy",
                                      "CategoricalCrossentropy"])
def test_loss_spellings(spelling):
    assert wt.losses.get(spelling) is wt.losses.categorical_crossentropy


def test_unknown_loss_lists_names():
    with pytest.raises(ValueError, match="valid names:.*mean_squared_error"):
        wt.losses.get("mean_squarred_error")


def test_loss_shape_mismatch():
    with pytest.raises(ValueError, match=r"\[2, 3\].*\[2, 2\]"):
        wt.losses.mean_squared_error(np.zeros((2, 3)), np.zeros((2, 2)))


def test_accuracy_metrics():
    t, p = onehot(8, 3), probs(8, 3)
    want = (t.argmax(-1) == p.argmax(-1)).astype(float)
    assert_close(wt.metrics.categorical_accuracy(t, p), want)
    tb = (RNG.random((8, 2)) > 0.5).astype(np.float32)
    pb = RNG.random((8, 2)).astype(np.float32)
    assert_close(wt.metrics.binary_accuracy(tb, pb), (tb == (pb > 0.5)).mean(-1))
    assert_close(wt.metrics.accuracy(tb, (pb > 0.5).astype(np.float32)),
                 (tb == (pb > 0.5)).mean(-1))
    labels = t.argmax(-1)
    assert_close(wt.metrics.sparse_categorical_accuracy(labels, p), want)
    assert_close(wt.metrics.mse(t, p), ((t - p) ** 2).mean(-1), rtol=1e-5, atol=1e-6)
    assert_close(wt.metrics.mae(t, p), np.abs(t - p).mean(-1), rtol=1e-5, atol=1e-6)


def test_precision_recall_count_exact_matches():
    t = np.array([1, 1, 0, 0, 1, 0], np.float32)
    p = np.array([1, 0, 1, 0, 1, 0.6], np.float32)  # 0.6 is neither 0 nor 1
    assert wt.metrics.precision(t, p).shape == ()
    assert wt.metrics.precision(t, p).item() == pytest.approx(2 / 3)
    assert wt.metrics.recall(t, p).item() == pytest.approx(2 / 3)
    assert wt.metrics.precision(np.zeros(3), np.zeros(3)).item() == 0.0
    assert wt.metrics.recall(np.zeros(3), np.ones(3)).item() == 0.0


def test_accuracy_follows_loss():
    f = wt.metrics.for_loss
    assert f("accuracy", "binary_crossentropy") is wt.metrics.binary_accuracy
    assert f("acc", "categoricalCrossentropy") is wt.metrics.categorical_accuracy
    assert f("accuracy", "sparse_categorical_crossentropy") is \
        wt.metrics.sparse_categorical_accuracy
    assert f("precision", "mse") is wt.metrics.precision
    with pytest.raises(ValueError, match="valid names"):
        wt.metrics.get("acuracy")


def test_loss_gradients_match_numeric():
    from webtensor.testing import numeric_grads

    t, p = onehot(3, 4), probs(3, 4)
    g = wt.grad(lambda y: wt.losses.categorical_crossentropy(t, y).sum())(wt.tensor(p))
    (want,) = numeric_grads(lambda y: ref_cce(t, y).sum(), [p.astype(np.float64)])
    assert_close(g, want, rtol=1e-3, atol=1e-3)
