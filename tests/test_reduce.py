"""The public reductions: values against numpy, dtypes, axes, errors, methods, gradients."""

import math

import numpy as np
import pytest

import webtensor as wt
from webtensor.testing import assert_close, check_gradients

RNG = np.random.default_rng(99)


def _x(*shape):
    return RNG.normal(size=shape).astype(np.float32)


# -- forward against numpy ----------------------------------------------------------
CASES = [((6,), None), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), (0, 2)), ((2, 3, 4), [-1, -3]),
         ((2, 1, 3, 1, 2, 2), (1, 2, 5)), ((4, 5), ())]


@pytest.mark.parametrize("shape,axis", CASES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "min", "logsumexp"])
def test_matches_numpy(name, shape, axis, keepdims):
    x = _x(*shape)
    ax = tuple(axis) if isinstance(axis, list) else axis
    if name == "logsumexp":
        m = np.max(x, axis=ax, keepdims=True)
        want = np.log(np.sum(np.exp(x - m), axis=ax, keepdims=True)) + m
        want = want if keepdims else np.squeeze(
            want, axis=ax if ax is not None else tuple(range(x.ndim)))
    else:
        want = getattr(np, name)(x.astype(np.float64), axis=ax, keepdims=keepdims)
    got = getattr(wt, name)(x, axis, keepdims)
    assert got.shape == np.shape(want)
    assert_close(got, want, rtol=1e-5, atol=1e-5, what=name)
    method = getattr(wt.tensor(x), name)(axis=axis, keepdims=keepdims)
    assert_close(method, want, rtol=1e-5, atol=1e-5, what=name)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_arg_reductions(name, axis, keepdims):
    x = RNG.integers(0, 4, size=(5, 7)).astype(np.float32)
    got = getattr(wt, name)(x, axis, keepdims)
    assert got.dtype == "int32"
    np.testing.assert_array_equal(got.numpy(), getattr(np, name)(x, axis=axis,
                                                                 keepdims=keepdims))


def test_dtype_rules():
    i = wt.tensor(np.array([[1, 2], [3, 4]], np.int32))
    b = wt.tensor([[True, False], [True, True]])
    assert (wt.sum(i).dtype, wt.sum(i).item()) == ("int32", 10)
    assert (wt.prod(i).dtype, wt.prod(i).item()) == ("int32", 24)
    assert (wt.sum(b).dtype, wt.sum(b).item()) == ("int32", 3)
    assert wt.sum(b, 1).numpy().tolist() == [1, 2]
    assert (wt.mean(i).dtype, wt.mean(i).item()) == ("float32", 2.5)
    assert (wt.max(i).dtype, wt.min(b).dtype) == ("int32", "bool")
    assert wt.all(b, 1).dtype == "bool" and wt.any(i).dtype == "bool"
    assert wt.all(b, 0).numpy().tolist() == [True, False]
    assert wt.cumsum(b, 1).dtype == "int32"
    assert wt.argmax(b).dtype == "int32"


def test_all_any_on_floats():
    x = np.array([[0.0, 1.5], [0.0, 0.0], [-2.0, 3.0]], np.float32)
    np.testing.assert_array_equal(wt.all(x, 1).numpy(), np.all(x, 1))
    np.testing.assert_array_equal(wt.any(x, 1).numpy(), np.any(x, 1))
    assert wt.any(x).item() is True and wt.all(x).item() is False


def test_bad_axes_raise_value_error_naming_op_and_shape():
    x = wt.ones([2, 3])
    for fn, axis in [(wt.sum, 2), (wt.max, -3), (wt.mean, (0, 0)), (wt.argmax, 5),
                     (wt.prod, "a"), (wt.cumsum, 2)]:
        with pytest.raises(ValueError, match=r"\[2, 3\]|axis"):
            fn(x, axis)
    with pytest.raises(ValueError, match="sum.*\\[2, 3\\]"):
        wt.sum(x, 4)
    with pytest.raises(ValueError, match="argmax"):
        wt.argmax(x, (0, 1))


def test_empty_reductions():
    e = np.zeros((0, 3), np.float32)
    assert wt.sum(e).item() == 0.0
    assert wt.prod(e).item() == 1.0
    assert wt.sum(e, 0).numpy().tolist() == [0.0, 0.0, 0.0]
    assert wt.sum(e, 1).shape == (0,)
    assert math.isnan(wt.mean(e).item())
    assert wt.all(e).item() is True and wt.any(e).item() is False
    assert wt.max(e, 1).shape == (0,)
    for fn in (wt.max, wt.min, wt.argmax, wt.argmin):
        with pytest.raises(ValueError):
            fn(e)
    with pytest.raises(ValueError):
        wt.max(e, 0)


def test_seed_example_mean():
    average = wt.tidy(lambda: wt.tensor1d([1.0, 2.0, 3.0, 4.0]).sub(wt.ones([4])).square().mean())
    assert average.item() == 3.5


def test_sum_with_list_of_axes_as_sum_to_shape_uses():
    x = _x(2, 3, 4)
    assert_close(wt.sum(x, [0, 2]), np.sum(x.astype(np.float64), axis=(0, 2)), atol=1e-5)


# -- cumsum, norm, moments ---------------------------------------------------------
@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cumsum(axis, exclusive, reverse):
    x = _x(4, 6)
    y = np.flip(x, axis) if reverse else x
    c = np.cumsum(y.astype(np.float64), axis=axis) - (y if exclusive else 0)
    want = np.flip(c, axis) if reverse else c
    assert_close(wt.cumsum(x, axis, exclusive, reverse), want, atol=1e-5)
    assert_close(wt.tensor(x).cumsum(axis, exclusive=exclusive, reverse=reverse), want,
                 atol=1e-5)


@pytest.mark.parametrize("ord", [1, 2, np.inf, -np.inf, "euclidean", "fro", 3])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_vector_norms(ord, axis):
    x = _x(3, 5)
    if axis is None:
        want = np.linalg.norm(x.reshape(-1).astype(np.float64), 2 if ord in (
            "euclidean", "fro") else ord)
    else:
        want = np.linalg.norm(x.astype(np.float64), 2 if ord in ("euclidean", "fro") else ord,
                              axis=axis)
    assert_close(wt.norm(x, ord, axis), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("ord", [1, -1, np.inf, -np.inf, "fro"])
@pytest.mark.parametrize("axis", [(0, 1), (1, 0), (-1, -2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_matrix_norms(ord, axis, keepdims):
    x = _x(2, 3, 4)[0] if len(axis) == 2 and min(axis) < 0 else _x(3, 4)
    want = np.linalg.norm(x.astype(np.float64), ord, axis=axis, keepdims=keepdims)
    assert_close(wt.norm(x, ord, axis, keepdims), want, rtol=1e-5, atol=1e-5)


def test_norm_errors():
    with pytest.raises(ValueError, match="norm"):
        wt.norm(wt.ones([2, 2]), 2, (0, 1))
    with pytest.raises(ValueError, match="norm"):
        wt.norm(wt.ones([2, 2]), "nuc")


@pytest.mark.parametrize("axes,keepdims", [(None, False), (0, False), ((0, 2), True),
                                           ([1], False)])
def test_moments(axes, keepdims):
    x = _x(3, 4, 5)
    ax = tuple(axes) if isinstance(axes, list) else axes
    m, v = wt.moments(x, axes, keepdims)
    assert_close(m, np.mean(x.astype(np.float64), axis=ax, keepdims=keepdims), atol=1e-5)
    assert_close(v, np.var(x.astype(np.float64), axis=ax, keepdims=keepdims), atol=1e-5)


# -- gradients ---------------------------------------------------------------------
def _distinct(*shape):
    return RNG.permutation(np.arange(math.prod(shape))).reshape(shape).astype(np.float64) * 0.1


GRADS = [
    ("sum", lambda x: wt.sum(x, 1), lambda x: np.sum(x, 1), _x(3, 4)),
    ("sum_all", lambda x: wt.sum(x), np.sum, _x(2, 3)),
    ("sum_keep", lambda x: wt.sum(x, (0, 2), True), lambda x: np.sum(x, (0, 2), keepdims=True),
     _x(2, 3, 2)),
    ("mean", lambda x: wt.mean(x, -1), lambda x: np.mean(x, -1), _x(3, 4)),
    ("max", lambda x: wt.max(x, 0), lambda x: np.max(x, 0), _distinct(4, 3)),
    ("min", lambda x: wt.min(x, (0, 1)), lambda x: np.min(x, (0, 1)), _distinct(2, 3, 2)),
    ("prod", lambda x: wt.prod(x, 1), lambda x: np.prod(x, 1),
     RNG.uniform(0.5, 1.5, (3, 4))),
    ("prod_zeros", lambda x: wt.prod(x, 1), lambda x: np.prod(x, 1),
     np.array([[0.0, 2.0, 3.0], [1.5, 0.0, 0.0], [1.0, 2.0, -1.0]])),
    ("logsumexp", lambda x: wt.logsumexp(x, 1), lambda x: np.log(np.sum(np.exp(x), 1)),
     _x(3, 5)),
    ("cumsum", lambda x: wt.cumsum(x, 1), lambda x: np.cumsum(x, 1), _x(3, 4)),
    ("cumsum_rev_excl", lambda x: wt.cumsum(x, 0, True, True),
     lambda x: np.flip(np.cumsum(np.flip(x, 0), 0), 0) - x, _x(4, 2)),
    ("norm", lambda x: wt.norm(x, axis=1), lambda x: np.linalg.norm(x, axis=1), _x(3, 4)),
    ("norm_inf", lambda x: wt.norm(x, np.inf), lambda x: np.max(np.abs(x)), _distinct(2, 3) - 0.27),
    ("norm_1_matrix", lambda x: wt.norm(x, 1, (0, 1)), lambda x: np.linalg.norm(x, 1),
     _distinct(3, 3) - 0.37),
    ("moments_var", lambda x: wt.moments(x, 0)[1], lambda x: np.var(x, 0), _x(4, 3)),
    ("moments_mean", lambda x: wt.moments(x, 1)[0], lambda x: np.mean(x, 1), _x(4, 3)),
]


@pytest.mark.parametrize("name,fn,fn_np,x", GRADS, ids=[g[0] for g in GRADS])
def test_gradients(name, fn, fn_np, x):
    check_gradients(fn, fn_np, [x])


def test_max_gradient_ties_share():
    g = wt.grad(lambda x: wt.max(x))(wt.tensor([1.0, 3.0, 3.0, 2.0]))
    assert g.numpy().tolist() == [0.0, 1.0, 1.0, 0.0]


def test_second_order_through_sum():
    g2 = wt.grad(wt.grad(lambda x: wt.sum(x * x * x)))
    x = np.array([1.0, -2.0, 0.5], np.float32)
    assert_close(g2(wt.tensor(x)), 6 * x)


def test_broadcast_gradient_uses_sum():
    g = wt.grads(lambda a, b: wt.sum(a * b))([wt.ones([3, 4]), wt.tensor([1.0, 2.0, 3.0, 4.0])])
    assert g[0].numpy().tolist() == [[1.0, 2.0, 3.0, 4.0]] * 3
    assert g[1].numpy().tolist() == [3.0] * 4


def test_zero_gradients_of_arg_and_logical_reductions():
    def f(x):
        return wt.sum(x) + wt.cast(wt.argmax(x), "float32") + wt.cast(wt.any(x), "float32")

    g = wt.grad(f)(wt.tensor([1.0, 5.0, 2.0]))
    assert g.numpy().tolist() == [1.0, 1.0, 1.0]
