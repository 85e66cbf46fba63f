"""Shape kernels (strided, concat, gather, gather_grad, one_hot) at their edges.

The registry cases in ``test_registry_kernels.py`` cover every kernel on small shapes
of rank 1 to 6; here: texture-width boundaries, the contiguous fast paths at every
alignment, coalescing, many concat inputs, the three segment-sum modes of
``gather_grad``, and a few large cases.
"""

import itertools

import numpy as np
import pytest

import webtensor as wt
from webtensor.ops import movement
from webtensor.tensor import apply
from webtensor.testing import assert_close

RNG = np.random.default_rng(1)


def rand(*shape):
    return RNG.uniform(-3, 3, size=shape).astype(np.float32)


def values(fn):
    return wt.tidy(lambda: fn().numpy())


def device(arr):
    """A tensor whose values exist only on the GPU (no host copy to read indices from)."""
    t = wt.tensor(arr)
    return wt.add(t, 0)


# 4 * 64 * 64 = 16384 elements fill a 64-wide texture; one more needs a 128-wide one.
BOUNDARY_SHAPES = [(127, 129), (128, 128), (5, 3277), (4097, 4), (1, 16385)]


@pytest.mark.parametrize("shape", BOUNDARY_SHAPES, ids=str)
def test_texture_width_boundaries(shape):
    x = rand(*shape)
    assert_close(values(lambda: wt.transpose(x)), x.T, 0, 0)
    assert_close(values(lambda: wt.reverse(x, 1)), x[:, ::-1], 0, 0)
    assert_close(values(lambda: wt.pad(x, [[0, 1], [2, 0]], 1.0)),
                 np.pad(x, ((0, 1), (2, 0)), constant_values=1.0), 0, 0)
    assert_close(values(lambda: wt.tensor(x)[1:, 1:]), x[1:, 1:], 0, 0)
    assert_close(values(lambda: wt.concat([x, x[:, :3]], 1)),
                 np.concatenate([x, x[:, :3]], 1), 0, 0)
    idx = RNG.integers(0, shape[0], size=7)
    assert_close(values(lambda: wt.gather(x, idx)), x[idx], 0, 0)


@pytest.mark.parametrize("begin", [0, 1, 2, 3])
@pytest.mark.parametrize("width", [1, 3, 4, 5, 9])
def test_contiguous_runs_at_every_alignment(begin, width):
    """Four outputs from one input run take the fast path; rows of any length and offset."""
    x = rand(5, 13)
    assert_close(values(lambda: wt.slice(x, [1, begin], [3, width])),
                 x[1:4, begin:begin + width], 0, 0)
    parts = [x[:, :begin + 1], x[:, begin + 1:begin + 1 + width], x[:, :2]]
    assert_close(values(lambda: wt.concat(parts, 1)), np.concatenate(parts, 1), 0, 0)
    cols = np.arange(begin, begin + width) % 13
    t = rand(7, 13, width + 2)
    assert_close(values(lambda: wt.gather(t, cols, 1)), t[:, cols], 0, 0)


def test_rank6_permutations_and_reversals():
    x = rand(2, 3, 1, 4, 3, 2)
    for k, perm in enumerate(itertools.permutations(range(6))):
        if k % 37:
            continue
        assert_close(values(lambda perm=perm: wt.transpose(x, perm)), np.transpose(x, perm),
                     0, 0)
    for axes in ([0], [5], [1, 3], [0, 2, 4, 5], list(range(6))):
        assert_close(values(lambda axes=axes: wt.reverse(x, axes)), np.flip(x, axes), 0, 0)


def test_coalescing_keeps_the_shader_rank_small():
    assert movement._coalesce([2, 3, 4], [12, 4, 1]) == ([24], [1])
    assert movement._coalesce([1, 5, 1, 7], [0, 7, 0, 1]) == ([35], [1])
    assert movement._coalesce([3, 4, 5], [1, 3, 12]) == ([3, 4, 5], [1, 3, 12])
    assert movement._coalesce([3, 4, 5], [1, 15, 3]) == ([3, 20], [1, 3])
    assert movement._coalesce([4, 5, 6], [-30, -6, 1]) == ([20, 6], [-6, 1])
    assert movement._coalesce([1, 1], [5, 1]) == ([1], [0])
    wt.tidy(lambda: wt.transpose(wt.ones([2, 3, 4, 5]), [0, 1, 3, 2]).numpy())
    ranks = [dict(p.defines)["RANK"] for p in wt.engine().programs.programs()
             if p.name == "strided" and dict(p.defines).get("PAD") == 0]
    assert 3 in ranks  # [2, 3, 4, 5] with the last two swapped runs as [6, 5, 4]


def test_pad_mode_merges_and_strided_gradient_scatters():
    x = rand(3, 4, 5)
    got = values(lambda: wt.pad(x, [[1, 1], [0, 0], [0, 0]], -1.0))
    assert_close(got, np.pad(x, ((1, 1), (0, 0), (0, 0)), constant_values=-1.0), 0, 0)
    dy = rand(2, 3, 2)
    got = values(lambda: apply("strided_slice_grad", [wt.tensor(dy)], shape=(5, 7, 5),
                               begin=(4, 1, 4), strides=(-3, 2, -3)))
    want = np.zeros((5, 7, 5), np.float32)
    want[4::-3, 1:7:2, 4::-3] = dy
    assert_close(got, want, 0, 0)


def test_nan_and_inf_pass_through_every_mode():
    x = np.array([[np.nan, np.inf, -np.inf, -0.0, 1.0]], np.float32)
    for fn, ref in ((lambda: wt.pad(x, [[1, 0], [0, 2]], np.inf),
                     np.pad(x, ((1, 0), (0, 2)), constant_values=np.inf)),
                    (lambda: wt.tile(x, [2, 2]), np.tile(x, (2, 2))),
                    (lambda: wt.broadcast_to(x, [3, 5]), np.broadcast_to(x, (3, 5))),
                    (lambda: wt.concat([x, x[:, ::-1]], 1), np.concatenate([x, x[:, ::-1]], 1)),
                    (lambda: wt.gather(x, [4, 0, 1], 1), x[:, [4, 0, 1]])):
        got = values(fn)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
        np.testing.assert_array_equal(np.signbit(got), np.signbit(ref))
        np.testing.assert_array_equal(got[~np.isnan(got)], ref[~np.isnan(ref)])


def test_concat_many_inputs_in_a_tree_of_draws():
    parts = [rand(3, k % 5 + 1, 2) for k in range(70)]
    assert_close(values(lambda: wt.concat(parts, 1)), np.concatenate(parts, 1), 0, 0)
    rows = [rand(1, 3) for _ in range(9)]
    assert_close(values(lambda: wt.concat(rows, 0)), np.concatenate(rows, 0), 0, 0)


def _segment_sum(dy, idx, a):
    out = np.zeros((dy.shape[0], a, dy.shape[2]))
    for i, j in enumerate(idx):
        out[:, j % a] += dy[:, i]
    return out


@pytest.mark.parametrize("count", [5, 64, 300])
@pytest.mark.parametrize("on_device", [False, True])
@pytest.mark.parametrize("inner", [1, 3, 8])
def test_gather_grad_modes_agree(count, on_device, inner):
    """Host indices: sorted runs (CSR); device indices: a scan, or a readback when many."""
    a = 11
    idx = RNG.integers(-a, a, size=count).astype(np.int32)
    idx[:3] = 2  # duplicates accumulate
    dy = rand(3, count, inner)

    def run():
        it = device(idx) if on_device else wt.tensor(idx)
        assert (it.storage.host is None) == on_device
        return apply("gather_grad", [wt.tensor(dy), it], axis=1, batch_dims=0,
                     dim_size=a).numpy()

    got = wt.tidy(run)
    assert_close(got, _segment_sum(dy.astype(np.float64), idx, a), rtol=1e-5, atol=1e-4)


def test_one_hot_edges():
    idx = np.array([[0, 4, -1], [5, 2, 100]], np.int32)
    for make in (wt.tensor, device):
        got = wt.tidy(lambda make=make: wt.one_hot(make(idx), 5).numpy())
        assert_close(got, (idx[..., None] == np.arange(5)).astype(np.int32), 0, 0)
    assert wt.tidy(lambda: wt.one_hot([0, 0, 0], 1).numpy()).tolist() == [[1], [1], [1]]
    got = wt.tidy(lambda: wt.one_hot(np.arange(1000) % 37, 37, 2.5, -0.5, "float32").numpy())
    want = np.where(np.arange(1000)[:, None] % 37 == np.arange(37), 2.5, -0.5)
    assert_close(got, want, 0, 0)


def test_large_cases():
    x = rand(700, 1030)
    assert_close(values(lambda: wt.transpose(x)), x.T, 0, 0)
    assert_close(values(lambda: wt.tensor(x)[::-3, 5:-7:2]), x[::-3, 5:-7:2], 0, 0)
    emb = rand(1000, 64)
    ids = RNG.integers(0, 1000, size=(32, 40))
    assert_close(values(lambda: wt.gather(emb, ids)), emb[ids], 0, 0)
    dy = rand(32, 40, 64)

    def grad():
        it = wt.tensor(ids.astype(np.int32))
        return apply("gather_grad", [wt.tensor(dy), it], axis=0, batch_dims=0,
                     dim_size=1000).numpy()

    want = np.zeros((1000, 64))
    np.add.at(want, ids.reshape(-1), dy.reshape(-1, 64).astype(np.float64))
    assert_close(wt.tidy(grad), want, rtol=1e-5, atol=1e-4)
    t = rand(3, 50, 70)
    assert_close(values(lambda: wt.tile(t, [2, 3, 2])), np.tile(t, (2, 3, 2)), 0, 0)


def test_whole_texel_variants():
    """Widths that are multiples of 4 compile variants that move whole texels."""
    parts = [rand(3, 4), rand(3, 8), rand(3, 4)]
    assert_close(values(lambda: wt.concat(parts, 1)), np.concatenate(parts, 1), 0, 0)
    rows = [rand(2, 4), rand(5, 4)]
    assert_close(values(lambda: wt.concat(rows, 0)), np.concatenate(rows, 0), 0, 0)
    x = rand(5, 3, 8)
    idx = np.array([4, 0, -1, 4, 2])
    assert_close(values(lambda: wt.gather(x, idx)), x[idx], 0, 0)
    assert_close(values(lambda: wt.gather(x.reshape(5, 6, 4), [[1, 5], [0, 0]], 1)),
                 x.reshape(5, 6, 4)[:, [[1, 5], [0, 0]]], 0, 0)
    y = rand(6, 12)
    assert_close(values(lambda: wt.tensor(y)[1:5, 3:11]), y[1:5, 3:11], 0, 0)
    assert_close(values(lambda: wt.reverse(y, 0)), y[::-1], 0, 0)
