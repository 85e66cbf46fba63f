"""Every elementwise kernel against numpy: shapes of rank 0-6, broadcasting, NaN/Inf."""

import math

import numpy as np
import pytest

import webtensor as wt
from webtensor import registry
from webtensor.ops import elementwise as ew
from webtensor.testing import assert_close

# (rtol, atol) per op where llvmpipe's transcendental functions need more than the default.
TOL = {
    "exp": (2e-6, 1e-6), "expm1": (1e-5, 1e-6), "log": (2e-6, 1e-6), "log1p": (1e-5, 1e-6),
    "sin": (1e-5, 2e-6), "cos": (1e-5, 2e-6), "tan": (1e-5, 2e-6), "asin": (1e-5, 1e-6),
    "acos": (1e-5, 1e-6), "atan": (1e-5, 1e-6), "sinh": (1e-5, 1e-6), "cosh": (1e-5, 1e-6),
    "tanh": (1e-5, 1e-6), "asinh": (1e-5, 1e-6), "acosh": (1e-5, 1e-6),
    "atanh": (1e-5, 1e-6), "sigmoid": (1e-5, 1e-6), "elu": (1e-5, 1e-6),
    "selu": (1e-5, 1e-6), "softplus": (1e-5, 1e-6), "erf": (1e-5, 3e-7),
    "rsqrt": (2e-6, 1e-6), "pow": (1e-5, 1e-6), "atan2": (1e-5, 1e-6),
}
SHAPES = [(), (1,), (7,), (4, 5), (3, 1, 17), (2, 3, 1, 2, 5, 3), (129, 130)]
SPECIAL = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-40, -1e-40, 3e38, -3e38,
                    1.0, -1.0, 0.5, -2.5, 2.5, 100.0, -100.0, 88.5, -88.5, 1e-8, 7.0],
                   dtype=np.float32)


def _ftz(x):
    """GPUs flush float32 denormals to zero (sign kept): the reference sees what they see."""
    x = np.asarray(x, np.float32)
    return np.where(np.abs(x) < np.finfo(np.float32).tiny, np.copysign(0.0, x), x)


def _domain(name):
    return registry.get(name).variants[0].get("domain", (-3, 3))


def _reference(name, *args, **attrs):
    kernel = registry.get(name)
    with np.errstate(all="ignore"):
        return kernel.reference(*[np.asarray(a, np.float64) for a in args], **attrs)


def _expected(name, got_dtype, *args, **attrs):
    want = _reference(name, *args, **attrs)
    return np.asarray(want).astype(got_dtype)


def _attrs(name):
    return registry.get(name).variants[0].get("attrs", {})


UNARY = [*ew.UNARY_OPS, "leaky_relu", "clip_by_value"]


def _call_unary(name, x):
    attrs = _attrs(name)
    if name == "clip_by_value":
        return wt.clip_by_value(x, attrs["lo"], attrs["hi"])
    if name == "leaky_relu":
        return wt.leaky_relu(x, attrs["alpha"])
    return getattr(wt, name)(x)


def _np_attrs(name):
    return _attrs(name)


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_unary_random(name, shape):
    lo, hi = _domain(name)
    x = np.random.default_rng(hash((name, shape)) % 2**32).uniform(lo, hi, shape)
    x = x.astype(np.float32)
    got = wt.tidy(lambda: _call_unary(name, wt.tensor(x)).numpy())
    want = _expected(name, got.dtype, x, **_np_attrs(name))
    rtol, atol = TOL.get(name, (1e-6, 1e-7))
    assert_close(got, want, rtol=rtol, atol=atol, what=f"{name}{shape}")


@pytest.mark.parametrize("name", UNARY)
def test_unary_special_values(name):
    got = wt.tidy(lambda: _call_unary(name, wt.tensor(SPECIAL)).numpy())
    want = _expected(name, got.dtype, _ftz(SPECIAL), **_np_attrs(name))
    if name in ("sin", "cos", "tan"):
        # documented: trigonometric range reduction is accurate for |x| < 1e4 only
        keep = np.abs(SPECIAL) < 1e4
        got, want = got[keep], want[keep]
    rtol, atol = TOL.get(name, (1e-6, 1e-7))
    # the same NaN positions and infinities; finite values within tolerance
    assert_close(got, want, rtol=max(rtol, 1e-5), atol=atol, what=f"{name} specials")


@pytest.mark.parametrize("name", ["abs", "neg", "square", "sign", "floor", "relu", "round"])
def test_unary_int32_stays_int32(name):
    x = np.array([-3, -1, 0, 2, 5], dtype=np.int32)
    got = wt.tidy(lambda: getattr(wt, name)(wt.tensor(x)).numpy())
    assert got.dtype == np.int32
    assert_close(got, _expected(name, np.int32, x), what=name)


BROADCASTS = [
    ((5,), (5,)),
    ((), ()),
    ((3, 4), ()),
    ((4, 7), (7,)),
    ((4, 1), (1, 6)),
    ((2, 1, 3, 1, 5, 1), (1, 4, 3, 2, 1, 3)),
    ((129, 257), (257,)),
    ((1,), (6, 1)),
]


@pytest.mark.parametrize("name", ew.BINARY_OPS)
@pytest.mark.parametrize("shapes", BROADCASTS, ids=str)
def test_binary_broadcast(name, shapes):
    rng = np.random.default_rng(abs(hash((name, shapes))) % 2**32)
    a = rng.uniform(-3, 3, shapes[0]).astype(np.float32)
    b = rng.uniform(-3, 3, shapes[1]).astype(np.float32)
    if name in ("pow",):
        a = np.abs(a) + 0.1
    if name in ("div", "floor_div", "mod"):
        b = np.where(np.abs(b) < 0.2, 0.7, b).astype(np.float32)
    got = wt.tidy(lambda: getattr(wt, name)(wt.tensor(a), wt.tensor(b)).numpy())
    want = _expected(name, got.dtype, a, b)
    rtol, atol = TOL.get(name, (1e-6, 1e-6))
    if name in ("floor_div", "mod"):
        # a / b is rounded once more in float32 than numpy's divmod: compare away from edges
        q = a.astype(np.float64) / b
        ok = np.abs(q - np.round(q)) > 1e-4
        got, want = np.broadcast_to(got, ok.shape)[ok], np.broadcast_to(want, ok.shape)[ok]
        rtol, atol = 1e-5, 1e-5
    assert_close(got, want, rtol=rtol, atol=atol, what=f"{name}{shapes}")


@pytest.mark.parametrize("name", ew.BINARY_OPS)
def test_binary_special_values(name):
    a = np.repeat(SPECIAL, SPECIAL.size)
    b = np.tile(SPECIAL, SPECIAL.size)
    got = wt.tidy(lambda: getattr(wt, name)(wt.tensor(a), wt.tensor(b)).numpy())
    want = _expected(name, got.dtype, _ftz(a), _ftz(b))
    if name in ("floor_div", "mod"):
        # documented: exact only while |a / b| < 2**24 (numpy uses an exact fmod)
        with np.errstate(all="ignore"):
            q = np.abs(_ftz(a).astype(np.float64) / _ftz(b))
        keep = ~(np.isfinite(q) & (q >= 2**24) & np.isfinite(a))
        got, want = got[keep], want[keep]
    if name in ("floor_div", "mod", "pow", "atan2"):
        # numpy computes these in float64: compare where float32 can agree
        finite = np.isfinite(want) & (np.abs(want) < 1e30)
        assert np.array_equal(np.isnan(got), np.isnan(want)) or name == "pow"
        assert_close(got[finite & np.isfinite(got)], want[finite & np.isfinite(got)],
                     rtol=1e-4, atol=1e-4, what=name)
        if name != "pow":
            assert np.array_equal(np.isinf(got), np.isinf(want)), name
        return
    assert_close(got, want, rtol=1e-5, atol=1e-30, what=f"{name} specials")


@pytest.mark.parametrize("name", ["add", "sub", "mul", "floor_div", "mod", "pow", "maximum",
                                  "minimum", "squared_difference"])
def test_binary_int32_exact(name):
    rng = np.random.default_rng(7)
    a = rng.integers(-50, 50, 64).astype(np.int32)
    b = rng.integers(1, 9, 64).astype(np.int32) * rng.choice([-1, 1], 64).astype(np.int32)
    if name == "pow":
        a, b = rng.integers(-9, 9, 64).astype(np.int32), rng.integers(0, 7, 64).astype(np.int32)
    got = wt.tidy(lambda: getattr(wt, name)(wt.tensor(a), wt.tensor(b)).numpy())
    assert got.dtype == np.int32
    want = getattr(np, {"add": "add", "sub": "subtract", "mul": "multiply",
                        "floor_div": "floor_divide", "mod": "mod", "pow": "power",
                        "maximum": "maximum", "minimum": "minimum"}.get(name, "add"))(a, b) \
        if name != "squared_difference" else (a - b) ** 2
    np.testing.assert_array_equal(got, want)


def test_where_kernel_broadcast():
    rng = np.random.default_rng(3)
    c = rng.uniform(size=(4, 1, 5)) > 0.5
    a = rng.normal(size=(3, 5)).astype(np.float32)
    b = rng.normal(size=(4, 3, 1)).astype(np.float32)
    got = wt.tidy(lambda: wt.where(wt.tensor(c), wt.tensor(a), wt.tensor(b)).numpy())
    np.testing.assert_array_equal(got, np.where(c, a, b))


@pytest.mark.parametrize("src,dst", [("float32", "int32"), ("float32", "bool"),
                                     ("int32", "float32"), ("bool", "float32"),
                                     ("int32", "bool"), ("bool", "int32")])
def test_cast_kernel(src, dst):
    x = np.array([-2.7, -1.0, -0.5, 0.0, 0.5, 1.0, 2.7, 100.0])
    x = x.astype(np.float32) if src == "float32" else (
        x.astype(np.int32) if src == "int32" else x != 0)
    got = wt.tidy(lambda: wt.cast(wt.tensor(x), dst).numpy())
    want = x.astype({"float32": np.float32, "int32": np.int32, "bool": bool}[dst])
    np.testing.assert_array_equal(got, want)


def test_large_tensor_crossing_texture_rows():
    n = 2048 * 2048 + 3  # over 4M elements, not a multiple of 4
    rng = np.random.default_rng(11)
    a = rng.uniform(-1, 1, n).astype(np.float32)
    b = rng.uniform(-1, 1, n).astype(np.float32)
    got = wt.tidy(lambda: wt.add(wt.exp(wt.tensor(a)), wt.tensor(b)).numpy())
    assert_close(got, np.exp(a.astype(np.float64)) + b, rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("size", [1, 3, 4, 5, 63, 64, 65, 255, 256, 257, 4095, 4097, 65537])
def test_sizes_around_texel_and_row_boundaries(size):
    a = np.arange(size, dtype=np.float32) - size / 2
    got = wt.tidy(lambda: wt.neg(wt.tensor(a)).numpy())
    np.testing.assert_array_equal(got, -a)


def test_fill_kernel_shapes():
    for shape in [(), (0,), (3, 0, 2), (5,), (2, 3, 4, 5, 6, 7)]:
        got = wt.tidy(lambda s=shape: wt.fill(s, 2.5).numpy())
        np.testing.assert_array_equal(got, np.full(shape, 2.5, np.float32))
        assert got.shape == shape


def test_empty_operands():
    got = wt.tidy(lambda: (wt.tensor(np.zeros((0, 3), np.float32)) + wt.ones([3])).numpy())
    assert got.shape == (0, 3)


def test_erf_reference_is_math_erf():
    assert math.isclose(_reference("erf", 0.5).item(), math.erf(0.5))
