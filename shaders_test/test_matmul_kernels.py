"""matmul kernels (matmul, matmul_pack, matmul_assemble) against float64 numpy.

Covers every path of the forward: direct operands, packed ones (transposes, K or N not
a multiple of 4, batch broadcasts one stride cannot express), 1..8 rows per fragment,
render targets padded to spread over llvmpipe tiles, the assembly pass, int32, NaN/Inf,
and one 1024x1024 product.
"""

import numpy as np
import pytest

import webtensor as wt
from webtensor.testing import assert_close

RNG = np.random.default_rng(1234)


def _np_matmul(a, b, ta=False, tb=False):
    a = np.swapaxes(a, -1, -2) if ta else a
    b = np.swapaxes(b, -1, -2) if tb else b
    return np.matmul(a.astype(np.float64), b.astype(np.float64))


def _check(sa, sb, ta=False, tb=False):
    a = RNG.standard_normal(sa).astype(np.float32)
    b = RNG.standard_normal(sb).astype(np.float32)
    got = wt.matmul(a, b, transpose_a=ta, transpose_b=tb).numpy()
    want = _np_matmul(a, b, ta, tb)
    k = a.shape[-2] if ta else a.shape[-1]
    assert got.shape == want.shape
    assert_close(got, want, rtol=1e-5, atol=2e-6 * np.sqrt(k) * 4, what=f"{sa} @ {sb}")


@pytest.mark.parametrize("sa,sb", [
    ((1, 1), (1, 1)),
    ((1, 4), (4, 4)),
    ((3, 5), (5, 7)),
    ((33, 65), (65, 17)),
    ((2, 3), (3, 1)),
    ((7, 4), (4, 9)),
    ((9, 8), (8, 12)),
    ((64, 256), (256, 128)),
    ((70, 130), (130, 90)),
    ((128, 64), (64, 128)),
    ((200, 300), (300, 100)),
])
def test_sizes(sa, sb):
    _check(sa, sb)


@pytest.mark.parametrize("m", range(1, 10))
def test_rows_per_fragment(m):
    # m picks 1, 2, 4 or 8 rows per fragment; the last group is partly past M.
    _check((m, 20), (20, 64))
    _check((m, 12), (12, 6))


@pytest.mark.parametrize("ta,tb", [(True, False), (False, True), (True, True)])
@pytest.mark.parametrize("m,k,n", [(3, 5, 7), (16, 32, 8), (33, 64, 65), (1, 4, 1)])
def test_transposes(ta, tb, m, k, n):
    sa = (k, m) if ta else (m, k)
    sb = (n, k) if tb else (k, n)
    _check(sa, sb, ta, tb)


@pytest.mark.parametrize("sa,sb,ta,tb", [
    ((4, 3, 5), (4, 5, 6), False, False),
    ((2, 3, 4, 5), (3, 5, 6), False, False),
    ((2, 1, 7, 8), (1, 3, 8, 4), False, False),
    ((4, 9, 12), (12, 20), False, False),
    ((12, 20), (3, 20, 16), False, False),
    ((3, 1, 16, 6), (2, 16, 8), True, False),
    ((5, 8, 16), (5, 12, 16), False, True),
    ((1, 2, 9, 6), (2, 1, 11, 9), True, True),
    ((3, 64, 64), (64, 64), False, False),
])
def test_batched_broadcast(sa, sb, ta, tb):
    _check(sa, sb, ta, tb)


def test_int32():
    a = RNG.integers(-50, 50, (7, 13)).astype(np.int32)
    b = RNG.integers(-50, 50, (13, 9)).astype(np.int32)
    out = wt.matmul(wt.tensor(a), wt.tensor(b))
    assert out.dtype == "int32"
    np.testing.assert_array_equal(out.numpy(), a @ b)


def test_mixed_dtype_is_float():
    out = wt.matmul(wt.tensor([[1, 2]], dtype="int32"), wt.tensor([[0.5], [0.25]]))
    assert out.dtype == "float32"
    assert out.numpy().tolist() == [[1.0]]


@pytest.mark.parametrize("m,k,n", [(5, 6, 7), (16, 16, 16)])
def test_nan_inf_propagate(m, k, n):
    a = RNG.standard_normal((m, k)).astype(np.float32)
    b = RNG.standard_normal((k, n)).astype(np.float32)
    a[1, 2] = np.nan
    b[3, 4] = np.inf
    want = _np_matmul(a, b)
    got = wt.matmul(a, b).numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    fin = np.isfinite(want)
    assert_close(got[fin], want[fin], rtol=1e-5, atol=1e-5)


def test_padding_never_makes_nan():
    # K and N not multiples of 4: zero padding times a finite value must stay zero.
    a = np.full((3, 5), 1e30, np.float32)
    b = np.full((5, 3), 1e-30, np.float32)
    got = wt.matmul(a, b).numpy()
    assert_close(got, _np_matmul(a, b), rtol=1e-5)


def test_empty_and_k_zero():
    assert wt.matmul(np.zeros((0, 3), np.float32), np.zeros((3, 4), np.float32)).shape == (0, 4)
    out = wt.matmul(np.zeros((2, 0), np.float32), np.zeros((0, 3), np.float32))
    assert out.numpy().tolist() == [[0.0] * 3] * 2


@pytest.mark.parametrize("sa,sb", [
    ((2, 100, 200), (200, 220)),  # batch, last row group partly past M
    ((130, 256), (256, 258)),     # N not a multiple of 4: per-element assembly
    ((64, 784), (784, 128)),      # the MLP's first layer: 2^22+ multiply-adds, 256 texels
])
def test_targets_spread_over_tiles(sa, sb):
    # Products whose render targets would fit one 64x64 llvmpipe tile get padded targets
    # (fragments past the work write zeros); the assembly must read only the real part.
    sizes = []
    eng = wt.engine()

    def listener(prog, inputs, size, gpu, wall):
        if prog.name == "matmul":
            sizes.append(size)

    eng.listeners.append(listener)
    try:
        _check(sa, sb)
    finally:
        eng.listeners.remove(listener)
    assert sizes == [(64 * 64 + 1) * 4]


def test_1024():
    n = 1024
    a = RNG.standard_normal((n, n)).astype(np.float32)
    b = RNG.standard_normal((n, n)).astype(np.float32)
    got = wt.matmul(a, b).numpy()
    want = _np_matmul(a, b)
    # float32 accumulation error grows about like sqrt(k) * eps * |a||b|
    assert_close(got, want, rtol=0, atol=np.sqrt(n) * 1e-5 * 4)


def test_second_call_compiles_nothing():
    eng = wt.engine()
    for sa, sb in [((6, 20), (20, 8)), ((5, 10), (10, 7))]:
        wt.matmul(RNG.standard_normal(sa).astype(np.float32),
                  RNG.standard_normal(sb).astype(np.float32)).numpy()
    before = eng.programs.compiles
    for sa, sb in [((7, 24), (24, 12)), ((6, 14), (14, 3))]:
        wt.matmul(RNG.standard_normal(sa).astype(np.float32),
                  RNG.standard_normal(sb).astype(np.float32)).numpy()
    assert eng.programs.compiles == before


def _draws_of(fn):
    """(shader name, defines, input storages) of every draw ``fn`` makes."""
    seen = []
    eng = wt.engine()

    def listener(prog, inputs, size, gpu, wall):
        seen.append((prog.name, dict(prog.defines), [st for _, st in inputs]))

    eng.listeners.append(listener)
    try:
        fn()
    finally:
        eng.listeners.remove(listener)
    return seen


def _check_t(sa, sb, ta, tb):
    """``_check`` with A as a tensor; returns A and the draws made."""
    a = wt.tensor(RNG.standard_normal(sa).astype(np.float32))
    b = RNG.standard_normal(sb).astype(np.float32)
    draws = _draws_of(lambda: wt.matmul(a, b, transpose_a=ta, transpose_b=tb).numpy())
    got = wt.matmul(a, b, transpose_a=ta, transpose_b=tb).numpy()
    k = sa[-2] if ta else sa[-1]
    assert_close(got, _np_matmul(a.numpy(), b, ta, tb), rtol=1e-5,
                 atol=2e-6 * np.sqrt(k) * 4, what=f"{sa} @ {sb}")
    return a, draws


@pytest.mark.parametrize("sa,sb,tb", [
    ((64, 784), (64, 128), False),     # the MLP's weight gradient x^T @ dy
    ((8, 4), (8, 18), False),          # 4 rows per fragment
    ((12, 12), (12, 18), False),       # last 8-row group half past M (second texel clamped)
    ((20, 36), (20, 9), False),        # N unaligned: per-element assembly
    ((16, 28), (22, 16), True),        # B transposed too
    ((3, 16, 36), (3, 16, 38), False),  # batched A and B
    ((16, 36), (3, 16, 38), False),     # A broadcast over B's batch
    ((3, 16, 36), (16, 38), False),     # B broadcast over A's batch
    ((2, 4, 8, 12), (4, 8, 21), False),  # rank 4 with broadcast batch dims
])
def test_transpose_a_read_in_place(sa, sb, tb):
    # K and M multiples of 4, 4 or 8 rows per fragment (N unaligned or a product of
    # 2^18+ multiply-adds): A^T is read as stored, without a repack.
    a, draws = _check_t(sa, sb, True, tb)
    assert not any(n == "matmul_pack" and a.storage in ins for n, _, ins in draws)
    assert any(n == "matmul" and d.get("TRANS_A") == 1 and a.storage in ins
               for n, d, ins in draws)


@pytest.mark.parametrize("sa", [(10, 12), (12, 10), (12, 2), (2, 1, 8, 12)])
def test_transpose_a_packed_when_unaligned(sa):
    # K or M not a multiple of 4, 1-2 rows per fragment, or a batch that needs
    # materialising: A^T is repacked and the kernel reads it untransposed.
    k = sa[-2]
    sb = (3, k, 8) if len(sa) == 4 else (k, 8)
    a, draws = _check_t(sa, sb, True, False)
    assert not any(d.get("TRANS_A") == 1 for n, d, _ in draws)
    assert any(n == "matmul_pack" and a.storage in ins for n, _, ins in draws)



@pytest.mark.parametrize("sa,sb,ta,tb,elem", [
    ((64, 10), (128, 10), False, True, ("A", "B")),   # the MLP's dh: K = 10 in both rows
    ((64, 128), (128, 10), False, False, ("B",)),     # the MLP's 2nd layer: N = 10
    ((64, 128), (64, 10), True, False, ("B",)),       # its weight gradient (A^T in place)
    ((7, 5), (5, 9), False, False, ("A", "B")),       # K and N unaligned, 8 rows
    ((9, 6), (6, 12), False, False, ("A", "B")),      # K unaligned, N aligned: one row
    ((5, 3), (7, 3), False, True, ("A", "B")),        # K = 3: every step is the tail
    ((3, 6, 10), (3, 10, 7), False, False, ("A", "B")),  # batched, element strides
    ((6, 10), (2, 10, 5), False, False, ("A", "B")),     # A broadcast over B's batch
    ((2, 3, 6, 9), (11, 9), False, True, ("A", "B")),     # rank 4, B^T shared
])
def test_unaligned_read_in_place(sa, sb, ta, tb, elem):
    # Small products read rows that do not start on a texel 4 elements at a time (two
    # fetches) instead of repacking them; past K the last step reads zeros.
    a = wt.tensor(RNG.standard_normal(sa).astype(np.float32))
    b = wt.tensor(RNG.standard_normal(sb).astype(np.float32))
    draws = _draws_of(lambda: _check_ab(a, b, ta, tb))
    kern = [d for n, d, _ in draws if n == "matmul"]
    assert [("A" if d["ELEM_A"] else "") + ("B" if d["ELEM_B"] else "") for d in kern] \
        == ["".join(elem)]
    assert not any(n == "matmul_pack" for n, _, _ in draws)


def _check_ab(a, b, ta, tb):
    got = wt.matmul(a, b, transpose_a=ta, transpose_b=tb).numpy()
    want = _np_matmul(a.numpy(), b.numpy(), ta, tb)
    k = a.shape[-2] if ta else a.shape[-1]
    assert_close(got, want, rtol=1e-5, atol=2e-6 * np.sqrt(k) * 4)


@pytest.mark.parametrize("tb", [False, True])
def test_unaligned_tail_ignores_next_row(tb):
    # With K = 5 a row's last step also fetches the first elements of the next row; Inf
    # there must read as zero (Inf * 0 would be NaN), so only numpy's NaN/Inf appear.
    a = RNG.standard_normal((6, 5)).astype(np.float32)
    b = RNG.standard_normal((5, 7)).astype(np.float32)
    a[3, 0] = np.inf
    if tb:
        b = np.ascontiguousarray(b.T)
        b[4, 0] = -np.inf
    else:
        b[1, 0] = -np.inf
    with np.errstate(invalid="ignore"):
        want = _np_matmul(a, b, False, tb)
    got = wt.matmul(a, b, transpose_b=tb).numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    fin = np.isfinite(want)
    assert_close(got[fin], want[fin], rtol=1e-5, atol=1e-5)


def test_unaligned_large_is_packed():
    # Past _ELEM_UPTO multiply-adds the repack (one fetch per step) pays again.
    draws = _draws_of(lambda: _check((70, 130), (130, 90)))
    assert any(n == "matmul_pack" for n, _, _ in draws)
    assert not any(d.get("ELEM_A") or d.get("ELEM_B") for n, d, _ in draws if n == "matmul")
