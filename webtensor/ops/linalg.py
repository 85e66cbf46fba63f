"""Linear algebra: matmul (and the ``@`` operator), dot, outer.

One kernel, ``matmul``, for rank >= 2 operands with numpy broadcasting of the batch
dims; rank-1 operands are reshaped around it as numpy does. Its forward draws up to
four programs:

1. ``matmul_pack`` (only when needed) re-lays an operand as a dense zero-padded block:
   A as [batch, M, Kp], B as [batch, N, Kp] (B transposed), Kp = K rounded up to 4.
   Not needed for A^T with K and M multiples of 4 (the kernel reads 4 rows at one k per
   texel, TRANS_A: as many fetches), nor for operands of small products whose rows do
   not start on a texel (ELEM_A / ELEM_B: 4 elements from any offset in two fetches,
   the k past K of the last step read as zeros).
2. ``matmul`` computes ROWS (up to 8) consecutive rows x 4 columns of C per fragment,
   one render target per row: a vec4 of A times a 4x4 block of B per step of 4 along k.
3. ``matmul_assemble`` interleaves the ROWS targets into C (skipped when ROWS is 1 and
   N is a multiple of 4).

Measured on llvmpipe (2 cores shared with other jobs, default LP_NUM_THREADS), float32,
dependent chains of distinct outputs read back, square n x n:

====  =========  ==========================================================
n     total      of which
====  =========  ==========================================================
256   4.6 ms     matmul 4.3 (one 64x64 llvmpipe tile: one thread), pack 0.4,
                 assemble 0.4
512   15-17 ms   matmul 14.7, pack B 0.8, assemble 0.9
1024  120-153 ms matmul 115, pack B 3.3, assemble 3.2 (16 GFLOP/s in the kernel)
====  =========  ==========================================================

Variants measured at 1024 (kernel only): 8 rows mg apart (a concatenation to
assemble) 273 ms against 140 ms for 8 consecutive rows; B read as [K, N] (4 rows
4 KB apart per step) 140 ms against 121 ms for B transposed to [N, K]; padding row
strides against 4 KB aliasing, and per-row texel coordinates (one add per fetch
instead of add/and/shift): no change in CPU time. The kernel is bound by texel
fetches (gathers without AVX2), 12 per 128 multiply-adds.

When the render targets would fit one 64x64 llvmpipe tile (256^3: 2048 texels), only
one rasteriser thread works; they are then padded to the first size that llvmpipe lays
out 2 tiles wide (fragments past the work skip the loop): 256^3 kernel 4.0 -> 2.2 ms,
total 4.4 -> 2.7 ms (minimum of 40, the second core free; equal medians when another
job holds it). 4 tiles instead of 2 was slower at 256 (2.45 ms) and equal at 512; below
2^23 multiply-adds (128^3: 1.5 -> 1.8 ms) the padding costs more than it saves.

The MLP benchmark step (batch 64, 784 -> 128 -> 10) has two products of 6.4M
multiply-adds whose targets fit one tile (x @ W1 and the weight gradient x^T @ dy):
spreading them (threshold lowered from 2^23 to 2^22) took x @ W1 from 2.0 to 1.25 ms
with the second core free (no change when another job holds it); reading x^T in place
saved the 0.19 ms repack, and the in-place unaligned reads saved 4 small draws
(~0.1 ms each on an idle machine, where every draw pays for waking llvmpipe's
threads). Step: 7.4 -> 5.1-5.3 ms idle. Padding to 4 tiles (one fragment row per 4x2
shading block, half the lanes idle) made the step slower (6.5 ms); branch-free or
loop-guarded target selection in the assembly does not help: llvmpipe runs the masked
fetches of all 8 targets even when every lane of a block picks the same one.

Measured and rejected at 1024^3 (CPU ms of the kernel, back to back, both cores):
A^T [K, M] x B [K, N] as 4 rows x 1 k and 4 columns x 1 k per fetch (2 + 1 fetches per
32 multiply-adds, the same ratio) 399 against 235; A and B pre-packed as 8-row / 4-row
blocks contiguous along k 228-238 against 230-235; coordinates shared per block line
with constant offsets (texelFetchOffset too) 225-229 against 231; the k loop unrolled
by 2 223-233 against 231-237. Probes: without the 4 fetches of B 180, without the 8 of
A 93: each texel fetch costs llvmpipe ~40 cycles per 8 fragments, the multiply-adds
little, so no layout that keeps 12 fetches per 128 multiply-adds gains much, and 8
render targets of vec4 cap the outputs per fragment at 32 (8x4 is the best ratio).

Other sources for one operand, measured with standalone prototypes (1024^3, whole
product, wall ms): B in a uniform block, 32 columns x 64 k per draw with constant
offsets (the k loop fully unrolled; one draw per column block and k chunk, summed by
additive blending) 304 ms; a plain uniform array 310 ms. Mesa 22.3's llvmpipe loads a
uniform vec4 at about the cost of a texel fetch even at a constant index (8 such loads
per 32 multiply-adds: 83 ms, against 27 ms with literal constants in their place).
B as 28 flat varyings per instanced quad (4 k per quad, blended): 155 ms, of which
12 ms of vertex work on the main thread. The same loop with literal constants for B,
one texel fetch of A per 128 multiply-adds: 42 ms, so the arithmetic is cheap and
operand loads are the whole cost.
"""

from __future__ import annotations

import math

import numpy as np

from ..registry import register
from ..tensor import Tensor, apply, convert, draw, tensor_method
from ._elementwise_kernel import broadcast_shapes, run_elementwise
from .elementwise import mul, sum_to_shape
from .movement import reshape, transpose

# Where B is not already [N, Kp] (transpose_b with K % 4 == 0), transposing it in a
# prepass pays from this many elements of B on (the transposed inner loop fetches
# 4 neighbouring texels of each B row instead of 4 rows far apart).
_PACK_B_FROM = 1 << 16
# Below this many multiply-adds one row per fragment (no assembly pass) is faster.
_SMALL = 1 << 18
# ... unless A has at most this many rows: B is then re-read only M / 8 times and the
# prepass costs more than it saves ([64, 784] @ [784, 128]: 2.25 -> 1.9 ms).
_PACK_B_MIN_M = 128
# Up to this many multiply-adds, operands with K (or B's N) not a multiple of 4 are read
# in place 4 elements at a time rather than repacked (one draw fewer per operand).
_ELEM_UPTO = 1 << 18
# llvmpipe rasterises in 64x64-pixel tiles, one thread per tile at a time.
_TILE = 64
# From this many multiply-adds on, a product whose render targets fit one tile spreads
# them over two (one per core on the 2-core machine).
_SPREAD_FROM = 1 << 22


def _strides(shape: tuple) -> list[int]:
    out, acc = [], 1
    for d in reversed(shape):
        out.append(acc)
        acc *= d
    return out[::-1]


def _pack(x: Tensor, batch: tuple, rows: int, cols: int, sr: int, sc: int) -> Tensor:
    """``x`` as a dense zero-padded [prod(batch), rows, cols rounded up to 4] block."""
    colsp = -(-cols // 4) * 4
    xb = x.shape[:-2]
    src = _strides(x.shape)[:-2]
    lead = len(batch) - len(xb)
    bstrides = [0 if i < lead or xb[i - lead] == 1 else src[i - lead] for i in range(len(batch))]
    bshape = list(batch) or [1]
    bstrides = bstrides or [0]
    return draw("matmul_pack", [("X", x)], (math.prod(batch), rows, colsp), x.dtype,
                {"u_cb": colsp // 4, "u_rows": rows, "u_cols": cols, "u_sr": sr, "u_sc": sc,
                 "u_bshape": bshape, "u_bstrides": bstrides},
                (("BRANK", len(bshape)),))


def _batch_stride(x: Tensor, batch: tuple, block: int, elements: bool = False) -> int | None:
    """Stride between batches of ``x`` as the kernel reads it (texels, or elements), None if
    it must be packed."""
    xb = x.shape[:-2]
    if math.prod(xb) == 1:
        return 0
    if math.prod(xb) == math.prod(batch) and _strip(xb) == _strip(batch):
        return block if elements else block // 4
    return None


def _strip(shape: tuple) -> tuple:
    shape = tuple(shape)
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


def _matmul_forward(a: Tensor, b: Tensor, transpose_a: bool = False,
                    transpose_b: bool = False, bias: Tensor | None = None,
                    act: int = 0) -> Tensor:
    """The product; with ``bias``/``act`` (fused_matmul) the last pass adds the bias and
    applies activation ``act`` (codes of glsl/_activation.glsl) as it writes C."""
    m, k = (a.shape[-1], a.shape[-2]) if transpose_a else (a.shape[-2], a.shape[-1])
    n = b.shape[-2] if transpose_b else b.shape[-1]
    batch = broadcast_shapes("matmul", a.shape[:-2], b.shape[:-2])
    dtype = "int32" if a.dtype in ("int32", "bool") and b.dtype in ("int32", "bool") else "float32"
    out_shape = (*batch, m, n)
    nbatch = math.prod(batch)
    if m * n * nbatch == 0 or k == 0:
        out = run_elementwise("fill", [], dtype, {"u_value": 0.0}, out_shape=out_shape)
        if m * n * nbatch and (bias is not None or act):
            zeros = out
            out = _epilogue_elementwise(zeros, bias, act)
            zeros.dispose()
        return out
    epi_defines: tuple = ()
    epi_inputs: list = []
    epi_uniforms: dict = {}
    if bias is not None:
        epi_defines += (("BIAS", 1),)
        epi_inputs = [("Bias", bias)]
        epi_uniforms = {"u_bias_step": 1 if bias.size > 1 else 0}
    if act:
        epi_defines += (("ACT", act),)
    kp = -(-k // 4) * 4
    np_ = -(-n // 4) * 4

    if m * n * k * nbatch < _SMALL and n % 4 == 0:
        rows = 1
    else:
        rows = min(8, 1 << (m - 1).bit_length())

    # Small operands whose rows do not start on a texel are read 4 elements at a time
    # from any offset (ELEM_A / ELEM_B, strides in elements) instead of being repacked:
    # two fetches instead of one, but one draw fewer.
    elem_ok = m * n * k * nbatch <= _ELEM_UPTO
    elem_a = elem_b = False

    # A as [batch_a, M, Kp], or read transposed in place as [batch_a, K, M]
    a_rstride = kp // 4
    trans_a = transpose_a and k % 4 == 0 and m % 4 == 0 and rows >= 4
    if trans_a:
        a_stride = _batch_stride(a, batch, m * k)
        trans_a = a_stride is not None
        a_rstride = m // 4
    elif not transpose_a and k % 4 == 0:
        a_stride = _batch_stride(a, batch, m * k)
    elif not transpose_a and elem_ok:
        a_stride = _batch_stride(a, batch, m * k, elements=True)
        elem_a = a_stride is not None
        a_rstride = k
    else:
        a_stride = None
    if a_stride is None:
        a_rstride = kp // 4
        abatch = () if math.prod(a.shape[:-2]) == 1 else batch
        if transpose_a:
            a = _pack(a, abatch, m, k, 1, m)
        else:
            a = _pack(a, abatch, m, k, k, 1)
        a_stride = 0 if not abatch else m * kp // 4

    # B as [batch_b, N, Kp] (trans) or [batch_b, Kp, Np]
    trans = True
    b_stride = None
    b_rstride = kp // 4
    if k % 4 == 0 and transpose_b:
        b_stride = _batch_stride(b, batch, n * k)
    elif (k % 4 == 0 and not transpose_b and n % 4 == 0
          and (k * n < _PACK_B_FROM or m <= _PACK_B_MIN_M)):
        b_stride = _batch_stride(b, batch, n * k)
        trans = False
        b_rstride = np_ // 4
    elif elem_ok:
        b_stride = _batch_stride(b, batch, n * k, elements=True)
        elem_b = b_stride is not None
        trans = bool(transpose_b)
        b_rstride = k if transpose_b else n
    if b_stride is None:
        trans = True
        b_rstride = kp // 4
        bbatch = () if math.prod(b.shape[:-2]) == 1 else batch
        if transpose_b:
            b = _pack(b, bbatch, n, k, k, 1)
        else:
            b = _pack(b, bbatch, n, k, 1, n)
        b_stride = 0 if not bbatch else n * kp // 4

    mg = -(-m // rows)
    texels = nbatch * mg * np_ // 4  # fragments that compute something
    uniforms = {"u_kb": kp // 4, "u_a_rstride": a_rstride, "u_nb": np_ // 4, "u_mg": mg,
                "u_m": m, "u_n": n, "u_a_bstride": a_stride, "u_b_bstride": b_stride,
                "u_b_rstride": b_rstride, "u_k": k, "u_total": texels}
    defines = (("ROWS", rows), ("TRANS_A", int(trans_a)), ("TRANS_B", int(trans)),
               ("ELEM_A", int(elem_a)), ("ELEM_B", int(elem_b)),
               ("KTAIL", int(k % 4 != 0 and (elem_a or elem_b))))
    if rows == 1 and np_ == n:
        return draw("matmul", [("A", a), ("B", b), *epi_inputs], out_shape, dtype,
                    {**uniforms, **epi_uniforms}, defines + epi_defines)
    parts_shape = (nbatch, mg, np_)
    if texels <= _TILE * _TILE and m * n * k * nbatch >= _SPREAD_FROM:
        # The targets would fit one llvmpipe tile, so one thread would do all the work:
        # pad them to the first size laid out 2 tiles wide (fragments past u_total skip
        # the loop). 256^3 kernel: 4.0 -> 2.2 ms with the second core free.
        parts_shape = ((_TILE * _TILE + 1) * 4,)
    parts = draw("matmul", [("A", a), ("B", b)], parts_shape, dtype, uniforms, defines,
                 outputs=rows)
    parts = parts if rows > 1 else [parts]
    aligned = n % 4 == 0
    out = draw("matmul_assemble", [*((f"T{i}", p) for i, p in enumerate(parts)), *epi_inputs],
               out_shape, dtype, {"u_n": n // 4 if aligned else n, "u_m": m, "u_mg": mg,
                                  "u_np": np_ // 4 if aligned else np_, **epi_uniforms},
               (("ROWS", rows), ("ALIGNED", int(aligned)), *epi_defines))
    for p in parts:
        p.dispose()
    return out


def _epilogue_elementwise(x: Tensor, bias: Tensor | None, act: int) -> Tensor:
    """``activation(x + bias)`` with elementwise draws (the k == 0 corner of fused_matmul)."""
    y = x if bias is None else run_elementwise("add", [x, bias], "float32")
    if not act:
        return y
    out = run_elementwise(_ACT_SHADERS[act], [y], "float32")
    if y is not x:
        y.dispose()
    return out


def _matmul_grads(dy: Tensor, a: Tensor, b: Tensor, ta: bool, tb: bool) -> list:
    """[dA, dB] of ``matmul(a, b, ta, tb)`` for output gradient ``dy``; None where unused."""
    from ..autodiff import input_needed

    da = db = None
    if input_needed(0):
        if not ta:
            da = matmul(dy, b, transpose_b=not tb)
        else:
            da = matmul(b, dy, transpose_a=tb, transpose_b=True)
        da = sum_to_shape(da, a.shape)
    if input_needed(1):
        if not tb:
            db = matmul(a, dy, transpose_a=not ta)
        else:
            db = matmul(dy, a, transpose_a=True, transpose_b=ta)
        db = sum_to_shape(db, b.shape)
    return [da, db]


def _matmul_grad(dy: Tensor, inputs: list, y: Tensor, attrs: dict) -> list:
    a, b = inputs
    return _matmul_grads(dy, a, b, attrs.get("transpose_a", False),
                         attrs.get("transpose_b", False))


def _matmul_reference(a, b, transpose_a=False, transpose_b=False):
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


def _matmul_cases():
    rng = np.random.default_rng(7)

    def r(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    return [
        ((r(1, 1), r(1, 1)), {}),
        ((r(3, 5), r(5, 7)), {}),
        ((r(33, 65), r(65, 17)), {}),
        ((r(16, 32), r(32, 64)), {}),
        ((r(5, 3), r(5, 7)), {"transpose_a": True}),
        ((r(3, 8), r(12, 8)), {"transpose_b": True}),
        ((r(9, 6), r(11, 9)), {"transpose_a": True, "transpose_b": True}),
        ((r(2, 3, 4, 5), r(3, 5, 6)), {}),
        ((r(2, 1, 7, 8), r(1, 3, 8, 4)), {}),
        ((r(4, 9, 12), r(12, 20)), {}),
        ((r(70, 130), r(130, 90)), {}),
        ((r(64, 256), r(256, 128)), {}),
        ((rng.integers(-9, 9, (6, 10)).astype(np.int32),
          rng.integers(-9, 9, (10, 5)).astype(np.int32)), {}),
    ]


register("matmul", _matmul_forward, grad=_matmul_grad, reference=_matmul_reference,
         shaders=("matmul", "matmul_pack", "matmul_assemble"), cases=_matmul_cases,
         tolerance=(1e-4, 1e-4), doc="matrix product over the last two dims, batch broadcast")


# -- fused_matmul: matmul + bias + activation in the product's last pass --------------------
# Activation name -> code of glsl/_activation.glsl and the standalone kernel's shader.
_ACTIVATIONS = {"linear": 0, "relu": 1, "relu6": 2, "elu": 3, "sigmoid": 4}
_ACT_SHADERS = {1: "relu", 2: "relu6", 3: "elu", 4: "sigmoid"}


def _act_code(op: str, activation: str | None) -> int:
    name = "linear" if activation is None else activation
    if name not in _ACTIVATIONS:
        raise ValueError(f"{op}: activation {activation!r} is not one of {sorted(_ACTIVATIONS)}")
    return _ACTIVATIONS[name]


def _fused_matmul_forward(a: Tensor, b: Tensor, bias: Tensor | None = None,
                          transpose_a: bool = False, transpose_b: bool = False,
                          activation: str = "linear") -> Tensor:
    return _matmul_forward(a, b, transpose_a, transpose_b, bias,
                           _act_code("fused_matmul", activation))


def _fused_matmul_grad(dy: Tensor, inputs: list, y: Tensor, attrs: dict) -> list:
    from ..autodiff import input_needed
    from .reduce import sum as reduce_sum

    a, b = inputs[0], inputs[1]
    act = attrs.get("activation", "linear")
    dz = dy if _act_code("fused_matmul", act) == 0 else apply(
        "fused_activation_grad", [dy, y], activation=act)
    grads = _matmul_grads(dz, a, b, attrs.get("transpose_a", False),
                          attrs.get("transpose_b", False))
    if len(inputs) > 2:
        bias = inputs[2]
        db = None
        if input_needed(2):
            axes = list(range(dz.rank - 1)) if bias.size > 1 else None
            db = reshape(reduce_sum(dz, axes), bias.shape)
        grads.append(db)
    return grads


def _np_activation(x, activation="linear"):
    if activation == "relu":
        return np.maximum(x, 0)
    if activation == "relu6":
        return np.clip(x, 0, 6)
    if activation == "elu":
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
    if activation == "sigmoid":
        return 1 / (1 + np.exp(-x))
    return x


def _np_activation_deriv(y, activation="linear"):
    if activation == "relu":
        return (y > 0).astype(y.dtype)
    if activation == "relu6":
        return ((y > 0) & (y < 6)).astype(y.dtype)
    if activation == "elu":
        return np.where(y > 0, 1.0, y + 1.0)
    if activation == "sigmoid":
        return y * (1 - y)
    return np.ones_like(y)


def _fused_matmul_reference(a, b, bias=None, transpose_a=False, transpose_b=False,
                            activation="linear"):
    z = _matmul_reference(a, b, transpose_a, transpose_b)
    if bias is not None:
        z = z + bias
    return _np_activation(z, activation)


def _fused_matmul_cases():
    rng = np.random.default_rng(11)

    def r(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    return [
        ((r(3, 5), r(5, 8), r(8)), {"activation": "relu"}),            # one row per fragment
        ((r(3, 5), r(5, 7), r(7)), {"activation": "relu"}),            # N unaligned
        ((r(64, 96), r(96, 128), r(128)), {"activation": "relu"}),     # 8 rows, assembled
        ((r(64, 128), r(128, 10), r(10)), {}),                          # the MLP's 2nd layer
        ((r(9, 6), r(11, 9), r(1)), {"transpose_a": True, "transpose_b": True,
                                      "activation": "relu6"}),
        ((r(2, 3, 4, 5), r(3, 5, 6)), {"activation": "sigmoid"}),     # batch, no bias
        ((r(33, 65), r(17, 65), r(17)), {"transpose_b": True, "activation": "elu"}),
        ((r(4, 0), r(0, 8), r(8)), {"activation": "relu"}),            # k == 0: act(bias)
    ]


register("fused_matmul", _fused_matmul_forward, grad=_fused_matmul_grad,
         reference=_fused_matmul_reference,
         shaders=("matmul", "matmul_pack", "matmul_assemble", "relu", "relu6", "elu",
                  "sigmoid", "add", "fill"),
         cases=_fused_matmul_cases, tolerance=(1e-4, 1e-4),
         doc="matmul + bias + activation in one kernel (TF.js fused.matMul)")


def _act_grad_forward(dy: Tensor, y: Tensor, activation: str = "linear") -> Tensor:
    return run_elementwise("fused_activation_grad", [dy, y], "float32",
                           defines=(("ACT", _act_code("fused_activation_grad", activation)),))


def _act_grad_grad(ddx: Tensor, inputs: list, out: Tensor, attrs: dict) -> list:
    from ..autodiff import input_needed
    from .elementwise import cast, less_equal, zeros_like_op

    dy, y = inputs
    act = attrs.get("activation", "linear")
    g_dy = apply("fused_activation_grad", [ddx, y], activation=act)
    g_y = None
    if input_needed(1):
        # d/dy of dy * f'(y): dy * f''(y) with f' written in y
        if act == "sigmoid":
            g_y = mul(mul(ddx, dy), mul(y, -2.0).add(1.0))
        elif act == "elu":
            g_y = mul(mul(ddx, dy), cast(less_equal(y, 0.0), "float32"))
        else:
            g_y = zeros_like_op(y)
    return [g_dy, g_y]


def _act_grad_reference(dy, y, activation="linear"):
    return dy * _np_activation_deriv(y, activation)


def _act_grad_cases():
    rng = np.random.default_rng(12)
    out = []
    for act in ("linear", "relu", "relu6", "elu", "sigmoid"):
        dy = rng.standard_normal((5, 7)).astype(np.float32)
        y = _np_activation(rng.uniform(-8, 8, (5, 7)), act).astype(np.float32)
        out.append(((dy, y), {"activation": act}))
    return out


register("fused_activation_grad", _act_grad_forward, grad=_act_grad_grad,
         reference=_act_grad_reference, shaders=("fused_activation_grad",),
         cases=_act_grad_cases, tolerance=(1e-5, 1e-6),
         doc="dy * activation'(x) from the activation's output y (fused_matmul's gradient)")


def fused_matmul(a, b, bias=None, activation: str | None = "linear", transpose_a: bool = False,
                 transpose_b: bool = False) -> Tensor:
    """``activation(a @ b + bias)`` as one kernel: the bias and activation are applied by
    the product's last pass, as TF.js's ``tf.fused.matMul`` does.

    ``a`` and ``b`` have rank >= 2 (batch dims broadcast as in :func:`matmul`); ``bias``
    is None, a scalar, or a vector of length 1 or N (the columns of the product);
    ``activation`` is one of ``"linear"`` (or None), ``"relu"``, ``"relu6"``, ``"elu"``,
    ``"sigmoid"``. Differentiable in every input; the result is float32.

    Raises:
        ValueError: bad ranks, inner or batch dims, bias shape or activation.

    Example:
        >>> import webtensor as wt
        >>> a = wt.tensor([[1.0, -2.0], [3.0, 4.0]])
        >>> b = wt.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> wt.fused_matmul(a, b, bias=wt.tensor([0.5, 1.0]), activation="relu").numpy().tolist()
        [[1.5, 0.0], [3.5, 5.0]]
        >>> wt.fused_matmul(a, b, transpose_a=True).numpy().tolist()
        [[1.0, 3.0], [-2.0, 4.0]]
    """
    act = "linear" if activation is None else activation
    _act_code("fused_matmul", act)
    a = convert(a, op="fused_matmul")
    b = convert(b, op="fused_matmul")
    a = a if a.dtype == "float32" else apply("cast", [a], dtype="float32")
    b = b if b.dtype == "float32" else apply("cast", [b], dtype="float32")
    if a.rank < 2 or b.rank < 2:
        raise ValueError(f"fused_matmul: operands must have rank >= 2, got shapes "
                         f"{_shapes(a, b)}")
    ka = a.shape[-2] if transpose_a else a.shape[-1]
    kb = b.shape[-1] if transpose_b else b.shape[-2]
    if ka != kb:
        raise ValueError(f"fused_matmul: inner dimensions differ ({ka} vs {kb}) for shapes "
                         f"{_shapes(a, b)}")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"fused_matmul: batch dimensions of shapes {_shapes(a, b)} cannot "
                         "be broadcast") from None
    inputs = [a, b]
    if bias is not None:
        bias = convert(bias, op="fused_matmul")
        bias = bias if bias.dtype == "float32" else apply("cast", [bias], dtype="float32")
        n = b.shape[-2] if transpose_b else b.shape[-1]
        if bias.rank > 1 or bias.size not in (1, n):
            raise ValueError(f"fused_matmul: bias must be a scalar or a vector of length 1 or "
                             f"{n}, got shape {list(bias.shape)}")
        if bias.rank == 0:
            bias = reshape(bias, (1,))
        inputs.append(bias)
    return apply("fused_matmul", inputs, transpose_a=bool(transpose_a),
                 transpose_b=bool(transpose_b), activation=act)


def _shapes(a: Tensor, b: Tensor) -> str:
    return f"{list(a.shape)} and {list(b.shape)}"


@tensor_method()
def matmul(a, b, transpose_a: bool = False, transpose_b: bool = False) -> Tensor:
    """Matrix product ``a @ b`` over the last two dims, batch dims broadcast as numpy does.

    ``transpose_a``/``transpose_b`` swap the last two dims of a rank >= 2 operand first
    (without a copy where the kernel can read it transposed). Rank-1 operands follow
    numpy: a vector on the left is a row, on the right a column, and the added axis is
    removed from the result (vector @ vector is a scalar). int32 @ int32 is int32
    (exact while sums stay within ±2^24), anything else float32.

    Raises:
        ValueError: the inner dims or the batch dims do not match.

    Example:
        >>> import webtensor as wt
        >>> a = wt.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> wt.matmul(a, wt.tensor([[5.0], [6.0]])).numpy().tolist()
        [[17.0], [39.0]]
        >>> (a @ a).numpy().tolist()
        [[7.0, 10.0], [15.0, 22.0]]
        >>> wt.matmul(a, a, transpose_a=True).numpy().tolist()
        [[10.0, 14.0], [14.0, 20.0]]
    """
    a = convert(a, op="matmul")
    b = convert(b, op="matmul")
    if a.rank == 0 or b.rank == 0:
        raise ValueError(f"matmul: operands must have rank >= 1, got shapes {_shapes(a, b)}")
    va, vb = a.rank == 1, b.rank == 1
    a2 = reshape(a, (1, a.shape[0])) if va else a
    b2 = reshape(b, (b.shape[0], 1)) if vb else b
    ta, tb = transpose_a and not va, transpose_b and not vb
    ka = a2.shape[-2] if ta else a2.shape[-1]
    kb = b2.shape[-1] if tb else b2.shape[-2]
    if ka != kb:
        raise ValueError(
            f"matmul: inner dimensions differ ({ka} vs {kb}) for shapes {_shapes(a, b)}"
            f"{' with transpose_a' if ta else ''}{' with transpose_b' if tb else ''}"
        )
    try:
        batch = tuple(int(d) for d in np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]))
    except ValueError:
        raise ValueError(
            f"matmul: batch dimensions of shapes {_shapes(a, b)} cannot be broadcast"
        ) from None
    out = apply("matmul", [a2, b2], transpose_a=ta, transpose_b=tb)
    if va or vb:
        shape = batch + ((out.shape[-2],) if not va else ()) + ((out.shape[-1],) if not vb else ())
        out = reshape(out, shape)
    return out


Tensor.__matmul__ = lambda self, other: matmul(self, other)
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)


@tensor_method()
def dot(a, b) -> Tensor:
    """Dot product as numpy's ``dot``, for operands of any rank.

    vector · vector is a scalar, matrix · vector a vector, vector · matrix a vector,
    matrix · matrix the matrix product; a rank-0 operand multiplies elementwise. Past
    rank 2, the last axis of ``a`` is summed against the second-to-last of ``b``
    (the last of ``b`` when it is a vector): the result has shape
    ``a.shape[:-1] + b.shape[:-2] + b.shape[-1:]``, as in numpy (``matmul`` instead
    broadcasts batch dims).

    Raises:
        ValueError: the summed dims differ.

    Example:
        >>> import webtensor as wt
        >>> wt.dot(wt.tensor([1.0, 2.0, 3.0]), wt.tensor([4.0, 5.0, 6.0])).item()
        32.0
        >>> wt.dot(wt.tensor([[1.0, 2.0], [3.0, 4.0]]), wt.tensor([1.0, 1.0])).numpy().tolist()
        [3.0, 7.0]
        >>> wt.dot(wt.ones([2, 3, 4]), wt.ones([5, 4, 6])).shape
        (2, 3, 5, 6)
    """
    a = convert(a, op="dot")
    b = convert(b, op="dot")
    if a.rank == 0 or b.rank == 0:
        return mul(a, b)
    ka, kb = a.shape[-1], b.shape[-2 if b.rank > 1 else 0]
    if ka != kb:
        raise ValueError(f"dot: inner dimensions differ ({ka} vs {kb}) for shapes {_shapes(a, b)}")
    if a.rank <= 2 and b.rank <= 2:
        return matmul(a, b)
    # numpy's general dot: every row of a against every [K, N] block of b, as one matmul
    a2 = reshape(a, (-1, ka))
    if b.rank == 1:
        return reshape(matmul(a2, reshape(b, (kb, 1))), a.shape[:-1])
    perm = [b.rank - 2, *range(b.rank - 2), b.rank - 1]
    b2 = reshape(transpose(b, perm), (kb, -1))
    return reshape(matmul(a2, b2), (*a.shape[:-1], *b.shape[:-2], b.shape[-1]))


@tensor_method()
def outer(a, b) -> Tensor:
    """Outer product of two vectors (inputs are flattened, as numpy does): [n] x [m] → [n, m].

    Example:
        >>> import webtensor as wt
        >>> wt.outer(wt.tensor([1.0, 2.0]), wt.tensor([3.0, 4.0, 5.0])).numpy().tolist()
        [[3.0, 4.0, 5.0], [6.0, 8.0, 10.0]]
    """
    a = convert(a, op="outer")
    b = convert(b, op="outer")
    return mul(reshape(a, (a.size, 1)), reshape(b, (1, b.size)))


__all__ = ["matmul", "dot", "outer", "fused_matmul"]
