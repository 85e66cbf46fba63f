"""The public neural-net ops: values, shapes, errors and gradients vs float64 numpy."""

import numpy as np
import pytest

import webtensor as wt
from webtensor.testing import assert_close, check_gradients


def softmax_np(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax_np(x, axis=-1):
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def windows(x, k, s, padding, fill):
    """[n, oh, ow, k*k, c] windows of x; TF 'same'/'valid' padding with ``fill``."""
    n, h, w, c = x.shape
    if padding == "valid":
        oh, ow, pt, pl = (h - k) // s + 1, (w - k) // s + 1, 0, 0
    else:
        oh, ow = -(-h // s), -(-w // s)
        pt = max((oh - 1) * s + k - h, 0) // 2
        pl = max((ow - 1) * s + k - w, 0) // 2
    big = np.full((n, h + 2 * k + s * oh, w + 2 * k + s * ow, c), fill)
    big[:, pt:pt + h, pl:pl + w] = x
    cnt = np.zeros(big.shape[1:3])
    cnt[pt:pt + h, pl:pl + w] = 1
    ws = [big[:, i:i + s * oh:s, j:j + s * ow:s] for i in range(k) for j in range(k)]
    cs = [cnt[i:i + s * oh:s, j:j + s * ow:s] for i in range(k) for j in range(k)]
    return np.stack(ws, 3), np.stack(cs, 2)[None, :, :, :, None]


def max_pool_np(x, k, s, padding):
    return windows(x, k, s, padding, -np.inf)[0].max(3)


def avg_pool_np(x, k, s, padding):
    ws, cs = windows(x, k, s, padding, 0.0)
    return ws.sum(3) / cs.sum(3)


def spread(shape, seed):
    """Distinct, well separated values (no ties within a finite-difference step)."""
    size = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(size) * 0.1 - size * 0.05).reshape(shape)


# -- softmax ---------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_matches_numpy(axis):
    x = np.random.default_rng(0).normal(0, 3, (4, 5, 6))
    assert_close(wt.softmax(x.astype(np.float32), axis), softmax_np(x, axis), atol=1e-6)
    assert_close(wt.tensor(x.astype(np.float32)).log_softmax(axis), log_softmax_np(x, axis),
                 atol=1e-5)


def test_softmax_no_overflow_and_int_input():
    assert_close(wt.softmax(wt.tensor([1000.0, 1000.0, -1000.0])), [0.5, 0.5, 0.0])
    assert_close(wt.softmax(wt.tensor([0, 0], dtype="int32")), [0.5, 0.5])


@pytest.mark.parametrize("axis", [0, -1])
def test_softmax_gradients(axis):
    x = np.random.default_rng(1).normal(size=(3, 4))
    check_gradients(lambda t: wt.softmax(t, axis), lambda a: softmax_np(a, axis), [x])
    check_gradients(lambda t: wt.log_softmax(t, axis), lambda a: log_softmax_np(a, axis), [x])


def test_softmax_second_order():
    x = np.array([0.3, -0.2, 0.5])
    e0 = wt.tensor([1.0, 0.0, 0.0])
    g = wt.grad(lambda t: wt.grad(lambda u: wt.mul(wt.softmax(u), e0))(t))
    got = g(wt.tensor(x.astype(np.float32))).numpy()

    def d1(a):  # d/dx of softmax(x)[0]
        p = softmax_np(a)
        return p[0] * ((np.arange(3) == 0) - p)

    eps, want = 1e-4, np.zeros(3)
    for i in range(3):
        e = np.eye(3)[i] * eps
        want[i] = (d1(x + e).sum() - d1(x - e).sum()) / (2 * eps)
    assert_close(got, want, rtol=1e-2, atol=1e-3)


def test_softmax_errors():
    with pytest.raises(ValueError, match="softmax"):
        wt.softmax(wt.ones([2, 3]), 2)
    with pytest.raises(ValueError, match="log_softmax"):
        wt.log_softmax(wt.scalar(1.0))


# -- pooling -----------------------------------------------------------------------------
@pytest.mark.parametrize("k,s,padding", [(2, 2, "valid"), (3, 2, "same"), (2, 1, "same"),
                                         (3, 1, "valid")])
def test_pool_gradients(k, s, padding):
    x = spread((2, 5, 4, 3), k + s)
    check_gradients(lambda t: wt.max_pool(t, k, s, padding),
                    lambda a: max_pool_np(a, k, s, padding), [x])
    check_gradients(lambda t: wt.avg_pool(t, k, s, padding),
                    lambda a: avg_pool_np(a, k, s, padding), [x])


def test_pool_gradients_vec4_channels():
    x = spread((1, 4, 5, 4), 9)
    check_gradients(lambda t: wt.max_pool(t, 2, 2, "same"),
                    lambda a: max_pool_np(a, 2, 2, "same"), [x])
    check_gradients(lambda t: wt.avg_pool(t, 3, 2, "same"),
                    lambda a: avg_pool_np(a, 3, 2, "same"), [x])


def test_max_pool_gradient_goes_to_first_max():
    x = wt.tensor(np.array([1.0, 3.0, 3.0, 0.0], np.float32).reshape(1, 2, 2, 1))
    g = wt.grad(lambda t: wt.max_pool(t, 2, 2, "valid"))(x)
    assert g.numpy().reshape(-1).tolist() == [0.0, 1.0, 0.0, 0.0]


def test_pool_second_order():
    x = spread((1, 4, 4, 2), 3)
    xt = wt.tensor(x.astype(np.float32))
    w = np.random.default_rng(2).normal(size=x.shape)
    dy = wt.ones([1, 2, 2, 2])
    xw, _ = windows(x, 2, 2, "valid", -np.inf)
    ww, _ = windows(w, 2, 2, "valid", 0.0)
    want = {wt.max_pool: np.take_along_axis(ww, xw.argmax(3)[:, :, :, None], 3)[:, :, :, 0],
            wt.avg_pool: avg_pool_np(w, 2, 2, "valid")}
    for op, expected in want.items():
        def pool_grad(d, op=op):
            return wt.grad(lambda u: wt.mul(op(u, 2, 2, "valid"), d))(xt)

        g2 = wt.grad(lambda d: wt.mul(pool_grad(d), w.astype(np.float32)))(dy)
        assert_close(g2, expected, rtol=1e-5, atol=1e-6)


def test_pool_rank3_and_shapes():
    x = wt.tensor(spread((5, 6, 2), 0).astype(np.float32))
    assert wt.max_pool(x, 2, 2, "same").shape == (3, 3, 2)
    assert wt.avg_pool(x, [2, 3], [1, 2], "valid").shape == (4, 2, 2)
    assert_close(wt.max_pool(x, 2, 2, "same"), max_pool_np(x.numpy()[None], 2, 2, "same")[0])


def test_pool_errors():
    with pytest.raises(ValueError, match="max_pool"):
        wt.max_pool(wt.ones([2, 2]), 2, 2, "valid")
    with pytest.raises(ValueError, match="avg_pool"):
        wt.avg_pool(wt.ones([1, 2, 2, 1]), 3, 1, "valid")
    with pytest.raises(ValueError, match="padding"):
        wt.max_pool(wt.ones([1, 2, 2, 1]), 2, 1, "full")
    with pytest.raises(ValueError, match="strides"):
        wt.max_pool(wt.ones([1, 2, 2, 1]), 2, 0, "same")


@pytest.mark.parametrize("shape,padding,out", [
    ((1, 4, 4, 0), "valid", (1, 2, 2, 0)), ((0, 4, 4, 3), "same", (0, 2, 2, 3)),
    ((2, 0, 3, 1), "same", (2, 0, 2, 1))])
def test_pool_empty_inputs_give_empty_outputs(shape, padding, out):
    # zero channels used to divide by zero while building the uniforms
    x = wt.zeros(shape)
    for op in (wt.max_pool, wt.avg_pool):
        assert op(x, 2, 2, padding).shape == out
        assert wt.grad(lambda t, op=op: op(t, 2, 2, padding))(x).shape == shape


def test_pool_second_call_compiles_nothing():
    wt.max_pool(wt.ones([1, 6, 6, 4]), 3, 2, "same").numpy()
    wt.avg_pool(wt.ones([1, 6, 6, 3]), 2, 1, "valid").numpy()
    before = wt.engine().programs.compiles
    wt.max_pool(wt.ones([2, 9, 7, 8]), 3, [1, 3], "same").numpy()
    wt.avg_pool(wt.ones([3, 5, 9, 5]), 2, 2, "valid").numpy()
    assert wt.engine().programs.compiles == before


# -- batch_norm, dropout ----------------------------------------------------------------
def test_batch_norm_values_and_gradients():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 3))
    mean, var = rng.normal(size=3), rng.uniform(0.5, 2, 3)
    off, sc = rng.normal(size=3), rng.normal(size=3)

    def ref(x, m, v, o, s):
        return (x - m) / np.sqrt(v + 1e-3) * s + o

    f32 = [a.astype(np.float32) for a in (x, mean, var, off, sc)]
    assert_close(wt.batch_norm(*f32), ref(x, mean, var, off, sc), rtol=1e-5, atol=1e-5)
    assert_close(wt.batch_norm(f32[0], f32[1], f32[2]), ref(x, mean, var, 0, 1), atol=1e-5)
    check_gradients(lambda *t: wt.batch_norm(*t), ref, [x, mean, var, off, sc])
    check_gradients(lambda a, m, v: wt.batch_norm(a, m, v, variance_epsilon=0.1),
                    lambda a, m, v: (a - m) / np.sqrt(v + 0.1), [x, mean, var])


def test_batch_norm_bad_shape():
    with pytest.raises(ValueError, match="batch_norm"):
        wt.batch_norm(wt.ones([2, 3]), wt.ones([4]), wt.ones([3]))


def test_dropout():
    x = wt.ones([200, 50])
    a, b = wt.dropout(x, 0.3, seed=7).numpy(), wt.dropout(x, 0.3, seed=7).numpy()
    assert np.array_equal(a, b)
    assert set(np.unique(a).tolist()) <= {0.0, np.float32(1 / 0.7)}
    assert abs((a == 0).mean() - 0.3) < 0.02
    assert wt.dropout(x, 0.0) is x
    with pytest.raises(ValueError, match="dropout"):
        wt.dropout(x, 1.0)
    keep = (wt.dropout(wt.ones([6, 5]), 0.5, seed=3).numpy() != 0).astype(np.float64)
    xv = np.random.default_rng(0).normal(size=(6, 5))
    check_gradients(lambda t: wt.dropout(t, 0.5, seed=3), lambda t: t * keep * 2.0, [xv])


# -- resize -------------------------------------------------------------------------------
def resize_np(x, size, align, half, nearest):
    n, h, w, c = x.shape

    def coords(i, o):
        sc = (i - 1) / (o - 1) if align and o > 1 else i / o
        r = np.arange(o, dtype=np.float64)
        if nearest:
            f = (r + 0.5) * sc if half else r * sc
            return np.minimum(np.floor(f + 0.5) if align else np.floor(f), i - 1).astype(int)
        f = (r + 0.5) * sc - 0.5 if half else r * sc
        lo = np.maximum(np.floor(f), 0).astype(int)
        return lo, np.minimum(np.ceil(f), i - 1).astype(int), f - lo

    if nearest:
        return x[:, coords(h, size[0])][:, :, coords(w, size[1])]
    (y0, y1, fy), (x0, x1, fx) = coords(h, size[0]), coords(w, size[1])
    fx = fx[None, None, :, None]
    top = x[:, y0][:, :, x0] + (x[:, y0][:, :, x1] - x[:, y0][:, :, x0]) * fx
    bot = x[:, y1][:, :, x0] + (x[:, y1][:, :, x1] - x[:, y1][:, :, x0]) * fx
    return top + (bot - top) * fy[None, :, None, None]


@pytest.mark.parametrize("nearest", [False, True])
@pytest.mark.parametrize("shape,size,align,half", [
    ((1, 3, 4, 2), (5, 7), False, False), ((2, 4, 3, 1), (2, 5), True, False),
    ((1, 3, 3, 4), (6, 4), False, True), ((1, 5, 4, 1), (2, 2), False, True)])
def test_resize_values_and_gradients(nearest, shape, size, align, half):
    x = np.random.default_rng(4).normal(size=shape)
    f = wt.image.resize_nearest_neighbor if nearest else wt.image.resize_bilinear
    assert_close(f(x.astype(np.float32), size, align, half),
                 resize_np(x, size, align, half, nearest), rtol=1e-5, atol=1e-6)
    check_gradients(lambda t: f(t, size, align, half),
                    lambda a: resize_np(a, size, align, half, nearest), [x])


def test_resize_rank3_and_errors():
    x = wt.ones([4, 4, 3])
    assert wt.image.resize_bilinear(x, [8, 2]).shape == (8, 2, 3)
    assert wt.image.resize_nearest_neighbor(x, (1, 5)).shape == (1, 5, 3)
    with pytest.raises(ValueError, match="resize_bilinear"):
        wt.image.resize_bilinear(wt.ones([4, 4]), [2, 2])
    with pytest.raises(ValueError, match="both"):
        wt.image.resize_nearest_neighbor(x, [2, 2], True, True)
    with pytest.raises(ValueError, match="size"):
        wt.image.resize_bilinear(x, [2])


def test_resize_empty_batch_or_channels():
    # conv and pooling accept an empty batch; so does resize (it used to raise)
    for op in (wt.image.resize_bilinear, wt.image.resize_nearest_neighbor):
        for shape in ((0, 2, 2, 1), (2, 2, 2, 0)):
            x = wt.zeros(shape)
            assert op(x, [3, 5]).shape == (shape[0], 3, 5, shape[3])
            assert wt.grad(lambda t, op=op: op(t, [3, 5]))(x).shape == shape
        with pytest.raises(ValueError, match="no pixels"):
            op(wt.zeros([1, 0, 2, 1]), [3, 3])
