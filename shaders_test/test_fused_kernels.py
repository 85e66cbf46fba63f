"""The fused kernels' programs: every epilogue and mode compiles and matches numpy."""

import numpy as np
import pytest

import webtensor as wt
from webtensor import registry
from webtensor.tensor import apply
from webtensor.testing import assert_close, check_gradients

RNG = np.random.default_rng(9)


@pytest.mark.parametrize("m,k,n", [(1, 4, 4), (8, 12, 16), (70, 33, 9), (64, 784, 128)])
@pytest.mark.parametrize("act", ["linear", "relu"])
def test_fused_matmul_paths(m, k, n, act):
    a = RNG.standard_normal((m, k)).astype(np.float32)
    b = RNG.standard_normal((k, n)).astype(np.float32)
    bias = RNG.standard_normal(n).astype(np.float32)
    got = wt.tidy(lambda: apply("fused_matmul", [wt.tensor(a), wt.tensor(b), wt.tensor(bias)],
                                activation=act).numpy())
    want = registry.get("fused_matmul").reference(a.astype(np.float64), b, bias,
                                                  activation=act)
    assert_close(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("act", ["relu", "relu6", "elu", "sigmoid"])
def test_fused_activation_grad_gradients(act):
    ref = registry.get("fused_activation_grad").reference
    dy = RNG.standard_normal((3, 4))
    y = RNG.uniform(0.1, 0.9, (3, 4)) * (-1 if act == "elu" else 1)  # away from kinks
    check_gradients(lambda d, v: apply("fused_activation_grad", [d, v], activation=act),
                    lambda d, v: ref(d, v, act), [dy, y])


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("c", [5, 40])
def test_softmax_cross_entropy_grad_gradients(reduction, c):
    ref = registry.get("softmax_cross_entropy_grad").reference
    labels = RNG.uniform(0, 1, (3, c))
    logits = RNG.standard_normal((3, c))
    dy = RNG.uniform(0.5, 1.5, (3,) if reduction == "none" else ())
    check_gradients(
        lambda d, y, z: apply("softmax_cross_entropy_grad", [d, y, z], epsilon=0.0,
                              reduction=reduction),
        lambda d, y, z: ref(d, y, z, 0.0, reduction), [dy, labels, logits])


def test_softmax_cross_entropy_big_input_modes():
    labels = np.eye(50, dtype=np.float32)[RNG.integers(0, 50, 400)]
    logits = RNG.standard_normal((400, 50)).astype(np.float32) * 3
    for red in ("mean", "sum", "none"):
        got = wt.tidy(lambda red=red: wt.softmax_cross_entropy(labels, logits, 1e-7, red).numpy())
        want = registry.get("softmax_cross_entropy").reference(
            labels.astype(np.float64), logits.astype(np.float64), 1e-7, red)
        assert_close(got, want, rtol=1e-5, atol=1e-5)
