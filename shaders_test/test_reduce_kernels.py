"""Edge cases of glsl/reduce.glsl and glsl/cumsum.glsl beyond the registry's random cases:
tree passes, texel-aligned and unaligned windows, NaN/Inf, ties, big sums, no recompiles."""

import numpy as np
import pytest

import webtensor as wt
from webtensor.engine import engine
from webtensor.testing import assert_close

RNG = np.random.default_rng(1234)


def _f32(*shape, low=-1.0, high=1.0):
    return RNG.uniform(low, high, size=shape).astype(np.float32)


@pytest.mark.parametrize("shape,axis", [
    ((4099,), None),            # tree passes, unaligned tail
    ((3, 5003), 1),             # unaligned row starts (inner == 1)
    ((5003, 3), 0),             # inner == 3: one element per fetch
    ((2, 3001, 8), 1),          # inner % 4 == 0: a texel per step, tree passes
    ((2, 4, 3, 4), (0, 2)),     # two separate reduced groups
    ((1, 1, 7, 1), (0, 1, 3)),  # only size-1 dims reduced: a copy
    ((300, 301), (0, 1)),
])
@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "mean"])
def test_layouts_and_tree_passes(shape, axis, name):
    x = _f32(*shape, low=0.9, high=1.1) if name == "prod" else _f32(*shape)
    got = getattr(wt, name)(x, axis)
    want = getattr(np, name)(x.astype(np.float64), axis=axis)
    assert_close(got, want, rtol=1e-4 if name == "prod" else 1e-5, atol=1e-4, what=name)


@pytest.mark.parametrize("shape,axis", [
    ((1024, 1024), None),  # texel windows into ~20000 partials, then one last pass
    ((1024, 1024), 1),
    ((700, 400), 1),       # the last window of each row is shorter (400 = 33 * 12 + 4)
    ((3, 100000), 1),
])
@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "mean", "all", "any"])
def test_texel_windows_into_two_tiles_of_partials(shape, axis, name):
    x = _f32(*shape, low=0.999, high=1.001) if name == "prod" else _f32(*shape)
    if name in ("all", "any"):
        x = (x > (0.999 if name == "any" else -0.999)).astype(np.float32)
        x[-1, -1] = 1.0 - x[-1, -1]  # flips the answer of the last window of the last row
    if name in ("max", "min"):
        x[-1, -3] = np.nan           # NaN in the last (short) window
        x[0, 5] = 2.0 if name == "max" else -2.0
    got = getattr(wt, name)(x, axis)
    want = getattr(np, name)(x.astype(np.float64), axis=axis)
    if name in ("all", "any"):
        np.testing.assert_array_equal(got.numpy(), want)
    else:
        # a float32 product of 2^20 values near 1 drifts by ~2e-4 (the sqrt(n) tree); sums
        # of mixed signs are held to float32 rounding of the sum of magnitudes
        mag = np.sum(np.abs(x.astype(np.float64)), axis=axis) / (x.size / np.size(want))
        atol = 1e-4 if name not in ("sum", "mean") else 1e-6 * np.max(mag) * (
            x.size / np.size(want) if name == "sum" else 1.0)
        assert_close(got, want, rtol=1e-3 if name == "prod" else 1e-5, atol=atol, what=name)


def test_sum_of_16m_elements_is_exact_to_float32_rounding():
    x = RNG.uniform(0.0, 1.0, size=(4096, 4096)).astype(np.float32)
    total = wt.sum(x).item()
    assert abs(total - np.sum(x, dtype=np.float64)) <= 1e-5 * np.sum(x, dtype=np.float64)


@pytest.mark.parametrize("name", ["max", "min", "argmax", "argmin"])
@pytest.mark.parametrize("shape,axis,where", [
    ((10,), None, [3, 7]),
    ((4, 9), 1, [(1, 2), (1, 6), (3, 0)]),
    ((6000,), None, [4000, 5000]),          # NaN in a later window of a tree
    ((9, 8), 0, [(5, 3), (2, 3)]),          # inner % 4 == 0
    ((7, 3), 0, [(6, 2)]),                  # NaN last
])
def test_nan_propagates_and_first_nan_wins(name, shape, axis, where):
    x = _f32(*shape)
    for w in where:
        x[w] = np.nan
    got = getattr(wt, name)(x, axis).numpy()
    want = getattr(np, name)(x, axis=axis)
    if name.startswith("arg"):
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        assert_close(got, want)


@pytest.mark.parametrize("shape,axis", [((40,), None), ((3, 1001), 1), ((1001, 8), 0),
                                        ((5, 7, 3), 1), ((2, 5000), None)])
def test_arg_ties_give_first_index(shape, axis):
    x = RNG.integers(0, 3, size=shape).astype(np.float32)
    for name in ("argmax", "argmin"):
        np.testing.assert_array_equal(getattr(wt, name)(x, axis).numpy(),
                                      getattr(np, name)(x, axis=axis))


def test_infinities():
    x = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [np.inf, -np.inf]], np.float32)
    assert_close(wt.max(x, 1), np.max(x, 1))
    assert_close(wt.min(x, 1), np.min(x, 1))
    assert_close(wt.sum(x, 1), np.sum(x, 1))
    np.testing.assert_array_equal(wt.argmax(x, 1).numpy(), np.argmax(x, 1))
    np.testing.assert_array_equal(wt.argmin(x, 0).numpy(), np.argmin(x, 0))


def test_all_any_treat_nan_and_negative_zero_as_numpy():
    x = np.array([[np.nan, 1.0], [-0.0, 2.0], [0.0, -0.0]], np.float32)
    np.testing.assert_array_equal(wt.all(x, 1).numpy(), np.all(x, 1))
    np.testing.assert_array_equal(wt.any(x, 1).numpy(), np.any(x, 1))


@pytest.mark.parametrize("shape,axis", [((1000,), 0), ((3, 513), 1), ((600, 8), 0),
                                        ((4, 5, 6), 1), ((1,), 0),
                                        # blocked scans: 3 levels; sums of odd length
                                        ((3, 2048), 1), ((5, 40), -1), ((2, 3, 32), 2)])
@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumsum_passes(shape, axis, exclusive, reverse):
    x = RNG.integers(-4, 5, size=shape).astype(np.float32)
    got = wt.cumsum(x, axis, exclusive, reverse)
    y = np.flip(x, axis) if reverse else x
    c = np.cumsum(y, axis=axis) - (y if exclusive else 0)
    want = np.flip(c, axis) if reverse else c
    np.testing.assert_array_equal(got.numpy(), want)


def test_other_shapes_of_same_layout_compile_nothing_new():
    wt.sum(_f32(37, 50), 1).dispose()
    wt.argmax(_f32(37, 50), 1).dispose()
    before = engine().programs.compiles
    wt.sum(_f32(91, 77), 1).dispose()
    wt.sum(_f32(5, 3001), -1).dispose()
    wt.argmax(_f32(12, 999), 1).dispose()
    assert engine().programs.compiles == before
