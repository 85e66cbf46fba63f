"""Shape ops through the public API: forward against numpy, gradients, errors, indexing."""

import numpy as np
import pytest

import webtensor as wt
from webtensor.testing import assert_close, check_gradients

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.uniform(-2, 2, size=shape).astype(np.float32)


def device_int(values):
    """An int32 tensor whose values exist only on the GPU (the output of a draw)."""
    return wt.add(wt.tensor(np.asarray(values, np.int32)), 0)


def run(fn):
    """fn() -> tensor or list of tensors; the values as numpy, nothing kept alive."""
    def body():
        out = fn()
        return [t.numpy() for t in out] if isinstance(out, list) else out.numpy()

    return wt.tidy(body)


X3 = rand(2, 3, 5)
X4 = rand(2, 1, 3, 4)

FORWARD = [
    ("expand_dims", lambda x: wt.expand_dims(x, 1), lambda x: np.expand_dims(x, 1), X3),
    ("expand_dims_neg", lambda x: x.expand_dims(-1), lambda x: np.expand_dims(x, -1), X3),
    ("expand_dims_default", lambda x: wt.expand_dims(x), lambda x: x[None], X3),
    ("squeeze_all", lambda x: wt.squeeze(x), np.squeeze, X4),
    ("squeeze_axis", lambda x: x.squeeze(1), lambda x: np.squeeze(x, 1), X4),
    ("squeeze_list", lambda x: wt.squeeze(x, [-3]), lambda x: np.squeeze(x, -3), X4),
    ("transpose_default", lambda x: x.transpose(), np.transpose, X3),
    ("transpose_perm", lambda x: wt.transpose(x, [1, 2, 0]),
     lambda x: np.transpose(x, (1, 2, 0)), X3),
    ("transpose_neg", lambda x: wt.transpose(x, [-1, 0, 1]),
     lambda x: np.transpose(x, (2, 0, 1)), X3),
    ("transpose_ones", lambda x: wt.transpose(x, [1, 0, 2, 3]),
     lambda x: np.transpose(x, (1, 0, 2, 3)), X4),
    ("transpose_identity", lambda x: wt.transpose(x, [0, 1, 2]), lambda x: x, X3),
    ("slice", lambda x: wt.slice(x, [1, 0, 2], [1, 2, -1]), lambda x: x[1:2, 0:2, 2:], X3),
    ("slice_int", lambda x: x.slice(1), lambda x: x[1:], X3),
    ("slice_short", lambda x: wt.slice(x, [0, 1], [2, 1]), lambda x: x[:, 1:2], X3),
    ("slice_full", lambda x: wt.slice(x, [0, 0, 0]), lambda x: x, X3),
    ("reverse_all", lambda x: wt.reverse(x), lambda x: np.flip(x), X3),
    ("reverse_axis", lambda x: x.reverse(-1), lambda x: np.flip(x, -1), X3),
    ("reverse_axes", lambda x: wt.reverse(x, [0, 2]), lambda x: np.flip(x, (0, 2)), X3),
    ("tile", lambda x: wt.tile(x, [2, 1, 3]), lambda x: np.tile(x, (2, 1, 3)), X3),
    ("tile_short_reps", lambda x: x.tile([2]), lambda x: np.tile(x, 2), X3),
    ("tile_long_reps", lambda x: wt.tile(x, [2, 1, 1, 2]), lambda x: np.tile(x, (2, 1, 1, 2)),
     X3),
    ("pad", lambda x: wt.pad(x, [[1, 0], [0, 2], [3, 1]], 2.5),
     lambda x: np.pad(x, ((1, 0), (0, 2), (3, 1)), constant_values=2.5), X3),
    ("pad_method", lambda x: x.pad([[0, 0], [1, 1], [0, 0], [2, 0]]),
     lambda x: np.pad(x, ((0, 0), (1, 1), (0, 0), (2, 0))), X4),
    ("broadcast_to", lambda x: wt.broadcast_to(x, [3, 2, 4, 3, 4]),
     lambda x: np.broadcast_to(x, (3, 2, 4, 3, 4)), X4),
    ("broadcast_to_lead", lambda x: x.broadcast_to([1, 2, 1, 3, 4]),
     lambda x: np.broadcast_to(x, (1, 2, 1, 3, 4)), X4),
    ("gather", lambda x: wt.gather(x, [2, 0, 2, -1], 2),
     lambda x: np.take(x, [2, 0, 2, -1], 2), X3),
    ("gather_2d_indices", lambda x: x.gather(np.array([[1, 0], [0, 0]]), -2),
     lambda x: np.take(x, [[1, 0], [0, 0]], -2), X3),
    ("gather_scalar_index", lambda x: wt.gather(x, 1, 1), lambda x: np.take(x, 1, 1), X3),
    ("gather_device_indices", lambda x: wt.gather(x, device_int([4, 0, 1]), 2),
     lambda x: np.take(x, [4, 0, 1], 2), X3),
    ("gather_batch_dims", lambda x: wt.gather(x, np.array([[0, 2], [1, 1]]), 1, batch_dims=1),
     lambda x: np.stack([x[0][[0, 2]], x[1][[1, 1]]]), X3),
    ("strided_slice", lambda x: wt.strided_slice(x, [0, 2, 4], [2, 0, 0], [1, -1, -2]),
     lambda x: x[0:2, 2:0:-1, 4:0:-2], X3),
    ("strided_slice_masks", lambda x: x.strided_slice([1, 0, 1], [0, 2, 3], [1, 1, 1],
                                                       begin_mask=2, end_mask=1),
     lambda x: x[1:, :2, 1:3], X3),
    ("strided_slice_shrink", lambda x: wt.strided_slice(x, [1, -1], [2, 0], [1, 1],
                                                         shrink_axis_mask=3),
     lambda x: x[1, -1], X3),
    ("strided_slice_ellipsis", lambda x: wt.strided_slice(x, [0, 1], [0, 3], [1, 1],
                                                           ellipsis_mask=1),
     lambda x: x[..., 1:3], X3),
    ("strided_slice_new_axis", lambda x: wt.strided_slice(x, [0, 0, 1], [0, 1, 2], [1, 1, 1],
                                                           new_axis_mask=1, shrink_axis_mask=4),
     lambda x: x[None, 0:1, 1], X3),
    ("strided_slice_implicit", lambda x: wt.strided_slice(x, [1], [2]), lambda x: x[1:2], X3),
    ("strided_slice_clamp", lambda x: wt.strided_slice(x, [-10, 1], [10, 100], [2, 1]),
     lambda x: x[-10:10:2, 1:100], X3),
    ("strided_slice_neg_masked", lambda x: wt.strided_slice(x, [0, 0, 0], [0, 0, 0],
                                                             [-1, 1, -3], begin_mask=7,
                                                             end_mask=7),
     lambda x: x[::-1, :, ::-3], X3),
]


@pytest.mark.parametrize("fn,ref,x", [pytest.param(f, r, x, id=n) for n, f, r, x in FORWARD])
def test_forward_matches_numpy(fn, ref, x):
    got = run(lambda: fn(wt.tensor(x)))
    assert_close(got, ref(x.astype(np.float64)), rtol=0, atol=0)


def test_concat_stack_unstack_split():
    a, b, c = rand(2, 3), rand(2, 1), rand(2, 4)
    assert_close(run(lambda: wt.concat([a, b, c], 1)), np.concatenate([a, b, c], 1), 0, 0)
    assert_close(run(lambda: wt.concat([a, a], -2)), np.concatenate([a, a], 0), 0, 0)
    assert_close(run(lambda: wt.tensor(a).concat([b, c], axis=1)),
                 np.concatenate([a, b, c], 1), 0, 0)
    assert_close(run(lambda: wt.tensor(a).concat(wt.tensor(a))), np.concatenate([a, a]), 0, 0)
    assert_close(run(lambda: wt.concat([a])), a, 0, 0)
    many = [rand(3, k % 4 + 1) for k in range(19)]  # more inputs than one draw takes
    assert_close(run(lambda: wt.concat(many, 1)), np.concatenate(many, 1), 0, 0)
    assert_close(run(lambda: wt.stack([a, a * 2, a * 3])), np.stack([a, a * 2, a * 3]), 0, 0)
    assert_close(run(lambda: wt.stack([a, a * 2], axis=-1)), np.stack([a, a * 2], -1), 0, 0)
    assert_close(run(lambda: wt.tensor(a).stack(a * 2, 1)), np.stack([a, a * 2], 1), 0, 0)
    x = rand(3, 4, 2)
    for axis in (0, 1, -1):
        got = run(lambda axis=axis: wt.unstack(x, axis))
        want = [np.take(x, i, axis) for i in range(x.shape[axis])]
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_close(g, w, 0, 0)
    got = run(lambda: wt.tensor(x).unstack(1))
    assert [g.shape for g in got] == [(3, 2)] * 4
    for sizes, want in ((2, np.split(x, 2, 1)), ([1, -1, 1], np.split(x, [1, 3], 1)),
                        ([4, 0], np.split(x, [4], 1))):
        got = run(lambda sizes=sizes: wt.split(x, sizes, 1))
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_close(g, w, 0, 0)
    got = run(lambda: wt.tensor(x).split(3))
    assert [g.shape for g in got] == [(1, 4, 2)] * 3


def test_concat_and_stack_promote_dtypes():
    i = np.array([[1, 2]], np.int32)
    f = np.array([[0.5, 1.5]], np.float32)
    out = wt.concat([i, f])
    assert out.dtype == "float32"
    assert_close(out, np.concatenate([i, f]), 0, 0)
    out = wt.stack([wt.tensor([True, False]), wt.tensor([1, 2], dtype="int32")])
    assert out.dtype == "int32"
    assert out.numpy().tolist() == [[1, 0], [1, 2]]


def test_one_hot():
    out = wt.one_hot([0, 3, 1, -1, 4], 4)
    assert out.dtype == "int32" and out.shape == (5, 4)
    assert out.numpy().tolist() == [[1, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 0],
                                    [0, 0, 0, 0]]
    out = wt.one_hot(np.array([[1], [2]]), 3, on_value=5, off_value=-1, dtype="float32")
    assert out.dtype == "float32"
    assert_close(out, [[[-1, 5, -1]], [[-1, -1, 5]]], 0, 0)
    out = device_int([2, 0]).one_hot(3, dtype="bool")
    assert out.dtype == "bool"
    assert out.numpy().tolist() == [[False, False, True], [True, False, False]]
    assert wt.one_hot([1, 2], 0).shape == (2, 0)


def test_dtypes_are_kept():
    i = wt.tensor(np.arange(12, dtype=np.int32).reshape(3, 4))
    b = wt.tensor(np.arange(12).reshape(3, 4) % 3 == 0)
    for t, np_dt in ((i, np.int32), (b, np.bool_)):
        want = t.numpy()
        for got, ref in ((t.transpose(), want.T), (t[::-1, 1:3], want[::-1, 1:3]),
                         (t.tile([2, 1]), np.tile(want, (2, 1))),
                         (t.pad([[1, 0], [0, 1]]), np.pad(want, ((1, 0), (0, 1)))),
                         (t.gather([2, 0], 1), np.take(want, [2, 0], 1)),
                         (wt.concat([t, t]), np.concatenate([want, want])),
                         (t.reverse(0), want[::-1]),
                         (t.broadcast_to([2, 3, 4]), np.broadcast_to(want, (2, 3, 4)))):
            assert got.dtype == t.dtype
            assert got.numpy().dtype == np_dt
            np.testing.assert_array_equal(got.numpy(), ref)
    assert wt.pad(i, [[1, 1], [0, 0]], 7).numpy()[0].tolist() == [7, 7, 7, 7]


def test_nan_inf_and_negative_zero_move_unchanged():
    x = np.array([[np.nan, -0.0, np.inf], [-np.inf, 1e-40, 3.0e38]], np.float32)
    for got, ref in ((wt.transpose(x), x.T), (wt.reverse(x, 1), x[:, ::-1]),
                     (wt.gather(x, [1, 1, 0]), x[[1, 1, 0]]),
                     (wt.pad(x, [[0, 1], [1, 0]], np.nan), np.pad(x, ((0, 1), (1, 0)),
                                                               constant_values=np.nan))):
        g = got.numpy()
        np.testing.assert_array_equal(np.isnan(g), np.isnan(ref))
        np.testing.assert_array_equal(np.signbit(g), np.signbit(ref))
        np.testing.assert_array_equal(g[~np.isnan(g)], ref[~np.isnan(ref)])


# -- empty tensors ------------------------------------------------------------------------
EMPTY = [
    ("transpose", lambda x: wt.transpose(x), np.transpose),
    ("slice", lambda x: wt.slice(x, [0, 1, 0], [-1, 1, -1]), lambda x: x[:, 1:2]),
    ("getitem", lambda x: x[:, ::-2, None], lambda x: x[:, ::-2, None]),
    ("reverse", lambda x: wt.reverse(x), np.flip),
    ("tile", lambda x: wt.tile(x, [2, 1, 3]), lambda x: np.tile(x, (2, 1, 3))),
    ("pad", lambda x: wt.pad(x, [[1, 1], [0, 0], [2, 0]], 4.0),
     lambda x: np.pad(x, ((1, 1), (0, 0), (2, 0)), constant_values=4.0)),
    ("broadcast_to", lambda x: wt.broadcast_to(x, [2, 0, 3, 2]),
     lambda x: np.broadcast_to(x, (2, 0, 3, 2))),
    ("concat", lambda x: wt.concat([x, x], 0), lambda x: np.concatenate([x, x], 0)),
    ("concat_with_nonempty", lambda x: wt.concat([x, wt.ones([3, 3, 2])], 0),
     lambda x: np.concatenate([x, np.ones((3, 3, 2))], 0)),
    ("gather_empty_indices", lambda x: wt.gather(x, np.zeros(0, np.int32), 1),
     lambda x: np.take(x, np.zeros(0, np.int64), 1)),
    ("gather", lambda x: wt.gather(x, [1, 0], 2), lambda x: np.take(x, [1, 0], 2)),
    ("split", lambda x: wt.split(x, 2, 2)[1], lambda x: np.split(x, 2, 2)[1]),
    ("stack", lambda x: wt.stack([x, x], 1), lambda x: np.stack([x, x], 1)),
    ("squeeze", lambda x: wt.squeeze(wt.expand_dims(x, 1), 1), lambda x: x),
    ("strided_slice", lambda x: wt.strided_slice(x, [0, 2], [0, 0], [1, -1], begin_mask=1,
                                                  end_mask=1),
     lambda x: x[:, 2:0:-1]),
]


@pytest.mark.parametrize("fn,ref", [pytest.param(f, r, id=n) for n, f, r in EMPTY])
def test_empty_tensors(fn, ref):
    x = np.zeros((0, 3, 2), np.float32)
    got = run(lambda: fn(wt.tensor(x)))
    want = ref(x)
    assert got.shape == want.shape
    assert_close(got, want, 0, 0)


def test_empty_results_from_nonempty_inputs():
    x = rand(3, 4)
    assert run(lambda: wt.slice(x, [1, 1], [0, 2])).shape == (0, 2)
    assert run(lambda: wt.tensor(x)[2:1]).shape == (0, 4)
    assert run(lambda: wt.tile(x, [0, 2])).shape == (0, 8)
    assert run(lambda: wt.gather(x, [])).shape == (0, 4)
    assert wt.unstack(np.zeros((0, 2), np.float32)) == []
    assert [t.shape for t in wt.split(x, [0, 4], 1)] == [(3, 0), (3, 4)]


# -- __getitem__ ---------------------------------------------------------------------------
GETITEM = [
    1, -1, (0, 2), (-1, -2, -3), slice(None), slice(1, None), slice(None, None, -1),
    slice(-1, 0, -2), slice(10, -10, -3), (slice(None), 1), (Ellipsis, 0), (0, Ellipsis),
    (None, 1), (slice(1, 3), None, slice(None, None, 2)), (Ellipsis, None),
    (1, Ellipsis, slice(None, 2), None), (slice(5, 1), 0), (np.int64(1), np.int32(-1)),
    (slice(None, None, 3), slice(4, 0, -1), slice(1, 5, 3)), (),
    [2, 0], (slice(None), [1, 1, 0]), (Ellipsis, np.array([[0, 4], [2, 2]])),
    (1, slice(None), [0, 3]), ([0, 1], 2), (slice(None), None, [2]), (0, [1], [3][0]),
    ([-1, 1], Ellipsis, -1),
]


@pytest.mark.parametrize("key", GETITEM, ids=[repr(k) for k in GETITEM])
def test_getitem_matches_numpy(key):
    x = rand(3, 4, 5)
    got = run(lambda: wt.tensor(x)[key])
    want = x[key]
    assert got.shape == want.shape, (got.shape, want.shape)
    assert_close(got, want, 0, 0)


def test_getitem_tensor_keys():
    x = rand(4, 3)
    t = wt.tensor(x)
    assert_close(t[wt.scalar(2, dtype="int32")], x[2], 0, 0)
    assert_close(t[wt.tensor([3, 0], dtype="int32")], x[[3, 0]], 0, 0)
    assert_close(t[:, device_int([2, 0])], x[:, [2, 0]], 0, 0)
    assert_close(t[np.int64(-1)], x[-1], 0, 0)
    rows = list(wt.tensor(x))
    assert len(rows) == 4
    assert_close(rows[3], x[3], 0, 0)


GETITEM_ERRORS = [  # key, error, message, whether numpy raises the same error type
    (3, IndexError, "out of bounds for axis 0 with size 3", True),
    ((0, -5), IndexError, "out of bounds for axis 1 with size 4", True),
    ((0, 0, 0), IndexError, "too many indices", True),
    ((Ellipsis, 0, Ellipsis), IndexError, "single ellipsis", True),
    (1.5, IndexError, "valid indices", True),
    ("a", IndexError, "valid indices", True),
    (slice(None, None, 0), ValueError, "slice step cannot be zero", True),
    ([0, 3], IndexError, "index 3 is out of bounds for axis 0 with size 3", True),
    ((slice(None), [-5]), IndexError, "index -5 is out of bounds", True),
    ([0.5], IndexError, "valid indices", True),
    (([0], [1]), IndexError, "more than one integer array", False),
    (np.array([True, False, True]), IndexError, "boolean", False),
]


@pytest.mark.parametrize("key,exc,msg,numpy_too", GETITEM_ERRORS,
                         ids=[repr(k[0]) for k in GETITEM_ERRORS])
def test_getitem_errors(key, exc, msg, numpy_too):
    t = wt.tensor(rand(3, 4))
    with pytest.raises(exc, match=msg):
        t[key]
    if numpy_too:
        with pytest.raises(exc):
            np.zeros((3, 4))[key]


def test_getitem_float_tensor_key_is_refused():
    t = wt.ones([3])
    with pytest.raises(IndexError):
        t[wt.tensor([0.0])]
    with pytest.raises(IndexError, match="boolean"):
        t[wt.tensor([True, False, True])]


# -- errors ---------------------------------------------------------------------------------
def _t(*shape):
    return wt.ones(list(shape))


ERRORS = [
    (lambda: wt.expand_dims(_t(2, 3), 3), "expand_dims: axis 3"),
    (lambda: wt.expand_dims(_t(2, 3), -4), "expand_dims: axis -4"),
    (lambda: wt.squeeze(_t(2, 1), 0), r"squeeze: cannot squeeze axis 0 of shape \[2, 1\]"),
    (lambda: wt.squeeze(_t(2, 1), 2), "squeeze: axis 2 is out of range"),
    (lambda: wt.squeeze(_t(1, 1), [0, -2]), "squeeze: repeated axis"),
    (lambda: wt.transpose(_t(2, 3), [0, 0]), r"transpose: perm \[0, 0\] is not a permutation"),
    (lambda: wt.transpose(_t(2, 3), [0, 1, 2]), "transpose: perm .* not a permutation"),
    (lambda: wt.transpose(_t(2, 3), [0, 2]), "transpose: perm .* not a permutation"),
    (lambda: wt.transpose(_t(2, 3), ["a", 0]), "transpose: perm must be"),
    (lambda: wt.concat([]), "concat: needs at least one tensor"),
    (lambda: wt.concat([_t(2, 3), _t(3, 3)], 1), r"concat: shapes \[2, 3\], \[3, 3\] differ"),
    (lambda: wt.concat([_t(2, 3), _t(2)], 0), "concat: shapes"),
    (lambda: wt.concat([_t(2, 3), _t(2, 3)], 2), "concat: axis 2 is out of range"),
    (lambda: wt.concat([wt.scalar(1), wt.scalar(2)]), "concat: rank-0"),
    (lambda: wt.stack([_t(2), _t(3)]), r"stack: all tensors must have one shape"),
    (lambda: wt.stack([_t(2), _t(2)], 2), "stack: axis 2 is out of range"),
    (lambda: wt.stack([]), "stack: needs at least one tensor"),
    (lambda: wt.unstack(wt.scalar(1)), "unstack: cannot unstack a rank-0"),
    (lambda: wt.unstack(_t(2, 3), 2), "unstack: axis 2"),
    (lambda: wt.split(_t(2, 5), 2, 1), r"split: axis 1 of shape \[2, 5\] \(size 5\) cannot"),
    (lambda: wt.split(_t(2, 5), [2, 2], 1), "split: sizes .* do not add up to 5"),
    (lambda: wt.split(_t(2, 5), [-1, -1], 1), "split: invalid sizes"),
    (lambda: wt.split(_t(2, 5), [7, -1], 1), "split: sizes .* do not add up"),
    (lambda: wt.split(_t(2, 5), 0, 1), "split: .* cannot be split into 0"),
    (lambda: wt.slice(_t(2, 5), [1, 3], [1, 3]), r"slice: begin \[1, 3\] and size \[1, 3\]"),
    (lambda: wt.slice(_t(2, 5), [-1, 0]), "slice: begin"),
    (lambda: wt.slice(_t(2, 5), [0, 0, 0]), "slice: begin .* more entries"),
    (lambda: wt.strided_slice(_t(4), [0], [2], [0]), r"strided_slice: strides\[0\] must be "),
    (lambda: wt.strided_slice(_t(4), [0, 1], [2], [1]), "strided_slice: begin .* one length"),
    (lambda: wt.strided_slice(_t(4), [5], [6], [1], shrink_axis_mask=1),
     "strided_slice: slice index 5 of dimension 0 is out of bounds"),
    (lambda: wt.strided_slice(_t(4), [0, 0], [1, 1], [1, 1]),
     "strided_slice: index 1 is out of range"),
    (lambda: wt.strided_slice(_t(4, 4), [0, 0], [1, 1], [1, 1], ellipsis_mask=3),
     "strided_slice: multiple ellipses"),
    (lambda: wt.gather(_t(3, 2), [0, 3]), r"gather: index 3 is out of range for axis 0"),
    (lambda: wt.gather(_t(3, 2), [-4]), r"gather: index -4 is out of range"),
    (lambda: wt.gather(_t(3, 2), wt.tensor([0, 5], dtype="int32"), 0),
     "gather: index 5 is out of range"),
    (lambda: wt.gather(_t(3, 2), [0], 2), "gather: axis 2 is out of range"),
    (lambda: wt.gather(_t(3, 2), wt.tensor([0.0])), "gather: indices must be int32"),
    (lambda: wt.gather(_t(3, 2), [0.5]), "gather: indices must be integers"),
    (lambda: wt.gather(_t(3, 2), [[0]], 1, batch_dims=2), "gather: batch_dims 2"),
    (lambda: wt.gather(_t(3, 2), [[0], [1]], 1, batch_dims=1),
     r"gather: the first 1 dims of x \[3, 2\] and indices \[2, 1\] must match"),
    (lambda: wt.gather(wt.scalar(1), [0]), "gather: cannot gather from a rank-0"),
    (lambda: wt.gather(_t(0, 2), [0]), "gather: index 0 is out of range"),
    (lambda: wt.tile(_t(2, 3), [1, -1]), r"tile: reps \[1, -1\] must not be negative"),
    (lambda: wt.pad(_t(2, 3), [[1, 1]]), r"pad: paddings \[\[1, 1\]\] must be 2"),
    (lambda: wt.pad(_t(2, 3), [[1, 1], [0, -1]]), "pad: paddings .* non-negative"),
    (lambda: wt.pad(_t(2, 3), [[1, 1], [0]]), "pad: paddings"),
    (lambda: wt.pad(_t(2, 3), 3), "pad: paddings must be"),
    (lambda: wt.reverse(_t(2, 3), 2), "reverse: axis 2 is out of range"),
    (lambda: wt.reverse(_t(2, 3), [1, -1]), "reverse: repeated axis"),
    (lambda: wt.broadcast_to(_t(2, 3), [3, 3]), r"broadcast_to: cannot broadcast shape \[2, 3\]"),
    (lambda: wt.broadcast_to(_t(2, 3), [3]), r"broadcast_to: cannot broadcast"),
    (lambda: wt.broadcast_to(_t(1, 3), [-1, 3]), r"broadcast_to: cannot broadcast"),
    (lambda: wt.one_hot([0, 1], -1), "one_hot: depth must be >= 0"),
    (lambda: wt.one_hot(wt.tensor([0.0, 1.0]), 3), "one_hot: indices must be int32"),
    (lambda: wt.one_hot([0, 1], 3, dtype="float64x"), "unsupported dtype"),
]


@pytest.mark.parametrize("fn,msg", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn, msg):
    with pytest.raises(ValueError, match=msg):
        wt.tidy(fn)


def test_gather_clamps_device_indices():
    """Indices that live only on the GPU cannot raise: they are clamped (documented)."""
    x = rand(4, 2)
    got = run(lambda: wt.gather(x, device_int([5, -1, -9, 1])))
    assert_close(got, x[[3, -1, 0, 1]], 0, 0)


# -- gradients ---------------------------------------------------------------------------------
def _grad_cases():
    a, b = rand(2, 3), rand(2, 4)
    idx = np.array([2, 0, 2, 2, -1])
    return [
        ("transpose", lambda x: wt.transpose(x, [2, 0, 1]), lambda x: np.transpose(x, (2, 0, 1)),
         [rand(2, 3, 4)]),
        ("concat", lambda x, y: wt.concat([x, y, x], 1),
         lambda x, y: np.concatenate([x, y, x], 1), [a, b]),
        ("slice", lambda x: wt.slice(x, [1, 0, 1], [1, 2, 2]), lambda x: x[1:2, 0:2, 1:3],
         [rand(3, 3, 4)]),
        ("strided_slice", lambda x: wt.strided_slice(x, [3, 0], [0, 5], [-2, 2]),
         lambda x: x[3:0:-2, 0:5:2], [rand(5, 5)]),
        ("strided_slice_shrink", lambda x: wt.strided_slice(x, [1, 4], [2, 0], [1, -1],
                                                             shrink_axis_mask=1),
         lambda x: x[1, 4:0:-1], [rand(3, 5)]),
        ("getitem", lambda x: x[::-1, None, 1:, 2], lambda x: x[::-1, None, 1:, 2],
         [rand(3, 4, 5)]),
        ("getitem_array", lambda x: x[:, [2, 0, 2]], lambda x: x[:, [2, 0, 2]], [rand(3, 4)]),
        ("gather_duplicates", lambda x: wt.gather(x, idx, 1),
         lambda x: np.take(x, idx, 1), [rand(2, 3, 2)]),
        ("gather_device_indices", lambda x: wt.gather(x, device_int([1, 1, 0, 1])),
         lambda x: x[[1, 1, 0, 1]], [rand(3, 5)]),
        ("gather_batch_dims", lambda x: wt.gather(x, [[0, 0, 2], [1, 2, 1]], 1, 1),
         lambda x: np.stack([x[0][[0, 0, 2]], x[1][[1, 2, 1]]]), [rand(2, 3, 2)]),
        ("tile", lambda x: wt.tile(x, [2, 1, 3]), lambda x: np.tile(x, (2, 1, 3)),
         [rand(2, 3, 2)]),
        ("pad", lambda x: wt.pad(x, [[1, 2], [0, 1]], 3.0),
         lambda x: np.pad(x, ((1, 2), (0, 1)), constant_values=3.0), [rand(2, 3)]),
        ("reverse", lambda x: wt.reverse(x, [0, 2]), lambda x: np.flip(x, (0, 2)),
         [rand(2, 3, 2)]),
        ("broadcast_to", lambda x: wt.broadcast_to(x, [2, 3, 4]),
         lambda x: np.broadcast_to(x, (2, 3, 4)), [rand(3, 1)]),
        ("expand_squeeze", lambda x: wt.squeeze(wt.expand_dims(x, 1) * 2.0, 1),
         lambda x: x * 2.0, [rand(2, 3)]),
        ("stack", lambda x, y: wt.stack([x, y * y], -1), lambda x, y: np.stack([x, y * y], -1),
         [a, rand(2, 3)]),
        ("unstack", lambda x: wt.unstack(x, 1)[0] * wt.unstack(x, 1)[2],
         lambda x: x[:, 0] * x[:, 2], [rand(2, 3)]),
        ("split", lambda x: wt.concat(wt.split(x, [1, -1], 1)[::-1], 1) * x,
         lambda x: np.concatenate([x[:, 1:], x[:, :1]], 1) * x, [rand(2, 4)]),
    ]


@pytest.mark.parametrize("fn,fn_np,inputs", [pytest.param(f, g, i, id=n)
                                             for n, f, g, i in _grad_cases()])
def test_gradients(fn, fn_np, inputs):
    check_gradients(fn, fn_np, inputs)


def test_second_order_through_gather_and_transpose():
    """grad(grad(f)) runs the gradients' own gradients (gather_grad -> gather)."""
    x0 = np.array([0.5, -1.0, 2.0], np.float32)

    def f(x):
        g = wt.gather(x, [0, 2, 2, 1])
        return (g * g * g).sum()

    def df(x):
        return wt.grad(f)(x)

    got = wt.tidy(lambda: wt.grad(lambda x: (df(x) * wt.tensor([1.0, 2.0, 3.0])).sum())(
        wt.tensor(x0)).numpy())
    # f = x0^3 + x1^3 + 2 x2^3; df = [3x0^2, 3x1^2, 6x2^2]; d/dx sum(w * df) = [6x0, 12x1, 36x2]
    assert_close(got, [6 * x0[0], 12 * x0[1], 36 * x0[2]], rtol=1e-5, atol=1e-5)

    def h(x):
        return (wt.transpose(wt.pad(x, [[1, 0], [0, 1]])) ** 3).sum()

    x1 = rand(2, 3)
    got = wt.tidy(lambda: wt.grad(lambda x: wt.grad(h)(x).sum())(wt.tensor(x1)).numpy())
    assert_close(got, 6 * x1, rtol=1e-5, atol=1e-5)


def test_methods_exist():
    for name in ("expand_dims", "squeeze", "transpose", "concat", "stack", "unstack", "split",
                 "slice", "strided_slice", "gather", "tile", "pad", "reverse", "broadcast_to",
                 "one_hot", "reshape"):
        assert callable(getattr(wt.Tensor, name)), name
        assert name in wt.ops.movement.__all__ and callable(getattr(wt, name)), name


def test_second_call_of_same_rank_compiles_nothing():
    def ops(shape, k):
        x = wt.ones(shape)
        return [x.transpose([2, 0, 1]), x[1:, ::-1, 1:k + 1], wt.concat([x, x], 1), x.pad(
            [[1, 0], [0, k], [2, 1]]), x.gather([0, k % shape[0]], 0), x.reverse(-1),
            x.tile([1, k, 1]), wt.gather(wt.ones([4, 4]).transpose(), [0, 1]).sum(),
            wt.one_hot([0, k], 5)]

    def touch(shape, k):
        wt.tidy(lambda: [t.numpy() for t in ops(shape, k)])

    touch((3, 4, 5), 2)
    progs = wt.engine().programs
    before = progs.compiles
    touch((5, 6, 7), 3)
    touch((2, 9, 3), 2)
    assert progs.compiles == before
