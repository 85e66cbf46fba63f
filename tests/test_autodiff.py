"""Autodiff: the grad family, variable_grads, custom_grad, higher order, memory, and the
gradient of every elementwise op against float64 central differences."""

import math

import numpy as np
import pytest

import webtensor as wt
from webtensor.ops import elementwise as ew
from webtensor.testing import assert_close, check_gradients, no_leaks


# -- the grad family ---------------------------------------------------------------------
def test_grad_of_square():
    g = wt.grad(lambda x: wt.square(x))
    assert_close(g(wt.tensor([1.0, -3.0, 0.5])), [2.0, -6.0, 1.0])


def test_grad_accepts_host_values():
    assert_close(wt.grad(lambda x: x * x)([1.5, 2.0]), [3.0, 4.0])
    assert_close(wt.grad(lambda x: x * x)(np.array([0.5], np.float32)), [1.0])


def test_grad_with_dy():
    g = wt.grad(lambda x: wt.mul(x, 3.0))
    assert_close(g(wt.tensor([1.0, 2.0]), wt.tensor([2.0, -1.0])), [6.0, -3.0])
    # dy given as a list
    assert_close(g(wt.tensor([1.0, 2.0]), [1.0, 0.5]), [3.0, 1.5])


def test_non_scalar_output_seeds_ones():
    x = wt.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert_close(wt.grad(lambda t: wt.mul(t, t))(x), 2 * x.numpy())


def test_grads_several_inputs():
    da, db = wt.grads(lambda a, b: wt.add(wt.mul(a, b), wt.square(a)))(
        [wt.tensor([1.0, 2.0]), wt.tensor([3.0, -1.0])])
    assert_close(da, [3.0 + 2.0, -1.0 + 4.0])
    assert_close(db, [1.0, 2.0])


def test_grads_with_dy_and_same_input_twice():
    # gradients are keyed by tensor (as in TF.js): the same tensor twice gets the full
    # derivative d(x*x)/dx = 2x in both places
    x = wt.tensor([2.0, 3.0])
    d1, d2 = wt.grads(lambda a, b: wt.mul(a, b))([x, x], wt.tensor([1.0, 10.0]))
    assert_close(d1, [4.0, 60.0])
    assert_close(d2, [4.0, 60.0])


def test_grads_rejects_a_single_tensor():
    with pytest.raises(ValueError, match="list of tensors"):
        wt.grads(lambda a: a)(wt.tensor([1.0]))


def test_value_and_grad():
    value, dx = wt.value_and_grad(lambda x: wt.mul(wt.square(x), 0.5))(wt.tensor([2.0, 4.0]))
    assert_close(value, [2.0, 8.0])
    assert_close(dx, [2.0, 4.0])


def test_value_and_grads():
    value, (da, db) = wt.value_and_grads(lambda a, b: wt.sub(wt.mul(a, a), b))(
        [wt.tensor([3.0]), wt.tensor([1.0])])
    assert_close(value, [8.0])
    assert_close(da, [6.0])
    assert_close(db, [-1.0])


def test_value_and_grad_with_dy():
    value, dx = wt.value_and_grad(lambda x: wt.exp(x))(wt.tensor([0.0, 1.0]),
                                                       wt.tensor([2.0, 3.0]))
    assert_close(value, [1.0, math.e], rtol=1e-6)
    assert_close(dx, [2.0, 3.0 * math.e], rtol=1e-6)


def test_int_input_is_an_error():
    with pytest.raises(ValueError, match="float32"):
        wt.grad(lambda x: x * x)(wt.tensor([1, 2], dtype="int32"))
    with pytest.raises(ValueError, match="float32"):
        wt.grads(lambda a, b: a * b)([wt.tensor([1.0]), wt.tensor([True])])


def test_unconnected_input_is_an_error():
    with pytest.raises(ValueError, match="does not depend"):
        wt.grads(lambda a, b: wt.square(a))([wt.tensor([1.0]), wt.tensor([2.0])])
    with pytest.raises(ValueError, match="does not depend"):
        wt.grad(lambda x: wt.ones([2]))(wt.tensor([1.0, 2.0]))


def test_bad_function_results():
    with pytest.raises(ValueError, match="must return a Tensor"):
        wt.grad(lambda x: 3.0)(wt.tensor([1.0]))
    with pytest.raises(ValueError, match="dy has shape"):
        wt.grad(lambda x: x * 2)(wt.tensor([1.0, 2.0]), wt.tensor([1.0, 2.0, 3.0]))


def test_gradient_through_tidy_inside_f():
    def f(x):
        y = wt.tidy(lambda: wt.exp(wt.mul(x, 2.0)))
        return wt.tidy(lambda: wt.mul(y, wt.sin(x)))

    x = np.array([0.3, -0.7], np.float32)
    want = np.exp(2 * x) * (2 * np.sin(x) + np.cos(x))
    assert_close(wt.grad(f)(wt.tensor(x)), want, rtol=1e-5)


def test_gradient_through_with_tidy_and_kept_tensor():
    def f(x):
        with wt.tidy():
            y = wt.keep(wt.square(x))
            wt.mul(x, 100.0)  # disposed at the end of the block
        return wt.mul(y, x)

    assert_close(wt.grad(f)(wt.tensor([2.0])), [12.0])


def test_higher_order():
    f = lambda x: wt.mul(wt.mul(x, x), x)  # noqa: E731
    x = wt.tensor([1.0, -2.0, 0.5])
    assert_close(wt.grad(f)(x), 3 * x.numpy() ** 2)
    assert_close(wt.grad(wt.grad(f))(x), 6 * x.numpy())
    assert_close(wt.grad(wt.grad(wt.grad(f)))(x), [6.0, 6.0, 6.0])


def test_higher_order_mixed_ops():
    f = lambda x: wt.mul(wt.sin(x), wt.exp(x))  # noqa: E731
    x = np.array([0.2, 1.1, -0.8], np.float32)
    # (sin x e^x)'' = 2 cos(x) e^x
    assert_close(wt.grad(wt.grad(f))(wt.tensor(x)), 2 * np.cos(x) * np.exp(x), rtol=1e-5)


def test_grad_of_value_and_grad_inside():
    # differentiate through a function that itself takes a gradient
    def f(x):
        _, dx = wt.value_and_grad(lambda t: wt.mul(wt.square(t), t))(x)
        return wt.mul(dx, x)  # 3x^2 * x = 3x^3 -> 9x^2

    assert_close(wt.grad(f)(wt.tensor([1.0, 2.0])), [9.0, 36.0])


# -- variable_grads ------------------------------------------------------------------------
def test_variable_grads_default_trainable_only():
    a = wt.variable(wt.tensor([1.0, 2.0]))
    c = wt.variable(wt.tensor([3.0, 4.0]), trainable=False)
    unused = wt.variable(wt.tensor([5.0]))
    value, grads = wt.variable_grads(lambda: wt.sum(wt.mul(a, c)))
    assert_close(value, 11.0)
    assert set(grads) == {a.name}
    assert_close(grads[a.name], [3.0, 4.0])
    assert unused.name not in grads


def test_variable_grads_explicit_var_list_includes_non_trainable():
    a = wt.variable(wt.tensor([1.0, 2.0]))
    c = wt.variable(wt.tensor([3.0, 4.0]), trainable=False)
    value, grads = wt.variable_grads(lambda: wt.sum(wt.mul(a, c)), [c])
    assert set(grads) == {c.name}
    assert_close(grads[c.name], [1.0, 2.0])
    value, grads = wt.variable_grads(lambda: wt.sum(wt.mul(a, c)), [a, c])
    assert set(grads) == {a.name, c.name}


def test_variable_grads_duplicate_names():
    a = wt.variable(wt.scalar(1.0), name="autodiff_dup")
    b = wt.variable(wt.scalar(2.0), name="autodiff_dup")
    with pytest.raises(ValueError, match="share the name"):
        wt.variable_grads(lambda: wt.mul(a, b), [a, b])
    # a single one of them is fine
    value, grads = wt.variable_grads(lambda: wt.mul(a, b), [a])
    assert_close(grads["autodiff_dup"], 2.0)
    # and so is a name clash with a variable that gets no gradient
    value, grads = wt.variable_grads(lambda: wt.square(b), [a, b])
    assert list(grads) == ["autodiff_dup"]
    assert_close(grads["autodiff_dup"], 4.0)
    with no_leaks("failed variable_grads"):
        with pytest.raises(ValueError, match="share the name"):
            wt.variable_grads(lambda: wt.mul(a, b), [a, b])


def test_variable_grads_errors():
    a = wt.variable(wt.scalar(1.0))
    with pytest.raises(ValueError, match="Variables"):
        wt.variable_grads(lambda: wt.square(a), [wt.scalar(1.0)])
    with pytest.raises(ValueError, match="no variables"):
        wt.variable_grads(lambda: wt.square(a), [])


def test_variable_grads_value_and_named_grads():
    w = wt.variable(wt.tensor([[1.0, 2.0], [3.0, 4.0]]), name="autodiff_w")
    value, grads = wt.variable_grads(lambda: wt.sum(wt.square(w)), [w])
    assert_close(value, 30.0)
    assert_close(grads["autodiff_w"], 2 * w.numpy())


# -- custom_grad -------------------------------------------------------------------------
def test_custom_grad_single_input():
    @wt.custom_grad
    def f(x):
        return wt.square(x), lambda dy: wt.mul(dy, 100.0)

    x = wt.tensor([1.0, 2.0])
    assert_close(f(x), [1.0, 4.0])
    assert_close(wt.grad(f)(x), [100.0, 100.0])
    assert_close(wt.grad(f)(x, wt.tensor([1.0, 2.0])), [100.0, 200.0])


def test_custom_grad_several_inputs_and_composition():
    @wt.custom_grad
    def f(a, b):
        return wt.mul(a, b), lambda dy: [wt.mul(dy, 2.0), wt.mul(dy, 3.0)]

    da, db = wt.grads(lambda a, b: wt.exp(f(a, b)))([wt.tensor([0.5]), wt.tensor([2.0])])
    assert_close(da, [2.0 * math.e], rtol=1e-6)
    assert_close(db, [3.0 * math.e], rtol=1e-6)


def test_custom_grad_wrong_number_of_gradients():
    @wt.custom_grad
    def f(a, b):
        return wt.add(a, b), lambda dy: dy

    with pytest.raises(ValueError, match="1 gradients for 2 inputs"):
        wt.grads(f)([wt.tensor([1.0]), wt.tensor([2.0])])


def test_custom_grad_requires_a_tensor_value():
    @wt.custom_grad
    def f(x):
        return 3.0, lambda dy: dy

    with pytest.raises(ValueError, match="custom_grad"):
        f(wt.tensor([1.0]))


# -- memory ------------------------------------------------------------------------------
def test_grad_calls_do_not_leak():
    x = wt.tensor([0.5, 1.5, -2.0])
    w = wt.variable(wt.tensor([1.0, 2.0, 3.0]))
    f = lambda t: wt.mul(wt.sin(t), wt.exp(t))  # noqa: E731
    wt.grad(f)(x).dispose()
    wt.dispose(wt.variable_grads(lambda: wt.sum(wt.mul(w, x)), [w]))  # uploads w
    with no_leaks("grad family"):
        for _ in range(5):
            wt.grad(f)(x).dispose()
            wt.grad(wt.grad(f))(x).dispose()
            wt.dispose(wt.value_and_grads(lambda a, b: wt.mul(a, b))([x, x]))
            wt.dispose(wt.variable_grads(lambda: wt.sum(wt.mul(w, x)), [w]))
    with no_leaks("failed grad"):
        with pytest.raises(ValueError):
            wt.grads(lambda a, b: wt.square(a))([x, wt.tensor([1.0])])


def test_grad_inside_tidy_frees_everything():
    x = wt.tensor([1.0, 2.0])
    wt.neg(x).dispose()  # upload x now, so its texture is not counted inside the block
    with no_leaks("tidy around grad"):
        out = wt.tidy(lambda: wt.grad(lambda t: wt.exp(wt.square(t)))(x).numpy())
    np.testing.assert_allclose(out, 2 * x.numpy() * np.exp(x.numpy() ** 2), rtol=1e-5)


# -- every elementwise op's gradient against central differences --------------------------
def _away_from_kinks(x: np.ndarray) -> np.ndarray:
    """Move points off integers and half-integers (kinks of abs, relu, floor, round...)."""
    frac = x * 2 - np.round(x * 2)
    return np.where(np.abs(frac) < 0.1, x + 0.13, x)


_NO_GRAD = {"is_nan", "is_inf", "is_finite", "logical_not"}  # bool results


@pytest.mark.parametrize("name", [n for n in ew.UNARY_OPS if n not in _NO_GRAD])
def test_unary_gradient(name):
    ref, _, (lo, hi), _ = ew._UNARY[name]
    rng = np.random.default_rng(abs(hash(name)) % 1000)
    x = _away_from_kinks(rng.uniform(lo, hi, size=(3, 4)))
    x = np.clip(x, lo + 0.02, hi - 0.02)
    fn = getattr(wt, name)
    check_gradients(fn, ref, [x])


# first derivatives that do not depend on x (constant, or through a bool test): their
# derivative is "not connected" to x, an error as in TF.js
_PIECEWISE = {"neg", "relu", "relu6", "sign", "floor", "ceil", "round"}


@pytest.mark.parametrize("name", [n for n in ew.UNARY_OPS if n not in _NO_GRAD | _PIECEWISE])
def test_unary_second_derivative(name):
    """grad(grad(op)) against a float64 second central difference of the numpy op."""
    ref, _, (lo, hi), _ = ew._UNARY[name]
    rng = np.random.default_rng(abs(hash(name)) % 1000 + 1)
    x = np.clip(_away_from_kinks(rng.uniform(lo, hi, size=(5,))), lo + 0.05, hi - 0.05)
    h = 1e-3
    want = (ref(x + h) - 2 * ref(x) + ref(x - h)) / h ** 2
    got = wt.grad(wt.grad(getattr(wt, name)))(wt.tensor(x.astype(np.float32)))
    assert_close(got, want, rtol=2e-2, atol=2e-3, what=f"second derivative of {name}")


def _pair(name, rng, shape_a, shape_b):
    a = rng.uniform(-2, 2, size=shape_a)
    b = rng.uniform(-2, 2, size=shape_b)
    if name == "div":
        b = rng.uniform(0.5, 2, size=shape_b) * rng.choice([-1, 1], size=shape_b)
    elif name == "pow":
        a = rng.uniform(0.5, 2, size=shape_a)
    elif name in ("maximum", "minimum"):
        # a on integers + 0.1, b on integers + 0.6: never within 0.5 of each other
        a = rng.integers(-2, 3, size=shape_a) + 0.1
        b = rng.integers(-2, 3, size=shape_b) + 0.6
    elif name == "atan2":
        a = rng.uniform(0.3, 2, size=shape_a) * rng.choice([-1, 1], size=shape_a)
    elif name == "prelu":
        a = _away_from_kinks(a)
    return a, b


_BINARY_SMOOTH = ["add", "sub", "mul", "div", "pow", "maximum", "minimum",
                  "squared_difference", "atan2", "prelu"]
_SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((4, 1, 3), (2, 1)),
           ((), (2, 3)), ((2, 3), (1,))]


@pytest.mark.parametrize("name", _BINARY_SMOOTH)
@pytest.mark.parametrize("shapes", _SHAPES, ids=[f"{a}-{b}" for a, b in _SHAPES])
def test_binary_gradient(name, shapes):
    rng = np.random.default_rng(len(name) * 7 + len(shapes[0]))
    a, b = _pair(name, rng, *shapes)
    ref = ew._BINARY[name][0]
    check_gradients(getattr(wt, name), ref, [a, b])


@pytest.mark.parametrize("name", ["mod", "floor_div"])
def test_mod_and_floor_div_gradient(name):
    rng = np.random.default_rng(3)
    b = rng.uniform(0.5, 2, size=(3, 4)) * rng.choice([-1, 1], size=(3, 4))
    q = rng.integers(-3, 4, size=(3, 4)) + rng.uniform(0.2, 0.8, size=(3, 4))
    a = b * q  # a / b stays away from integers, where both ops jump
    check_gradients(getattr(wt, name), ew._BINARY[name][0], [a, b])


def test_mod_gradient_broadcast():
    b = np.array([0.75, -1.25, 1.5])
    a = np.array([[0.4], [1.1], [-2.3]])
    assert np.all(np.abs((a / b) - np.round(a / b)) > 0.05)
    check_gradients(wt.mod, np.mod, [a, b])


def test_binary_gradient_with_host_scalar():
    x = np.array([[0.5, 1.5, -1.0]])
    check_gradients(lambda t: wt.pow(t, 3.0), lambda t: t ** 3, [x])
    check_gradients(lambda t: wt.div(2.0, t), lambda t: 2.0 / t, [x])
    check_gradients(lambda t: wt.sub(1.0, t), lambda t: 1.0 - t, [x])
    check_gradients(lambda t: 2.0 ** t, lambda t: 2.0 ** t, [x])


@pytest.mark.parametrize("name", ["equal", "not_equal", "less", "less_equal", "greater",
                                  "greater_equal"])
def test_comparison_gradient_is_zero(name):
    da, db = wt.grads(lambda a, b: getattr(wt, name)(a, b))(
        [wt.tensor([1.0, 2.0]), wt.tensor([2.0, 2.0])])
    assert_close(da, [0.0, 0.0])
    assert_close(db, [0.0, 0.0])


def test_where_gradient():
    cond = np.array([[True, False, True], [False, False, True]])
    a = np.array([1.0, -2.0, 0.5])
    b = np.array([[3.0], [-1.5]])
    c_t = wt.tensor(cond)
    check_gradients(lambda x, y: wt.where(c_t, x, y), lambda x, y: np.where(cond, x, y), [a, b])
    check_gradients(lambda x, y: wt.mul(wt.where(c_t, x, y), wt.where(c_t, y, x)),
                    lambda x, y: np.where(cond, x, y) * np.where(cond, y, x), [a, b])


def test_clip_by_value_gradient():
    x = np.array([-2.0, -0.7, 0.2, 1.3, 2.5, -1.2])
    check_gradients(lambda t: wt.clip_by_value(t, -1.0, 1.5),
                    lambda t: np.clip(t, -1.0, 1.5), [x])


def test_leaky_relu_gradient():
    x = np.array([[-2.0, -0.3, 0.4, 1.7]])
    check_gradients(lambda t: wt.leaky_relu(t, 0.1), lambda t: np.where(t > 0, t, 0.1 * t), [x])
    check_gradients(lambda t: wt.leaky_relu(t), lambda t: np.where(t > 0, t, 0.2 * t), [x])


def test_prelu_gradient_broadcast_alpha():
    x = _away_from_kinks(np.random.default_rng(0).uniform(-2, 2, size=(4, 3)))
    alpha = np.array([0.1, 0.3, -0.2])
    check_gradients(wt.prelu, lambda t, al: np.where(t > 0, t, al * t), [x, alpha])


def test_cast_gradient():
    x = np.array([0.3, -1.5, 2.0])
    check_gradients(lambda t: wt.mul(wt.cast(t, "float32"), 3.0), lambda t: t * 3.0, [x])
    # float -> int32 passes dy through, as TF.js's Cast gradient does
    assert_close(wt.grad(lambda t: wt.cast(t, "int32"))(wt.tensor(x.astype(np.float32))),
                 [1.0, 1.0, 1.0])
    # a bool cast cuts the gradient path of its (bool) input
    assert_close(wt.grad(lambda t: wt.mul(wt.cast(wt.greater(t, 0.0), "float32"), t))(
        wt.tensor(x.astype(np.float32))), [1.0, 0.0, 1.0])


def test_add_n_and_operators_gradient():
    a = np.array([0.5, -1.0])
    b = np.array([2.0, 3.0])
    check_gradients(lambda x, y: wt.add_n([x, y, x]), lambda x, y: x + y + x, [a, b])
    check_gradients(lambda x, y: (x * y - x / y) ** 2 + (-x),
                    lambda x, y: (x * y - x / y) ** 2 - x, [a, b])


def test_every_elementwise_op_has_a_gradient_test():
    covered = set(_BINARY_SMOOTH) | {"mod", "floor_div", "equal", "not_equal", "less",
                                     "less_equal", "greater", "greater_equal"}
    logical = {"logical_and", "logical_or", "logical_xor"}  # bool in, bool out
    assert set(ew.BINARY_OPS) - covered == logical


def test_grad_of_identity_leaves_the_input_alive():
    x = wt.tensor([1.0, 2.0])
    assert wt.grad(lambda v: v)(x).numpy().tolist() == [1.0, 1.0]
    assert not x.is_disposed and x.numpy().tolist() == [1.0, 2.0]
    (g,) = wt.grads(lambda v: v)([x])
    assert g.numpy().tolist() == [1.0, 1.0] and not x.is_disposed


def test_custom_grad_whose_value_is_its_input():
    @wt.custom_grad
    def passthrough(x):
        return x, lambda dy: dy.mul(3)

    # only grad_fn's gradient: not also an identity node's dy
    assert wt.grad(passthrough)(wt.tensor([1.0, 2.0])).numpy().tolist() == [3.0, 3.0]


def test_custom_grad_none_and_wrong_shape_gradients():
    @wt.custom_grad
    def first(a, b):
        return a.add(b), lambda dy: [dy, None]

    da = wt.grads(lambda a, b: first(a, b).mul(b))
    x, y = wt.tensor([1.0, 2.0]), wt.tensor([3.0, 4.0])
    gx, gy = da([x, y])
    assert gx.numpy().tolist() == [3.0, 4.0] and gy.numpy().tolist() == [4.0, 6.0]

    @wt.custom_grad
    def bad(a):
        return a.mul(2), lambda dy: wt.ones([3])

    with pytest.raises(ValueError, match=r"custom_grad: grad_fn returned shape \[3\]"):
        wt.grad(bad)(x)


def test_failing_function_frees_the_tape_at_once():
    x = wt.tensor([1.0, 2.0])
    base = wt.memory().num_tensors

    def f(v):
        v.square().exp()
        raise KeyError("boom")

    with pytest.raises(KeyError) as info:
        wt.grad(f)(x)
    # the traceback (whose frames hold the tape) is still alive: the saved aliases are not
    assert info.value is not None
    assert wt.memory().num_tensors == base
