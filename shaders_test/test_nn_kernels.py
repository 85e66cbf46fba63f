"""softmax, pooling and resize kernels against loop-by-loop float64 numpy references."""

import itertools
import math

import numpy as np
import pytest

import webtensor as wt
from webtensor.testing import assert_close


# -- references, written as plainly as possible ------------------------------------------
def softmax_ref(x, axis, log=False):
    x = np.moveaxis(x.astype(np.float64), axis, -1)
    out = np.empty_like(x)
    for idx in np.ndindex(x.shape[:-1]):
        row = x[idx]
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            z = row - row.max()
            out[idx] = z - np.log(np.exp(z).sum()) if log else np.exp(z) / np.exp(z).sum()
    return np.moveaxis(out, -1, axis)


def pads(size, k, s, padding):
    if padding == "valid":
        return (size - k) // s + 1, 0
    out = math.ceil(size / s)
    return out, max((out - 1) * s + k - size, 0) // 2


def pool_ref(x, k, s, padding, kind):
    n, h, w, c = x.shape
    oh, pt = pads(h, k[0], s[0], padding)
    ow, pl = pads(w, k[1], s[1], padding)
    out = np.zeros((n, oh, ow, c))
    for b, i, j, ch in itertools.product(range(n), range(oh), range(ow), range(c)):
        vals = [x[b, y, xx, ch] for y in range(i * s[0] - pt, i * s[0] - pt + k[0])
                for xx in range(j * s[1] - pl, j * s[1] - pl + k[1])
                if 0 <= y < h and 0 <= xx < w]
        out[b, i, j, ch] = np.max(vals) if kind == "max" else np.mean(vals)
    return out


def resize_ref(x, size, align, half, kind):
    n, h, w, c = x.shape
    out = np.zeros((n, size[0], size[1], c))

    def scale(i, o):
        return (i - 1) / (o - 1) if align and o > 1 else i / o

    sy, sx = scale(h, size[0]), scale(w, size[1])
    for i, j in itertools.product(range(size[0]), range(size[1])):
        if kind == "nearest":
            fy = (i + 0.5) * sy if half else i * sy
            fx = (j + 0.5) * sx if half else j * sx
            y = min(h - 1, math.floor(fy + 0.5) if align else math.floor(fy))
            xx = min(w - 1, math.floor(fx + 0.5) if align else math.floor(fx))
            out[:, i, j] = x[:, y, xx]
        else:
            fy = (i + 0.5) * sy - 0.5 if half else i * sy
            fx = (j + 0.5) * sx - 0.5 if half else j * sx
            y0, x0 = max(math.floor(fy), 0), max(math.floor(fx), 0)
            y1, x1 = min(math.ceil(fy), h - 1), min(math.ceil(fx), w - 1)
            dy, dx = fy - y0, fx - x0
            top = x[:, y0, x0] + (x[:, y0, x1] - x[:, y0, x0]) * dx
            bot = x[:, y1, x0] + (x[:, y1, x1] - x[:, y1, x0]) * dx
            out[:, i, j] = top + (bot - top) * dy
    return out


# -- softmax ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,axis", [((1,), 0), ((5,), 0), ((3, 4), 1), ((3, 7), -1),
                                        ((2, 13), 1), ((4, 5, 6), 0), ((4, 5, 6), 1),
                                        ((2, 3, 1), 2), ((6, 1029), 1), ((130, 9), 0)])
@pytest.mark.parametrize("log", [False, True])
def test_softmax_shapes(shape, axis, log):
    x = np.random.default_rng(len(shape) + axis).normal(0, 4, shape).astype(np.float32)
    f = wt.log_softmax if log else wt.softmax
    assert_close(f(x, axis), softmax_ref(x, axis, log), rtol=1e-5, atol=2e-6)


def test_softmax_large_rows():
    x = np.random.default_rng(0).uniform(-1, 1, (512, 1000)).astype(np.float32)
    assert_close(wt.softmax(x), softmax_ref(x, -1), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("log", [False, True])
def test_softmax_nan_inf(log):
    inf, nan = np.inf, np.nan
    x = np.array([[1, nan, 2, 3, 4], [inf, 1, 2, 3, 4], [-inf] * 5, [-inf, 1, 2, -inf, 3],
                  [1e30, -1e30, 0, 88, 89], [3e38, 3e38, 3e38, 0, -1e30]], np.float32)
    f = wt.log_softmax if log else wt.softmax
    got = f(x).numpy()
    assert_close(got, softmax_ref(x, -1, log), rtol=1e-5, atol=1e-6)
    assert np.isnan(got[:3]).all() and not np.isnan(got[3:]).any()


# -- pooling -----------------------------------------------------------------------------
POOL_GRID = [((1, 4, 4, 1), (2, 2), (2, 2)), ((2, 5, 7, 3), (3, 3), (2, 2)),
             ((1, 6, 5, 4), (2, 3), (1, 2)), ((1, 7, 7, 8), (3, 3), (3, 1)),
             ((2, 3, 8, 5), (1, 4), (2, 3)), ((1, 5, 5, 2), (5, 5), (1, 1)),
             ((1, 4, 4, 4), (1, 1), (2, 2))]


@pytest.mark.parametrize("shape,k,s", POOL_GRID)
@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_grid(shape, k, s, padding, kind):
    x = np.random.default_rng(sum(shape)).normal(size=shape).astype(np.float32)
    f = wt.max_pool if kind == "max" else wt.avg_pool
    assert_close(f(x, k, s, padding), pool_ref(x, k, s, padding, kind), rtol=1e-6, atol=1e-6)


def test_max_pool_bench_shape():
    x = np.random.default_rng(43).uniform(-1, 1, (8, 64, 64, 32)).astype(np.float32)
    want = x.reshape(8, 32, 2, 32, 2, 32).max(axis=(2, 4))
    assert_close(wt.max_pool(x, 2, 2, "valid"), want, rtol=0, atol=0)


@pytest.mark.parametrize("channels", [3, 4])
def test_max_pool_nan_inf(channels):
    x = np.random.default_rng(1).normal(size=(1, 4, 4, channels)).astype(np.float32)
    x[0, 0, 1, 0] = np.nan
    x[0, 3, 3, channels - 1] = np.inf
    x[0, 2:, :2, :] = -np.inf
    want = pool_ref(x, (2, 2), (2, 2), "valid", "max")
    got = wt.max_pool(x, 2, 2, "valid").numpy()
    assert np.isnan(got[0, 0, 0, 0]) and np.isnan(want[0, 0, 0, 0])
    assert_close(got, want, rtol=0, atol=0)


# -- resize ------------------------------------------------------------------------------
RESIZE_GRID = [((1, 3, 4, 1), (6, 8)), ((2, 5, 5, 3), (3, 2)), ((1, 4, 6, 4), (7, 5)),
               ((1, 1, 3, 2), (4, 1)), ((1, 6, 2, 1), (6, 2)), ((1, 3, 3, 1), (5, 5)),
               ((1, 7, 3, 5), (2, 9))]


@pytest.mark.parametrize("shape,size", RESIZE_GRID)
@pytest.mark.parametrize("align,half", [(False, False), (True, False), (False, True)])
@pytest.mark.parametrize("kind", ["bilinear", "nearest"])
def test_resize_grid(shape, size, align, half, kind):
    x = np.random.default_rng(sum(shape)).normal(size=shape).astype(np.float32)
    f = wt.image.resize_bilinear if kind == "bilinear" else wt.image.resize_nearest_neighbor
    assert_close(f(x, size, align, half), resize_ref(x, size, align, half, kind),
                 rtol=1e-5, atol=1e-6)
