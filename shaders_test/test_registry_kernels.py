"""Every registered kernel against its numpy reference, driven by the registry.

A kernel opts in with ``cases``: a function returning ``[(args, attrs), ...]``
where args are numpy arrays (become tensors) or Python numbers (passed as is).
Elementwise kernels are covered in ``test_elementwise_kernels.py``.
"""

import numpy as np
import pytest

import webtensor as wt
from webtensor import registry
from webtensor.tensor import apply
from webtensor.testing import assert_close

CASES = [
    pytest.param(k, i, id=f"{k.name}-{i}")
    for k in registry.kernels()
    if k.cases is not None
    for i in range(len(k.cases()))
]


@pytest.mark.parametrize("kernel,index", CASES)
def test_kernel_matches_numpy(kernel, index):
    args, attrs = kernel.cases()[index]

    def run():
        tensors = [wt.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        out = apply(kernel.name, tensors, **attrs)
        return [o.numpy() for o in out] if isinstance(out, (list, tuple)) else out.numpy()

    got = wt.tidy(run)
    np_args = [a.astype(np.float64) if isinstance(a, np.ndarray) and a.dtype == np.float32
               else a for a in args]
    want = kernel.reference(*np_args, **attrs)
    rtol, atol = kernel.tolerance
    if isinstance(got, list):
        for g, w in zip(got, want):
            assert_close(g, w, rtol=rtol, atol=atol, what=kernel.name)
    else:
        assert_close(got, np.asarray(want).astype(got.dtype) if got.dtype != np.float32
                     else want, rtol=rtol, atol=atol, what=kernel.name)
