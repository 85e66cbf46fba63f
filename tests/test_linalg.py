"""Public linear algebra: matmul / @, dot, outer: shapes, dtypes, errors, gradients."""

import numpy as np
import pytest

import webtensor as wt
from webtensor.testing import assert_close, check_gradients

RNG = np.random.default_rng(5)


def r(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("sa,sb", [
    ((5,), (5,)),
    ((5,), (5, 3)),
    ((4, 5), (5,)),
    ((3,), (2, 3, 4)),
    ((2, 4, 3), (3,)),
    ((2, 3), (3, 4)),
    ((2, 1, 3, 4), (5, 4, 2)),
])
def test_matmul_like_numpy(sa, sb):
    a, b = r(*sa), r(*sb)
    got = wt.matmul(a, b).numpy()
    want = np.matmul(a.astype(np.float64), b.astype(np.float64))
    assert got.shape == want.shape
    assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_operators_and_method():
    a, b = r(3, 4), r(4, 2)
    ta, tb = wt.tensor(a), wt.tensor(b)
    want = a.astype(np.float64) @ b
    assert_close((ta @ tb).numpy(), want, rtol=1e-5, atol=1e-5)
    assert_close(ta.matmul(tb).numpy(), want, rtol=1e-5, atol=1e-5)
    assert_close((ta @ b).numpy(), want, rtol=1e-5, atol=1e-5)
    assert_close((a @ tb).numpy(), want, rtol=1e-5, atol=1e-5)
    assert_close(ta.matmul(tb.numpy().T, transpose_b=True).numpy(), want, rtol=1e-5, atol=1e-5)


def test_transposes_on_vectors_are_ignored():
    a, b = r(4), r(4, 3)
    got = wt.matmul(a, b, transpose_a=True).numpy()
    assert_close(got, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("sa,sb", [((3, 4), (5, 2)), ((4,), (3,)), ((2, 3, 4), (3, 4, 2))])
def test_shape_errors(sa, sb):
    with pytest.raises(ValueError, match="matmul.*" + str(list(sa)).replace("[", r"\[")):
        wt.matmul(r(*sa), r(*sb))


def test_rank0_error():
    with pytest.raises(ValueError, match="matmul"):
        wt.matmul(wt.scalar(2.0), r(2, 2))


def test_dot():
    a, b, m = r(4), r(4), r(3, 4)
    assert_close(wt.dot(a, b).numpy(), np.dot(a.astype(np.float64), b), rtol=1e-5, atol=1e-5)
    assert wt.dot(a, b).shape == ()
    assert_close(wt.dot(m, a).numpy(), np.dot(m.astype(np.float64), a), rtol=1e-5, atol=1e-5)
    assert_close(wt.dot(b, m.T).numpy(), np.dot(b.astype(np.float64), m.T), rtol=1e-5,
                 atol=1e-5)
    assert_close(wt.dot(m, m.T).numpy(), np.dot(m.astype(np.float64), m.T), rtol=1e-5,
                 atol=1e-5)
    assert_close(wt.dot(2.0, m).numpy(), 2.0 * m, rtol=1e-6)
    assert_close(wt.tensor(m).dot(a).numpy(), m.astype(np.float64) @ a, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match=r"dot.*\[3, 4\]"):
        wt.dot(m, r(3))
    with pytest.raises(ValueError, match=r"dot.*\[2, 2, 3\]"):
        wt.dot(r(2, 2, 3), r(2))


@pytest.mark.parametrize("sa,sb", [((2, 3, 4), (4,)), ((2, 3, 4), (4, 5)), ((4,), (2, 4, 3)),
                                   ((3, 4), (2, 1, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
                                   ((2, 3, 4), (6, 4, 5))])
def test_dot_any_rank_as_numpy(sa, sb):
    a, b = r(*sa), r(*sb)
    got = wt.dot(a, b)
    want = np.dot(a.astype(np.float64), b.astype(np.float64))
    assert got.shape == want.shape
    assert_close(got.numpy(), want, rtol=1e-5, atol=1e-5)
    check_gradients(lambda x, y: wt.dot(x, y), np.dot, [a, b])


def test_outer():
    a, b = r(3), r(2, 2)
    got = wt.outer(a, b)
    assert got.shape == (3, 4)
    assert_close(got.numpy(), np.outer(a.astype(np.float64), b), rtol=1e-6)
    assert wt.tensor(a).outer(a).shape == (3, 3)


def test_int32_and_dtypes():
    a = wt.tensor([[1, 2], [3, 4]], dtype="int32")
    assert (a @ a).dtype == "int32"
    assert (a @ a).numpy().tolist() == [[7, 10], [15, 22]]
    assert (a @ wt.tensor([[1.0], [0.5]])).dtype == "float32"


@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_gradient_transposes(ta, tb):
    a = r(4, 3) if ta else r(3, 4)
    b = r(5, 4) if tb else r(4, 5)

    def f_np(x, y):
        return (x.T if ta else x) @ (y.T if tb else y)

    check_gradients(lambda x, y: wt.matmul(x, y, transpose_a=ta, transpose_b=tb), f_np, [a, b])


@pytest.mark.parametrize("sa,sb,ta,tb", [
    ((2, 3, 4), (4, 5), False, False),
    ((3, 4), (2, 4, 5), False, False),
    ((2, 1, 3, 4), (3, 5, 4), False, True),
    ((1, 4, 3), (2, 4, 5), True, False),
])
def test_gradient_batch_broadcast(sa, sb, ta, tb):
    def f_np(x, y):
        return np.matmul(np.swapaxes(x, -1, -2) if ta else x, np.swapaxes(y, -1, -2) if tb else y)

    check_gradients(lambda x, y: wt.matmul(x, y, transpose_a=ta, transpose_b=tb), f_np,
                    [r(*sa), r(*sb)])


@pytest.mark.parametrize("sa,sb", [((4,), (4,)), ((4,), (4, 3)), ((2, 4), (4,))])
def test_gradient_vectors(sa, sb):
    check_gradients(lambda x, y: wt.matmul(x, y), np.matmul, [r(*sa), r(*sb)])


def test_gradient_dot_outer():
    check_gradients(lambda x, y: wt.dot(x, y), np.dot, [r(3, 4), r(4)])
    check_gradients(lambda x, y: wt.outer(x, y), np.outer, [r(3), r(2)])


def test_second_order():
    # d/dx sum((x @ w) * (x @ w)) = 2 (x @ w) @ w.T; its gradient again goes through matmul.
    x, w = r(2, 3), r(3, 3)

    def f(x):
        g = wt.grad(lambda y: wt.sum(wt.square(wt.matmul(y, w))))(x)
        return wt.sum(g)

    got = wt.grad(f)(wt.tensor(x)).numpy()
    w64 = w.astype(np.float64)
    want = np.ones((2, 3)) @ (2 * w64 @ w64.T)
    assert_close(got, want, rtol=1e-4, atol=1e-4)
