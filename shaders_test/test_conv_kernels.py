"""Edge cases of the convolution kernels: every code path of each shader, NaN, texture sizes.

The registry cases (shaders_test/test_registry_kernels.py) cover the common paths; these
pin down the ones chosen by shape: conv2d_tiled (8 pixels per fragment) with rows that
end mid-tile, its window (SLIDE) and strided variants, the generic per-element paths,
and the sliced partial sums of the filter gradients.
"""

import numpy as np
import pytest

import webtensor as wt
from webtensor.ops import conv
from webtensor.tensor import apply
from webtensor.testing import assert_close

RNG = np.random.default_rng(99)
TOL = {"rtol": 1e-4, "atol": 1e-4}


def rand(*shape):
    return RNG.uniform(-1, 1, shape).astype(np.float32)


def run(kernel, args, **attrs):
    return wt.tidy(lambda: apply(kernel, [wt.tensor(a) for a in args], **attrs).numpy())


GEOS = [((1, 1), (1, 1), (1, 1, 1, 1)), ((2, 2), (1, 1), (0, 1, 0, 1)),
        ((1, 1), (2, 2), (2, 2, 2, 2)), ((1, 2), (1, 1), (1, 1, 0, 2)),
        ((1, 1), (1, 1), (3, 0, 2, 4))]  # pads larger than the filter


@pytest.mark.parametrize("ow", [4, 5, 8, 9, 13, 16, 17])
@pytest.mark.parametrize("c,co", [(4, 4), (3, 8), (8, 12), (1, 64)])
def test_conv2d_tiled_row_ends(ow, c, co):
    """Output rows of every length mod 8 through the 8-pixel tiles; C with and without vec4."""
    x, f = rand(2, 5, ow + 2, c), rand(3, 3, c, co)
    for strides, dil, pads in GEOS:
        geo = {"strides": strides, "dilations": dil, "pads": pads}
        assert_close(run("conv2d", [x, f], **geo), conv.ref_conv2d(x, f, **geo), **TOL,
                     what=f"ow={ow} c={c} co={co} {geo}")


@pytest.mark.parametrize("kw", [1, 2, 3, 4, 5, 6, 7, 9])
def test_conv2d_filter_widths(kw):
    """Each window width bucket of the SLIDE path (1, 3, 5, 7) and beyond it."""
    x, f = rand(1, 6, 19, 4), rand(2, kw, 4, 8)
    for pads in [(0, 0, 0, 0), (1, 0, kw // 2, kw - 1 - kw // 2)]:
        geo = {"strides": (1, 1), "dilations": (1, 1), "pads": pads}
        assert_close(run("conv2d", [x, f], **geo), conv.ref_conv2d(x, f, **geo), **TOL,
                     what=f"kw={kw} pads={pads}")


@pytest.mark.parametrize("kernel", ["conv2d", "depthwise_conv2d"])
def test_nan_spreads_only_through_its_windows(kernel):
    x = rand(1, 9, 12, 4)
    x[0, 4, 6, 1] = np.nan
    m = 2 if kernel == "depthwise_conv2d" else 8
    f = rand(3, 3, 4, m)
    ref = conv.ref_conv2d if kernel == "conv2d" else conv.ref_depthwise_conv2d
    geo = {"strides": (1, 1), "dilations": (1, 1), "pads": (1, 1, 1, 1)}
    got = run(kernel, [x, f], **geo)
    want = ref(x, f, **geo)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    assert np.isnan(got).any() and not np.isnan(got).all()
    assert_close(got, want, **TOL)


def test_nan_in_filter_marks_its_output_channel():
    x, f = rand(2, 6, 10, 4), rand(3, 3, 4, 8)
    f[1, 1, 2, 5] = np.nan
    geo = {"strides": (1, 1), "dilations": (1, 1), "pads": (1, 1, 1, 1)}
    got = run("conv2d", [x, f], **geo)
    assert np.isnan(got[..., 5]).all()
    assert not np.isnan(np.delete(got, 5, axis=-1)).any()


@pytest.mark.parametrize("texels", [1023, 1024, 1025, 4097])
def test_texture_width_boundaries(texels):
    """Outputs whose texel counts sit at power-of-two texture widths."""
    x, f = rand(1, 1, texels + 2, 3), rand(1, 3, 3, 4)
    geo = {"strides": (1, 1), "dilations": (1, 1), "pads": (0, 0, 0, 0)}
    assert_close(run("conv2d", [x, f], **geo), conv.ref_conv2d(x, f, **geo), **TOL)


@pytest.mark.parametrize("c,co", [(4, 8), (3, 5), (8, 6), (5, 4)])
def test_backprop_paths(c, co):
    x, f = rand(3, 7, 6, c), rand(3, 2, c, co)
    for strides, dil, pads in GEOS:
        geo = {"strides": strides, "dilations": dil, "pads": pads}
        dy = rand(*conv.ref_conv2d(x, f, **geo).shape)
        assert_close(run("conv2d_backprop_input", [dy, f], x_shape=x.shape, **geo),
                     conv.ref_conv2d_backprop_input(dy, f, x.shape, **geo), **TOL)
        assert_close(run("conv2d_backprop_filter", [x, dy], filter_shape=f.shape, **geo),
                     conv.ref_conv2d_backprop_filter(x, dy, f.shape, **geo), **TOL)


@pytest.mark.parametrize("c,m", [(4, 1), (3, 1), (2, 2), (3, 4), (5, 3)])
def test_depthwise_paths(c, m):
    x, f = rand(2, 7, 9, c), rand(3, 3, c, m)
    for strides, dil, pads in GEOS:
        geo = {"strides": strides, "dilations": dil, "pads": pads}
        assert_close(run("depthwise_conv2d", [x, f], **geo),
                     conv.ref_depthwise_conv2d(x, f, **geo), **TOL)
        dy = rand(*conv.ref_depthwise_conv2d(x, f, **geo).shape)
        assert_close(run("depthwise_conv2d_backprop_input", [dy, f], x_shape=x.shape, **geo),
                     conv.ref_depthwise_conv2d_backprop_input(dy, f, x.shape, **geo), **TOL)
        assert_close(run("depthwise_conv2d_backprop_filter", [x, dy], filter_shape=f.shape,
                         **geo),
                     conv.ref_depthwise_conv2d_backprop_filter(x, dy, f.shape, **geo), **TOL)


@pytest.mark.parametrize("rows", [1, 7, 8, 33, 200])
def test_filter_gradient_slices(rows):
    """B * OH rows cut into slices of partial sums (1 slice for few rows), odd filter sizes."""
    x, f = rand(1, rows, 5, 3), rand(1, 3, 3, 3)
    geo = {"strides": (1, 1), "dilations": (1, 1), "pads": (0, 0, 1, 1)}
    dy = rand(1, rows, 5, 3)
    assert conv._filter_slices(rows, f.size) >= (2 if rows >= 8 else 1)
    assert_close(run("conv2d_backprop_filter", [x, dy], filter_shape=f.shape, **geo),
                 conv.ref_conv2d_backprop_filter(x, dy, f.shape, **geo), rtol=1e-4, atol=3e-4)


def test_zero_batch():
    x, f = np.zeros((0, 5, 5, 4), np.float32), rand(3, 3, 4, 8)
    y = wt.conv2d(x, f, 1, "same")
    assert y.shape == (0, 5, 5, 8)


def test_filter_gradient_tiled_uneven_slices():
    """4 x 4 outer-product filter gradient: several rows per slice, a short last slice."""
    x, f = rand(3, 27, 12, 8), rand(3, 3, 8, 16)
    geo = {"strides": (1, 1), "dilations": (1, 1), "pads": (1, 1, 1, 1)}
    dy = rand(3, 27, 12, 16)
    assert_close(run("conv2d_backprop_filter", [x, dy], filter_shape=f.shape, **geo),
                 conv.ref_conv2d_backprop_filter(x, dy, f.shape, **geo), rtol=1e-4, atol=5e-4)
