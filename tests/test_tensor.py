"""Tensor creation, dtypes, host access, printing, operators and errors."""

import math

import numpy as np
import pytest

import webtensor as wt


def test_dtype_inference_tfjs_rules():
    assert wt.tensor([1, 2]).dtype == "float32"  # Python numbers: float32
    assert wt.tensor(np.array([1, 2])).dtype == "int32"
    assert wt.tensor(np.array([1.0], np.float64)).dtype == "float32"
    assert wt.tensor([True, False]).dtype == "bool"
    assert wt.tensor(np.array([True])).dtype == "bool"
    assert wt.tensor([1.5], dtype="int32").numpy().tolist() == [1]
    assert wt.scalar(3).dtype == "float32"


def test_promotion_nep50():
    i = wt.tensor([1, 2, 3], dtype="int32")
    f = wt.tensor([0.5, 0.5, 0.5])
    b = wt.tensor([True, False, True])
    assert (i * 3).dtype == "int32"
    assert (i * 0.5).dtype == "float32"
    assert (i + f).dtype == "float32"
    assert (i / 2).dtype == "float32"
    assert (i // 2).dtype == "int32" and (i % 2).dtype == "int32"
    assert (b + i).dtype == "int32"
    assert (i < 2).dtype == "bool"
    assert (i // 2).numpy().tolist() == [0, 1, 1]
    assert (i / 2).numpy().tolist() == [0.5, 1.0, 1.5]


def test_clip_and_leaky_relu_promote_like_numpy():
    x = np.array([-3, -1, 0, 2, 5], dtype=np.int32)
    i = wt.tensor(x)
    for got, want in [
        (wt.clip_by_value(i, -1.5, 1.5), np.clip(x, -1.5, 1.5)),  # float bounds: float
        (wt.clip_by_value(i, 0, 2), np.clip(x, 0, 2)),  # int bounds: stays int32
        (wt.leaky_relu(i, 2), np.where(x > 0, x, 2 * x)),
        (wt.leaky_relu(i, 2.0), np.where(x > 0, x, 2.0 * x)),
        (wt.leaky_relu(i, 0.25), np.where(x > 0, x, 0.25 * x)),
    ]:
        assert got.dtype == ("int32" if want.dtype.kind == "i" else "float32")
        np.testing.assert_array_equal(got.numpy(), want.astype(got.numpy().dtype))


def test_creation_functions():
    assert wt.ones([2, 2], "int32").numpy().dtype == np.int32
    assert wt.fill([2], 7.5).numpy().tolist() == [7.5, 7.5]
    assert wt.eye(2, 3).numpy().tolist() == [[1, 0, 0], [0, 1, 0]]
    assert wt.range(5).numpy().tolist() == [0, 1, 2, 3, 4]
    assert wt.range(1, 2, 0.25).numpy().tolist() == [1, 1.25, 1.5, 1.75]
    assert wt.linspace(0, 1, 5).numpy().tolist() == [0, 0.25, 0.5, 0.75, 1]
    assert wt.zeros_like(wt.ones([2], "int32")).dtype == "int32"
    a = wt.random_normal([1000], 1.0, 2.0, seed=5).numpy()
    assert abs(a.mean() - 1.0) < 0.2 and abs(a.std() - 2.0) < 0.2
    np.testing.assert_array_equal(a, wt.random_normal([1000], 1.0, 2.0, seed=5).numpy())
    u = wt.random_uniform([500], -1, 1, seed=2).numpy()
    assert u.min() >= -1 and u.max() < 1
    assert wt.random_uniform([5], 0, 10, dtype="int32", seed=1).dtype == "int32"
    t = wt.truncated_normal([500], 0, 1, seed=3).numpy()
    assert np.abs(t).max() <= 2


@pytest.mark.parametrize("fn,values,rank", [
    (wt.scalar, 1.0, 0), (wt.tensor1d, [1.0], 1), (wt.tensor2d, [[1.0]], 2),
    (wt.tensor3d, [[[1.0]]], 3), (wt.tensor4d, [[[[1.0]]]], 4),
    (wt.tensor5d, [[[[[1.0]]]]], 5), (wt.tensor6d, [[[[[[1.0]]]]]], 6),
])
def test_ranked_constructors(fn, values, rank):
    assert fn(values).rank == rank
    if rank:
        with pytest.raises(ValueError, match="rank"):
            fn([[[[[[[1.0]]]]]]] if rank != 6 else [1.0])


def test_flat_values_with_shape_and_errors():
    assert wt.tensor([1, 2, 3, 4], [2, 2]).shape == (2, 2)
    with pytest.raises(ValueError, match="shape"):
        wt.tensor([1, 2, 3], [2, 2])
    with pytest.raises(ValueError, match="rectangular|shape|inhomogeneous"):
        wt.tensor([[1, 2], [3]])
    with pytest.raises(ValueError, match="dtype"):
        wt.tensor([1], dtype="complex64")
    with pytest.raises(ValueError, match="2\\*\\*24"):
        wt.tensor(np.array([2**25], np.int64))


def test_host_access():
    t = wt.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.array() == [[1.0, 2.0], [3.0, 4.0]]
    assert t.data().tolist() == [1, 2, 3, 4]
    assert np.asarray(t).shape == (2, 2)
    assert float(wt.scalar(2.5)) == 2.5 and int(wt.scalar(2.0)) == 2
    assert len(t) == 2
    with pytest.raises(ValueError):
        t.item()
    with pytest.raises(TypeError):
        len(wt.scalar(1.0))
    assert t.size == 4 and t.rank == 2
    assert [r.numpy().tolist() for r in t] == [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(TypeError):
        iter(wt.scalar(1.0)).__next__()


def test_in_follows_numpy():
    t = wt.tensor([[1.0, 2.0], [3.0, 4.0]])
    # numpy: ``v in a`` is ``(a == v).any()``; the row-by-row fallback raised here
    assert 3.0 in t and 7.0 not in t
    assert [3.0, 4.0] in t and wt.tensor([9.0, 2.0]) in t
    assert 1 in wt.tensor([1, 2], dtype="int32") and 5 not in wt.tensor([1, 2], dtype="int32")


def test_numpy_interop_in_ops():
    t = wt.tensor([1.0, 2.0])
    assert (t + np.array([1.0, 1.0])).numpy().tolist() == [2.0, 3.0]
    assert (np.array([1.0, 1.0]) + t).numpy().tolist() == [2.0, 3.0]
    assert (2 - t).numpy().tolist() == [1.0, 0.0]
    assert (t ** 2).numpy().tolist() == [1.0, 4.0]
    assert (2 ** t).numpy().tolist() == [2.0, 4.0]
    assert (-t).numpy().tolist() == [-1.0, -2.0]
    assert abs(wt.tensor([-3.0])).numpy().tolist() == [3.0]
    assert (t == 1.0).numpy().tolist() == [True, False]
    assert (t != 1.0).numpy().tolist() == [False, True]
    assert ((t > 1) & (t < 3)).numpy().tolist() == [False, True]
    assert (~(t > 1)).numpy().tolist() == [True, False]
    assert (7 // t).numpy().tolist() == [7.0, 3.0] and (7 % t).numpy().tolist() == [0.0, 1.0]


def test_chaining_methods():
    e = wt.tensor2d([[1.0, 2.0], [3.0, 4.0]])
    f = wt.tensor2d([[5.0, 6.0], [7.0, 8.0]])
    assert e.add(f).square().sqrt().numpy().tolist() == [[6, 8], [10, 12]]
    assert e.maximum(2.5).numpy().tolist() == [[2.5, 2.5], [3, 4]]


def test_where_cast_add_n_clip():
    c = wt.tensor([True, False, True])
    assert wt.where(c, wt.tensor([1, 2, 3]), 0).numpy().tolist() == [1, 0, 3]
    assert wt.cast(wt.tensor([1.9, -1.9]), "int32").numpy().tolist() == [1, -1]
    assert wt.cast(wt.tensor([0.0, 2.0]), "bool").numpy().tolist() == [False, True]
    assert wt.add_n([wt.ones([2]), wt.ones([2])]).numpy().tolist() == [2, 2]
    assert wt.clip_by_value(wt.tensor([-5.0, 5.0]), -1, 1).numpy().tolist() == [-1, 1]
    with pytest.raises(ValueError, match="where"):
        wt.where(wt.tensor([1.0]), 1.0, 2.0)
    with pytest.raises(ValueError, match="add_n"):
        wt.add_n([wt.ones([2]), wt.ones([3])])
    with pytest.raises(ValueError, match="clip_by_value"):
        wt.clip_by_value(wt.ones([1]), 2, 1)


def test_shape_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"add: shapes \[2, 3\] and \[4\]"):
        wt.add(wt.ones([2, 3]), wt.ones([4]))
    with pytest.raises(ValueError, match="mul"):
        wt.ones([2]) * wt.ones([3])


def test_disposed_tensor_error_names_id_and_shape():
    t = wt.ones([2, 3])
    t.dispose()
    with pytest.raises(wt.DisposedTensorError, match=rf"Tensor {t.id} \(shape \[2, 3\]"):
        t.add(1)
    with pytest.raises(RuntimeError):
        t.numpy()
    assert "disposed" in repr(t)


def test_variable_assign_rules():
    v = wt.variable(wt.zeros([2]), name="w")
    with pytest.raises(ValueError, match="shape"):
        v.assign(wt.zeros([3]))
    with pytest.raises(ValueError, match="dtype"):
        v.assign(wt.zeros([2], "int32"))
    v.assign_add(wt.ones([2]))
    v.assign_sub(wt.tensor([0.5, 0.5]))
    assert v.numpy().tolist() == [0.5, 0.5]
    assert v.name == "w" and v.trainable
    v.dispose()


def test_assign_to_a_disposed_variable_takes_no_reference():
    v = wt.variable(wt.zeros([2]))
    v.dispose()
    w = wt.ones([2])
    with pytest.raises(wt.DisposedTensorError):
        v.assign(w)
    assert w.storage.refs == 1  # the failed assign must not hold w's texture forever


def test_printing_like_tfjs():
    assert wt.tensor([1.0, 2.5]).to_string() == "[1, 2.5]"
    assert wt.tensor([True, False]).to_string() == "[true, false]"
    assert wt.tensor([math.nan, math.inf, -math.inf]).to_string() == "[NaN, Infinity, -Infinity]"
    assert wt.tensor([1 / 3]).to_string() == "[0.3333333]"
    long = wt.range(30).to_string()
    assert long == "[0, 1, 2, ..., 27, 28, 29]"
    three = wt.tensor(np.arange(8, dtype=np.float32).reshape(2, 2, 2)).to_string()
    assert three == "[[[0, 1],\n  [2, 3]],\n\n [[4, 5],\n  [6, 7]]]"
    verbose = wt.tensor([[1.0]]).to_string(verbose=True)
    assert "dtype: float32" in verbose and "shape: [1, 1]" in verbose
    html = wt.tensor([1.0])._repr_html_()
    assert "shape=[1]" in html and "<pre>" in html
    assert repr(wt.tensor([2.0])).startswith("<Tensor shape=[1] dtype=float32>")


def test_clone_is_independent():
    a = wt.tensor([1.0, 2.0])
    b = a.clone()
    a.dispose()
    assert b.numpy().tolist() == [1.0, 2.0]


def test_too_large_tensor_names_the_limit():
    limit = wt.info().max_texture_size
    with pytest.raises(ValueError, match="MAX_TEXTURE_SIZE"):
        wt.zeros([limit * limit * 4 + 4])


def test_repeated_op_compiles_no_new_program():
    eng = wt.engine()
    a = wt.ones([3, 4])
    (a + 1).exp().dispose()
    compiles = eng.programs.compiles
    for shape in ([3, 4], [7, 9], [100, 3]):
        (wt.ones(shape) + 1).exp().dispose()
    assert eng.programs.compiles == compiles


def test_info():
    i = wt.info()
    assert i.max_texture_size >= 4096 and i.float_render_targets
    assert i.renderer and i.gl_version
