"""Property-based: any pair of broadcastable shapes gives numpy's result (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import webtensor as wt

SHAPES = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=5, max_side=6)
FINITE = dict(allow_nan=False, allow_infinity=False, width=32, min_value=-100, max_value=100)


@settings(max_examples=40, deadline=None)
@given(SHAPES, st.sampled_from(["add", "sub", "mul", "maximum", "squared_difference"]),
       st.data())
def test_binary_broadcast_matches_numpy(shapes, name, data):
    a = data.draw(hnp.arrays(np.float32, shapes.input_shapes[0], elements=st.floats(**FINITE)))
    b = data.draw(hnp.arrays(np.float32, shapes.input_shapes[1], elements=st.floats(**FINITE)))
    got = wt.tidy(lambda: getattr(wt, name)(wt.tensor(a), wt.tensor(b)).numpy())
    want = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "maximum": np.maximum,
            "squared_difference": lambda x, y: (x - y) ** 2}[name](a, b)
    assert got.shape == shapes.result_shape
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=4, max_side=5),
       st.data())
def test_where_broadcast_matches_numpy(shapes, data):
    c = data.draw(hnp.arrays(np.bool_, shapes.input_shapes[0]))
    a = data.draw(hnp.arrays(np.float32, shapes.input_shapes[1], elements=st.floats(**FINITE)))
    b = data.draw(hnp.arrays(np.float32, shapes.input_shapes[2], elements=st.floats(**FINITE)))
    got = wt.tidy(lambda: wt.where(wt.tensor(c), wt.tensor(a), wt.tensor(b)).numpy())
    np.testing.assert_array_equal(got, np.where(c, a, b))


@settings(max_examples=25, deadline=None)
@given(hnp.array_shapes(min_dims=1, max_dims=4, max_side=7), st.data())
def test_sum_over_any_axes_matches_numpy(shape, data):
    x = data.draw(hnp.arrays(np.float32, shape, elements=st.floats(**FINITE)))
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True, max_size=len(shape)))
    keep = data.draw(st.booleans())
    axis = tuple(axes) if axes else None
    got = wt.tidy(lambda: wt.sum(wt.tensor(x), axis, keep).numpy())
    want = np.sum(x.astype(np.float64), axis=axis, keepdims=keep)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)
