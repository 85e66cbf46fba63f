"""Helpers for testing ops: leak checks, numpy comparison, finite-difference gradients."""

from __future__ import annotations

import contextlib
import gc

import numpy as np

from .scope import memory


def _in_use() -> tuple[int, int]:
    gc.collect()
    m = memory()
    return m.num_tensors, m.num_bytes_in_gpu - m.num_bytes_in_pool


@contextlib.contextmanager
def no_leaks(what: str = "block"):
    """Assert that live tensors and texture bytes in use return to where they were.

    Example:
        >>> import webtensor as wt
        >>> from webtensor.testing import no_leaks
        >>> with no_leaks():
        ...     wt.tidy(lambda: wt.ones([3]).add(1)).dispose()
    """
    before = _in_use()
    yield
    after = _in_use()
    if after != before:
        raise AssertionError(
            f"{what} leaked: (tensors, texture bytes in use) went from {before} to {after}"
        )


def assert_close(actual, expected, rtol: float = 1e-5, atol: float = 1e-6, what: str = ""):
    """Compare a tensor (or array) with a numpy expectation; NaNs must match NaNs.

    Example:
        >>> import webtensor as wt
        >>> from webtensor.testing import assert_close
        >>> assert_close(wt.tensor([1.0, float("nan")]), [1.0, float("nan")])
    """
    got = actual.numpy() if getattr(actual, "_is_tensor", False) else np.asarray(actual)
    want = np.asarray(expected)
    if got.shape != want.shape:
        raise AssertionError(f"{what}: shape {got.shape} != expected {want.shape}")
    if want.dtype == bool or got.dtype == bool:
        np.testing.assert_array_equal(got, want, err_msg=what)
        return
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol,
                               atol=atol, equal_nan=True, err_msg=what)


def numeric_grads(f_np, xs: list[np.ndarray], dy: np.ndarray | None = None,
                  eps: float = 1e-3) -> list[np.ndarray]:
    """Central differences of ``sum(f_np(*xs) * dy)`` in float64 numpy.

    Example:
        >>> import numpy as np
        >>> from webtensor.testing import numeric_grads
        >>> numeric_grads(lambda x: x ** 2, [np.array([3.0])])[0].round(6).tolist()
        [6.0]
    """
    xs = [np.array(x, dtype=np.float64) for x in xs]
    base = np.asarray(f_np(*xs), dtype=np.float64)
    w = np.ones_like(base) if dy is None else np.asarray(dy, dtype=np.float64)
    out = []
    for x in xs:
        g = np.zeros_like(x)
        flat, gflat = x.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            hi = np.sum(np.asarray(f_np(*xs), dtype=np.float64) * w)
            flat[i] = old - eps
            lo = np.sum(np.asarray(f_np(*xs), dtype=np.float64) * w)
            flat[i] = old
            gflat[i] = (hi - lo) / (2 * eps)
        out.append(g)
    return out


def check_gradients(fn, fn_np, inputs: list[np.ndarray], rtol: float = 2e-2,
                    atol: float = 2e-3, eps: float = 1e-3, seed: int = 0) -> None:
    """Compare ``wt.grads(fn)`` with float64 central differences of ``fn_np``.

    A random ``dy`` weights the output so that every output element matters.

    Example:
        >>> import numpy as np, webtensor as wt
        >>> from webtensor.testing import check_gradients
        >>> check_gradients(lambda x: wt.exp(x), np.exp, [np.array([0.5, -1.0])])
    """
    from .gradients import grads
    from .scope import tidy
    from .tensor import convert

    rng = np.random.default_rng(seed)
    out_shape = np.shape(fn_np(*[np.asarray(x, np.float64) for x in inputs]))
    dy = rng.uniform(0.5, 1.5, size=out_shape)
    want = numeric_grads(fn_np, inputs, dy, eps)

    def run():
        xs = [convert(np.asarray(x, np.float32)) for x in inputs]
        return grads(fn)(xs, convert(dy.astype(np.float32)))

    got = tidy(run)
    try:
        for i, (g, w) in enumerate(zip(got, want)):
            assert_close(g, w, rtol=rtol, atol=atol, what=f"gradient of input {i}")
    finally:
        for g in got:
            g.dispose()
