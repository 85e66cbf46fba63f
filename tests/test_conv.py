"""conv1d, conv2d, depthwise_conv2d, conv2d_transpose: values, shapes, errors, gradients."""

import itertools

import numpy as np
import pytest

import webtensor as wt
from webtensor.ops.conv import (
    ref_conv2d,
    ref_conv2d_backprop_input,
    ref_depthwise_conv2d,
)
from webtensor.testing import assert_close, check_gradients

RNG = np.random.default_rng(1234)
TOL = {"rtol": 1e-4, "atol": 1e-4}


def rand(*shape, scale=1.0):
    return (RNG.uniform(-1, 1, shape) * scale).astype(np.float32)


def tf_pads(padding, in_hw, k_hw, strides, dilations):
    """TF's padding rule written independently: (top, bottom, left, right)."""
    if padding == "valid":
        return (0, 0, 0, 0)
    out = []
    for size, k, s, d in zip(in_hw, k_hw, strides, dilations):
        total = max((int(np.ceil(size / s)) - 1) * s + (k - 1) * d + 1 - size, 0)
        out += [total // 2, total - total // 2]
    return tuple(out)


def naive_conv2d(x, f, strides, dilations, pads):
    """Direct six-loop conv2d in float64, the reference of the reference."""
    b, h, w, c = x.shape
    kh, kw, _, co = f.shape
    oh = (h + pads[0] + pads[1] - (kh - 1) * dilations[0] - 1) // strides[0] + 1
    ow = (w + pads[2] + pads[3] - (kw - 1) * dilations[1] - 1) // strides[1] + 1
    out = np.zeros((b, oh, ow, co))
    for n, i, j, p, q in itertools.product(range(b), range(oh), range(ow), range(kh), range(kw)):
        ih = i * strides[0] - pads[0] + p * dilations[0]
        iw = j * strides[1] - pads[2] + q * dilations[1]
        if 0 <= ih < h and 0 <= iw < w:
            out[n, i, j] += x[n, ih, iw].astype(np.float64) @ f[p, q].astype(np.float64)
    return out


def test_reference_matches_naive_loops():
    x, f = rand(2, 6, 7, 3), rand(3, 2, 3, 5)
    for strides, dil, pads in [((1, 1), (1, 1), (1, 1, 0, 1)), ((2, 1), (1, 1), (0, 0, 0, 0)),
                               ((1, 1), (2, 2), (2, 2, 1, 1))]:
        np.testing.assert_allclose(ref_conv2d(x, f, strides, dil, pads),
                                   naive_conv2d(x, f, strides, dil, pads), rtol=1e-12)


GRID = [
    (s, p, d)
    for s in (1, 2, (2, 1))
    for p in ("same", "valid")
    for d in (1, 2, (1, 2))
    if s == 1 or d == 1
]


@pytest.mark.parametrize("strides,padding,dilations", GRID)
def test_conv2d_grid(strides, padding, dilations):
    s2 = (strides, strides) if isinstance(strides, int) else strides
    d2 = (dilations, dilations) if isinstance(dilations, int) else dilations
    for xs, fs in [((2, 9, 11, 5), (3, 3, 5, 8)), ((3, 7, 10, 4), (2, 3, 4, 6)),
                   ((2, 6, 5, 8), (1, 1, 8, 4))]:
        x, f = rand(*xs), rand(*fs)
        pads = tf_pads(padding, xs[1:3], fs[:2], s2, d2)
        want = naive_conv2d(x, f, s2, d2, pads)
        got = wt.conv2d(x, f, strides, padding, dilations)
        assert_close(got, want, **TOL, what=f"conv2d {xs} {fs}")


def test_conv2d_same_output_is_ceil():
    x, f = rand(1, 7, 9, 4), rand(3, 4, 4, 4)
    for s in (1, 2, 3):
        y = wt.conv2d(x, f, s, "same")
        assert y.shape == (1, -(-7 // s), -(-9 // s), 4)


def test_conv2d_filter_larger_than_input_same():
    x, f = rand(2, 3, 2, 4), rand(5, 5, 4, 8)
    want = naive_conv2d(x, f, (1, 1), (1, 1), tf_pads("same", (3, 2), (5, 5), (1, 1), (1, 1)))
    assert_close(wt.conv2d(x, f, 1, "same"), want, **TOL)


def test_conv2d_bench_shape():
    x, f = rand(8, 64, 64, 16), rand(3, 3, 16, 32, scale=0.1)
    assert_close(wt.conv2d(x, f, 1, "same"), ref_conv2d(x, f, pads=(1, 1, 1, 1)), **TOL)


def test_conv2d_explicit_and_numeric_padding():
    x, f = rand(1, 6, 7, 3), rand(3, 3, 3, 4)
    got = wt.conv2d(x, f, 1, [[0, 0], [2, 0], [1, 3], [0, 0]])
    assert_close(got, naive_conv2d(x, f, (1, 1), (1, 1), (2, 0, 1, 3)), **TOL)
    got = wt.conv2d(x, f, 2, 1)
    assert_close(got, naive_conv2d(x, f, (2, 2), (1, 1), (1, 1, 1, 1)), **TOL)


def test_conv2d_rank3_and_method():
    x, f = rand(5, 6, 4), rand(3, 3, 4, 4)
    y = wt.conv2d(x, f, 1, "valid")
    assert y.shape == (3, 4, 4)
    assert_close(y, naive_conv2d(x[None], f, (1, 1), (1, 1), (0, 0, 0, 0))[0], **TOL)
    assert_close(wt.tensor(x).conv2d(f, 1, "valid"), y.numpy(), **TOL)


def test_conv2d_int_input_is_float():
    x = wt.tensor(np.arange(16).reshape(1, 4, 4, 1), dtype="int32")
    y = wt.conv2d(x, np.ones((2, 2, 1, 1), np.float32), 2, "valid")
    assert y.dtype == "float32"
    assert y.numpy().ravel().tolist() == [10.0, 18.0, 42.0, 50.0]


def test_conv1d():
    x, f = rand(3, 17, 5), rand(4, 5, 6)
    for stride, padding, dil in [(1, "same", 1), (2, "valid", 1), (1, "same", 2), (3, "same", 1)]:
        pads = tf_pads(padding, (1, 17), (1, 4), (1, stride), (1, dil))
        want = naive_conv2d(x[:, None], f[None], (1, stride), (1, dil), pads)[:, 0]
        assert_close(wt.conv1d(x, f, stride, padding, dil), want, **TOL,
                     what=f"conv1d {stride} {padding} {dil}")
    y = wt.conv1d(x[0], f, 1, "valid")
    assert y.shape == (14, 6)


@pytest.mark.parametrize("strides,padding,dilations", GRID)
def test_depthwise_grid(strides, padding, dilations):
    s2 = (strides, strides) if isinstance(strides, int) else strides
    d2 = (dilations, dilations) if isinstance(dilations, int) else dilations
    for xs, fs in [((2, 9, 8, 4), (3, 3, 4, 1)), ((1, 7, 10, 3), (2, 3, 3, 2)),
                   ((2, 5, 6, 2), (3, 2, 2, 3))]:
        x, f = rand(*xs), rand(*fs)
        pads = tf_pads(padding, xs[1:3], fs[:2], s2, d2)
        # independent check: depthwise == conv2d per input channel with its M filters
        want = np.concatenate([naive_conv2d(x[..., c:c + 1], f[:, :, c:c + 1, :], s2, d2, pads)
                               for c in range(xs[3])], axis=-1)
        np.testing.assert_allclose(ref_depthwise_conv2d(x, f, s2, d2, pads), want, rtol=1e-10)
        got = wt.depthwise_conv2d(x, f, strides, padding, dilations)
        assert_close(got, want, **TOL, what=f"depthwise {xs} {fs}")


def test_depthwise_rank3():
    x, f = rand(6, 6, 4), rand(3, 3, 4, 2)
    y = wt.depthwise_conv2d(x, f, 1, "same")
    assert y.shape == (6, 6, 8)
    assert_close(y, ref_depthwise_conv2d(x[None], f, pads=(1, 1, 1, 1))[0], **TOL)


@pytest.mark.parametrize("strides,padding", [(1, "same"), (2, "same"), (2, "valid"),
                                             (1, "valid"), (3, "same")])
def test_conv2d_transpose_is_adjoint_of_conv2d(strides, padding):
    out_shape = (2, 9, 8, 5)
    f = rand(3, 3, 5, 4)  # [h, w, out, in]
    s2 = (strides, strides)
    pads = tf_pads(padding, out_shape[1:3], (3, 3), s2, (1, 1))
    y_shape = ref_conv2d(np.zeros(out_shape), f, s2, (1, 1), pads).shape
    x = rand(*y_shape)
    got = wt.conv2d_transpose(x, f, out_shape, strides, padding)
    assert got.shape == out_shape
    assert_close(got, ref_conv2d_backprop_input(x, f, out_shape, s2, (1, 1), pads), **TOL)
    # <conv2d(z, f), x> == <z, conv2d_transpose(x, f)>
    z = rand(*out_shape)
    lhs = np.sum(naive_conv2d(z, f, s2, (1, 1), pads) * x)
    np.testing.assert_allclose(np.sum(got.numpy() * z), lhs, rtol=1e-4)


def test_conv2d_transpose_rank3():
    x, f = rand(3, 3, 2), rand(2, 2, 3, 2)
    y = wt.conv2d_transpose(x, f, [6, 6, 3], 2, "valid")
    assert y.shape == (6, 6, 3)
    want = ref_conv2d_backprop_input(x[None], f, (1, 6, 6, 3), (2, 2), (1, 1), (0, 0, 0, 0))
    assert_close(y, want[0], **TOL)


@pytest.mark.parametrize("call,message", [
    (lambda: wt.conv2d(rand(1, 5, 5, 3), rand(3, 3, 4, 2), 1, "same"), "depth of input"),
    (lambda: wt.conv2d(rand(5, 5), rand(3, 3, 1, 2), 1, "same"), "rank 4"),
    (lambda: wt.conv2d(rand(1, 5, 5, 3), rand(3, 3, 3), 1, "same"), "filter must be rank 4"),
    (lambda: wt.conv2d(rand(1, 5, 5, 3), rand(3, 3, 3, 2), 1, "full"), "padding"),
    (lambda: wt.conv2d(rand(1, 5, 5, 3), rand(3, 3, 3, 2), 2, "same", 2), "strides or dilations"),
    (lambda: wt.conv2d(rand(1, 5, 5, 3), rand(3, 3, 3, 2), 0, "same"), "strides"),
    (lambda: wt.conv2d(rand(1, 2, 2, 3), rand(3, 3, 3, 2), 1, "valid"), "does not fit"),
    (lambda: wt.depthwise_conv2d(rand(1, 5, 5, 3), rand(3, 3, 2, 2), 1, "same"),
     "depth of input"),
    (lambda: wt.depthwise_conv2d(rand(1, 5, 5, 2), rand(3, 3, 2, 2), (2, 1), "same", (1, 2)),
     "strides or dilations"),
    (lambda: wt.conv1d(rand(1, 5, 5, 3), rand(3, 3, 2), 1, "same"), "rank 3"),
    (lambda: wt.conv1d(rand(1, 5, 3), rand(3, 2, 2), 1, "same"), "depth of input"),
    (lambda: wt.conv2d_transpose(rand(1, 3, 3, 2), rand(2, 2, 3, 2), [1, 8, 8, 3], 2, "same"),
     "gives"),
    (lambda: wt.conv2d_transpose(rand(1, 3, 3, 2), rand(2, 2, 3, 2), [1, 6, 6, 4], 2, "same"),
     "output depth"),
])
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_error_names_op_and_shapes():
    with pytest.raises(ValueError) as info:
        wt.conv2d(rand(1, 5, 5, 3), rand(3, 3, 4, 2), 1, "same")
    text = str(info.value)
    assert text.startswith("conv2d:") and "[1, 5, 5, 3]" in text and "[3, 3, 4, 2]" in text


def test_second_call_other_shapes_compiles_nothing():
    wt.conv2d(rand(2, 9, 10, 8), rand(3, 3, 8, 8), 1, "same").dispose()
    programs = wt.engine().programs
    before = programs.compiles
    wt.conv2d(rand(3, 12, 17, 4), rand(3, 2, 4, 12), 1, "valid").dispose()
    wt.conv2d(rand(1, 6, 9, 12), rand(2, 3, 12, 4), 1, "same").dispose()
    assert programs.compiles == before


# -- gradients ---------------------------------------------------------------------
GRAD_CASES = [
    ((2, 5, 6, 3), (3, 3, 3, 4), 1, "same", 1),
    ((1, 7, 5, 4), (3, 2, 4, 4), 2, "same", 1),
    ((2, 6, 7, 2), (2, 3, 2, 3), 2, "valid", 1),
    ((1, 7, 7, 4), (3, 3, 4, 5), 1, "same", 2),
    ((1, 8, 6, 3), (3, 3, 3, 2), 1, "valid", 2),
]


def _pads(xs, fs, s, p, d):
    return tf_pads(p, xs[1:3], fs[:2], (s, s), (d, d))


@pytest.mark.parametrize("xs,fs,s,p,d", GRAD_CASES)
def test_conv2d_gradients(xs, fs, s, p, d):
    pads = _pads(xs, fs, s, p, d)
    check_gradients(lambda x, f: wt.conv2d(x, f, s, p, d),
                    lambda x, f: ref_conv2d(x, f, (s, s), (d, d), pads), [rand(*xs), rand(*fs)])


@pytest.mark.parametrize("xs,fs,s,p,d", GRAD_CASES)
def test_depthwise_gradients(xs, fs, s, p, d):
    fs = (*fs[:3], 2)
    pads = _pads(xs, fs, s, p, d)
    check_gradients(lambda x, f: wt.depthwise_conv2d(x, f, s, p, d),
                    lambda x, f: ref_depthwise_conv2d(x, f, (s, s), (d, d), pads),
                    [rand(*xs), rand(*fs)])


@pytest.mark.parametrize("out_shape,fs,s,p", [((1, 6, 5, 3), (3, 3, 3, 4), 2, "same"),
                                              ((2, 5, 5, 2), (2, 3, 2, 3), 1, "valid"),
                                              ((1, 7, 7, 4), (3, 3, 4, 4), 2, "valid")])
def test_conv2d_transpose_gradients(out_shape, fs, s, p):
    pads = tf_pads(p, out_shape[1:3], fs[:2], (s, s), (1, 1))
    xs = ref_conv2d(np.zeros(out_shape), np.zeros(fs), (s, s), (1, 1), pads).shape[:3] + (fs[3],)
    check_gradients(lambda x, f: wt.conv2d_transpose(x, f, out_shape, s, p),
                    lambda x, f: ref_conv2d_backprop_input(x, f, out_shape, (s, s), (1, 1), pads),
                    [rand(*xs), rand(*fs)])


@pytest.mark.parametrize("stride,padding,dil", [(1, "same", 1), (2, "valid", 1), (1, "same", 2)])
def test_conv1d_gradients(stride, padding, dil):
    xs, fs = (2, 9, 3), (3, 3, 4)
    pads = tf_pads(padding, (1, 9), (1, 3), (1, stride), (1, dil))
    check_gradients(lambda x, f: wt.conv1d(x, f, stride, padding, dil),
                    lambda x, f: ref_conv2d(x[:, None], f[None], (1, stride), (1, dil), pads)[:, 0],
                    [rand(*xs), rand(*fs)])


def test_conv2d_second_order():
    # d/dx of sum(conv2d(x, f) ** 2) = 2 * conv2d_backprop_input(conv2d(x, f), f); its own
    # gradients go through every kernel of the conv2d family.
    xs, fs, pads = (1, 5, 6, 2), (3, 3, 2, 3), (1, 1, 1, 1)

    def fn(x, f):
        return wt.grad(lambda z: wt.mul(wt.conv2d(z, f, 1, "same"),
                                        wt.conv2d(z, f, 1, "same")))(x)

    def fn_np(x, f):
        return 2 * ref_conv2d_backprop_input(ref_conv2d(x, f, pads=pads), f, xs, pads=pads)

    check_gradients(fn, fn_np, [rand(*xs), rand(*fs)])


def test_depthwise_second_order():
    xs, fs, pads = (1, 5, 5, 2), (3, 3, 2, 2), (0, 0, 0, 0)

    def fn(x, f):
        y = wt.depthwise_conv2d(x, f, 1, "valid")
        return wt.grads(lambda z, g: wt.mul(wt.depthwise_conv2d(z, g, 1, "valid"), y))([x, f])[1]

    def fn_np(x, f):
        from webtensor.ops.conv import ref_depthwise_conv2d_backprop_filter
        y = ref_depthwise_conv2d(x, f, pads=pads)
        return ref_depthwise_conv2d_backprop_filter(x, y, fs, pads=pads)

    check_gradients(fn, fn_np, [rand(*xs), rand(*fs)])
