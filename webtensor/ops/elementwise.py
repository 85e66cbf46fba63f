# The public functions (exp, add, ...) are made from the tables below and bound with
# globals(); ruff cannot see those names, hence:
# ruff: noqa: F821
"""Elementwise ops: unary math, binary arithmetic and comparisons, where, cast, add_n.

Each op is one ``glsl/<name>.glsl`` file (an ``op()`` function over floats plus the
shared ``_elementwise.glsl`` main), one registration with its numpy reference and
gradient, and a public function that is also a ``Tensor`` method.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..registry import register
from ..tensor import Tensor, apply, convert, tensor_method
from ._elementwise_kernel import broadcast_shapes, is_host_scalar, run_elementwise

_ERF = np.vectorize(math.erf, otypes=[np.float64])


# -- helpers used by gradients ------------------------------------------------
def sum_to_shape(g: Tensor, shape: tuple) -> Tensor:
    """Sum ``g`` over the axes broadcasting added, back to ``shape``."""
    if g.shape == shape:
        return g
    from .movement import reshape
    from .reduce import sum as reduce_sum

    lead = g.rank - len(shape)
    axes = list(range(lead)) + [
        lead + i for i, d in enumerate(shape) if d == 1 and g.shape[lead + i] != 1
    ]
    return reshape(reduce_sum(g, axes), shape) if axes else reshape(g, shape)


def zeros_like_op(x: Tensor) -> Tensor:
    """Zeros of ``x``'s shape and dtype (no autodiff node)."""
    return run_elementwise("fill", [], x.dtype, {"u_value": 0.0}, out_shape=x.shape)


def ones_like_op(x: Tensor) -> Tensor:
    """Ones of ``x``'s shape and dtype (no autodiff node)."""
    return run_elementwise("fill", [], x.dtype, {"u_value": 1.0}, out_shape=x.shape)


def cast_op(x: Tensor, dtype: str) -> Tensor:
    """``cast`` without the public function's checks."""
    return apply("cast", [x], dtype=dtype)


def _operand(x, op: str):
    """Python numbers stay weak scalars; everything else becomes a tensor."""
    if is_host_scalar(x):
        return x
    return convert(x, op=op)


def _numeric(dtype: str) -> str:
    return "int32" if dtype == "bool" else dtype


# -- unary ---------------------------------------------------------------------
# name: (numpy reference, result dtype rule, domain for tests, example, doc)
#   rule: "float" -> float32; "same" -> input's (bool as int32); "bool" -> bool
_UNARY = {
    "abs": (np.abs, "same", (-3, 3), "|x|"),
    "neg": (np.negative, "same", (-3, 3), "-x"),
    "square": (np.square, "same", (-3, 3), "x * x"),
    "sqrt": (np.sqrt, "float", (0, 9), "square root (NaN below 0)"),
    "rsqrt": (lambda x: 1 / np.sqrt(x), "float", (0.05, 9), "1 / sqrt(x)"),
    "exp": (np.exp, "float", (-5, 5), "e ** x"),
    "expm1": (np.expm1, "float", (-3, 3), "e ** x - 1, accurate near 0"),
    "log": (np.log, "float", (0.01, 9), "natural logarithm"),
    "log1p": (np.log1p, "float", (-0.99, 5), "log(1 + x), accurate near 0"),
    "sin": (np.sin, "float", (-6, 6), "sine"),
    "cos": (np.cos, "float", (-6, 6), "cosine"),
    "tan": (np.tan, "float", (-1.4, 1.4), "tangent"),
    "asin": (np.arcsin, "float", (-0.99, 0.99), "inverse sine"),
    "acos": (np.arccos, "float", (-0.99, 0.99), "inverse cosine"),
    "atan": (np.arctan, "float", (-5, 5), "inverse tangent"),
    "sinh": (np.sinh, "float", (-5, 5), "hyperbolic sine"),
    "cosh": (np.cosh, "float", (-5, 5), "hyperbolic cosine"),
    "tanh": (np.tanh, "float", (-5, 5), "hyperbolic tangent"),
    "asinh": (np.arcsinh, "float", (-5, 5), "inverse hyperbolic sine"),
    "acosh": (np.arccosh, "float", (1.01, 9), "inverse hyperbolic cosine"),
    "atanh": (np.arctanh, "float", (-0.95, 0.95), "inverse hyperbolic tangent"),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), "float", (-8, 8), "1 / (1 + e ** -x)"),
    "relu": (lambda x: np.where(np.isnan(x), x, np.maximum(x, 0)), "same", (-3, 3),
             "max(x, 0)"),
    "relu6": (lambda x: np.where(np.isnan(x), x, np.clip(x, 0, 6)), "same", (-3, 9),
              "min(max(x, 0), 6)"),
    "elu": (lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))), "float", (-3, 3),
            "x if x > 0 else e ** x - 1"),
    "selu": (lambda x: 1.0507009873554805 * np.where(
        x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0))), "float", (-3, 3),
        "scaled exponential linear unit"),
    "softplus": (lambda x: np.logaddexp(0, x), "float", (-8, 8), "log(1 + e ** x)"),
    "sign": (np.sign, "same", (-3, 3), "-1, 0 or 1 (NaN stays NaN)"),
    "floor": (np.floor, "same", (-3, 3), "round down"),
    "ceil": (np.ceil, "same", (-3, 3), "round up"),
    "round": (np.round, "same", (-3, 3), "round half to even, as numpy"),
    "reciprocal": (lambda x: 1 / x, "float", (0.1, 5), "1 / x"),
    "erf": (_ERF, "float", (-3, 3), "the error function"),
    "is_nan": (np.isnan, "bool", (-3, 3), "true where x is NaN"),
    "is_inf": (np.isinf, "bool", (-3, 3), "true where x is ±Inf"),
    "is_finite": (np.isfinite, "bool", (-3, 3), "true where x is neither NaN nor ±Inf"),
    "logical_not": (np.logical_not, "bool", (-1, 1), "true where x is false (zero)"),
}


_EXAMPLES = {
    "abs": ('wt.tensor([-1.5, 0.5, 2.5])', "[1.5, 0.5, 2.5]"),
    "neg": ('wt.tensor([-1.5, 0.5, 2.5])', "[1.5, -0.5, -2.5]"),
    "square": ('wt.tensor([-1.5, 0.5, 2.5])', "[2.25, 0.25, 6.25]"),
    "sqrt": ('wt.tensor([0.5, 2.0])', "[0.7071, 1.4142]"),
    "rsqrt": ('wt.tensor([0.5, 2.0])', "[1.4142, 0.7071]"),
    "exp": ('wt.tensor([0.5, 2.0])', "[1.6487, 7.3891]"),
    "expm1": ('wt.tensor([0.5, 2.0])', "[0.6487, 6.3891]"),
    "log": ('wt.tensor([0.5, 2.0])', "[-0.6931, 0.6931]"),
    "log1p": ('wt.tensor([0.5, 2.0])', "[0.4055, 1.0986]"),
    "sin": ('wt.tensor([0.5, 2.0])', "[0.4794, 0.9093]"),
    "cos": ('wt.tensor([0.5, 2.0])', "[0.8776, -0.4161]"),
    "tan": ('wt.tensor([0.5, 2.0])', "[0.5463, -2.185]"),
    "asin": ('wt.tensor([0.5, -0.25])', "[0.5236, -0.2527]"),
    "acos": ('wt.tensor([0.5, -0.25])', "[1.0472, 1.8235]"),
    "atan": ('wt.tensor([0.5, 2.0])', "[0.4636, 1.1071]"),
    "sinh": ('wt.tensor([0.5, 2.0])', "[0.5211, 3.6269]"),
    "cosh": ('wt.tensor([0.5, 2.0])', "[1.1276, 3.7622]"),
    "tanh": ('wt.tensor([-1.5, 0.5, 2.5])', "[-0.9051, 0.4621, 0.9866]"),
    "asinh": ('wt.tensor([0.5, 2.0])', "[0.4812, 1.4436]"),
    "acosh": ('wt.tensor([1.5, 2.0])', "[0.9624, 1.317]"),
    "atanh": ('wt.tensor([0.5, -0.25])', "[0.5493, -0.2554]"),
    "sigmoid": ('wt.tensor([-1.5, 0.5, 2.5])', "[0.1824, 0.6225, 0.9241]"),
    "relu": ('wt.tensor([-1.5, 0.5, 2.5])', "[0.0, 0.5, 2.5]"),
    "relu6": ('wt.tensor([-1.5, 0.5, 2.5])', "[0.0, 0.5, 2.5]"),
    "elu": ('wt.tensor([-1.5, 0.5, 2.5])', "[-0.7769, 0.5, 2.5]"),
    "selu": ('wt.tensor([-1.5, 0.5, 2.5])', "[-1.3658, 0.5254, 2.6268]"),
    "softplus": ('wt.tensor([-1.5, 0.5, 2.5])', "[0.2014, 0.9741, 2.5789]"),
    "sign": ('wt.tensor([-1.5, 0.5, 2.5])', "[-1.0, 1.0, 1.0]"),
    "floor": ('wt.tensor([-1.5, 0.5, 2.5])', "[-2.0, 0.0, 2.0]"),
    "ceil": ('wt.tensor([-1.5, 0.5, 2.5])', "[-1.0, 1.0, 3.0]"),
    "round": ('wt.tensor([-1.5, 0.5, 2.5])', "[-2.0, 0.0, 2.0]"),
    "reciprocal": ('wt.tensor([0.5, 2.0])', "[2.0, 0.5]"),
    "erf": ('wt.tensor([-1.5, 0.5, 2.5])', "[-0.9661, 0.5205, 0.9996]"),
    "is_nan": ('wt.tensor([1.0, float("nan"), float("inf")])', "[False, True, False]"),
    "is_inf": ('wt.tensor([1.0, float("nan"), float("inf")])', "[False, False, True]"),
    "is_finite": ('wt.tensor([1.0, float("nan"), float("inf")])', "[True, False, False]"),
    "logical_not": ('wt.tensor([0.0, 2.0])', "[True, False]"),
}


def _unary_dtype(rule: str, dtype: str) -> str:
    if rule == "float":
        return "float32"
    if rule == "bool":
        return "bool"
    return _numeric(dtype)


def _make_unary(name: str, rule: str, summary: str):
    def forward(x):
        return run_elementwise(name, [x], _unary_dtype(rule, x.dtype))

    def public(x):
        return apply(name, [convert(x, op=name)])

    public.__name__ = public.__qualname__ = name
    src, shown = _EXAMPLES[name]
    tail = ".numpy().tolist()" if rule == "bool" else ".numpy().astype(float).round(4).tolist()"
    public.__doc__ = f"""Elementwise {summary}; also ``Tensor.{name}()``.

    Example:
        >>> import webtensor as wt
        >>> wt.{name}({src}){tail}
        {shown}
    """
    return forward, public


_GRADS = {}


def _g(name):
    def deco(fn):
        _GRADS[name] = fn
        return fn

    return deco


# Gradient rules: (dy, inputs, output, attrs) -> [input grads]. Written with public
# ops so that, under an outer tape, the backward pass is itself differentiable.
_g("abs")(lambda dy, i, y, a: [mul(dy, sign(i[0]))])
_g("neg")(lambda dy, i, y, a: [neg(dy)])
_g("square")(lambda dy, i, y, a: [mul(dy, mul(i[0], 2.0))])
_g("sqrt")(lambda dy, i, y, a: [div(dy, mul(y, 2.0))])
_g("rsqrt")(lambda dy, i, y, a: [mul(dy, mul(pow(y, 3.0), -0.5))])
_g("exp")(lambda dy, i, y, a: [mul(dy, y)])
_g("expm1")(lambda dy, i, y, a: [mul(dy, add(y, 1.0))])
_g("log")(lambda dy, i, y, a: [div(dy, i[0])])
_g("log1p")(lambda dy, i, y, a: [div(dy, add(i[0], 1.0))])
_g("sin")(lambda dy, i, y, a: [mul(dy, cos(i[0]))])
_g("cos")(lambda dy, i, y, a: [neg(mul(dy, sin(i[0])))])
_g("tan")(lambda dy, i, y, a: [div(dy, square(cos(i[0])))])
_g("asin")(lambda dy, i, y, a: [div(dy, sqrt(sub(1.0, square(i[0]))))])
_g("acos")(lambda dy, i, y, a: [neg(div(dy, sqrt(sub(1.0, square(i[0])))))])
_g("atan")(lambda dy, i, y, a: [div(dy, add(square(i[0]), 1.0))])
_g("sinh")(lambda dy, i, y, a: [mul(dy, cosh(i[0]))])
_g("cosh")(lambda dy, i, y, a: [mul(dy, sinh(i[0]))])
_g("tanh")(lambda dy, i, y, a: [mul(dy, sub(1.0, square(y)))])
_g("asinh")(lambda dy, i, y, a: [div(dy, sqrt(add(square(i[0]), 1.0)))])
_g("acosh")(lambda dy, i, y, a: [div(dy, sqrt(sub(square(i[0]), 1.0)))])
_g("atanh")(lambda dy, i, y, a: [div(dy, sub(1.0, square(i[0])))])
_g("sigmoid")(lambda dy, i, y, a: [mul(dy, mul(y, sub(1.0, y)))])
_g("relu")(lambda dy, i, y, a: [mul(dy, cast(greater(i[0], 0.0), "float32"))])
_g("relu6")(lambda dy, i, y, a: [mul(dy, cast(logical_and(greater(i[0], 0.0),
                                                           less(i[0], 6.0)), "float32"))])
_g("elu")(lambda dy, i, y, a: [where(greater(i[0], 0.0), dy, mul(dy, add(y, 1.0)))])
_g("selu")(lambda dy, i, y, a: [where(
    greater(i[0], 0.0), mul(dy, 1.0507009873554805),
    mul(dy, mul(exp(i[0]), 1.0507009873554805 * 1.6732632423543772)))])
_g("softplus")(lambda dy, i, y, a: [mul(dy, sigmoid(i[0]))])
_g("reciprocal")(lambda dy, i, y, a: [neg(mul(dy, square(y)))])
_g("erf")(lambda dy, i, y, a: [mul(dy, mul(exp(neg(square(i[0]))), 2 / math.sqrt(math.pi)))])
for _name in ("sign", "floor", "ceil", "round"):
    _g(_name)(lambda dy, i, y, a: [zeros_like_op(i[0])])

for _name, (_ref, _rule, _domain, _summary) in _UNARY.items():
    _fwd, _pub = _make_unary(_name, _rule, _summary)
    register(_name, _fwd, grad=_GRADS.get(_name), reference=_ref, shaders=(_name,),
             doc=_summary, variants=[{"domain": _domain, "rule": _rule}])
    globals()[_name] = _pub
    tensor_method(_name)(_pub)


def _ref_leaky(x, alpha=0.2):
    return np.where(x > 0, x, alpha * x)


def _weak_attr(value):
    """A bound or slope kept as a weak Python scalar: an int stays int (NEP 50)."""
    if isinstance(value, (int, np.integer, np.bool_)):
        return int(value)
    return float(value)


def _weak_dtype(x: Tensor, *scalars) -> str:
    """dtype of ``x`` combined with weak Python scalars: int32 stays int32 only for ints."""
    out = _numeric(x.dtype)
    for s in scalars:
        out = _numeric(dtypes.weak_scalar_result(out, s))
    return out


register("leaky_relu", lambda x, alpha: run_elementwise(
    "leaky_relu", [x], _weak_dtype(x, alpha), {"u_alpha": float(alpha)}),
    grad=lambda dy, i, y, a: [mul(dy, where(greater(i[0], 0.0), 1.0, a["alpha"]))],
    reference=_ref_leaky, shaders=("leaky_relu",), doc="x if x > 0 else alpha * x",
    variants=[{"domain": (-3, 3), "attrs": {"alpha": 0.2}}])


@tensor_method()
def leaky_relu(x, alpha: float = 0.2) -> Tensor:
    """Leaky rectifier: ``x`` where positive, ``alpha * x`` elsewhere.

    Example:
        >>> import webtensor as wt
        >>> wt.leaky_relu(wt.tensor([-1.0, 2.0]), 0.1).numpy().tolist()
        [-0.10000000149011612, 2.0]
    """
    return apply("leaky_relu", [convert(x, op="leaky_relu")], alpha=_weak_attr(alpha))


def _clip_forward(x, lo, hi):
    return run_elementwise("clip_by_value", [x], _weak_dtype(x, lo, hi),
                           {"u_lo": float(lo), "u_hi": float(hi)})


register("clip_by_value", _clip_forward,
         grad=lambda dy, i, y, a: [mul(dy, cast(logical_and(
             greater_equal(i[0], a["lo"]), less_equal(i[0], a["hi"])), "float32"))],
         reference=lambda x, lo, hi: np.where(np.isnan(x), x, np.clip(x, lo, hi)),
         shaders=("clip_by_value",), doc="clip to [lo, hi]",
         variants=[{"domain": (-3, 3), "attrs": {"lo": -1.0, "hi": 1.5}}])


@tensor_method()
def clip_by_value(x, clip_value_min: float, clip_value_max: float) -> Tensor:
    """Clip values to ``[clip_value_min, clip_value_max]`` (NaN stays NaN).

    Example:
        >>> import webtensor as wt
        >>> wt.clip_by_value(wt.tensor([-2.0, 0.5, 3.0]), -1, 1).numpy().tolist()
        [-1.0, 0.5, 1.0]
    """
    if clip_value_min > clip_value_max:
        raise ValueError(
            f"clip_by_value: min {clip_value_min} is greater than max {clip_value_max}"
        )
    x = convert(x, op="clip_by_value")
    return apply("clip_by_value", [x], lo=_weak_attr(clip_value_min),
                 hi=_weak_attr(clip_value_max))


# -- cast and identity ---------------------------------------------------------
def _cast_forward(x, dtype):
    if x.dtype == dtype or (x.dtype == "bool" and dtype == "int32"):
        return Tensor(_shared(x), x.shape, dtype)
    defines = (("TO_BOOL", int(dtype == "bool")), ("TO_INT", int(dtype == "int32")))
    return run_elementwise("cast", [x], dtype, defines=defines)


def _shared(x: Tensor):
    st = x.storage
    st.refs += 1
    return st


register("cast", _cast_forward,
         grad=lambda dy, i, y, a: [dy if i[0].dtype == "float32" else zeros_like_op(i[0])],
         reference=lambda x, dtype: x.astype(dtypes.NUMPY[dtype]), shaders=("cast",),
         doc="convert to another dtype")
register("identity", lambda x: x._alias(), grad=lambda dy, i, y, a: [dy],
         reference=lambda x: x, doc="the same values")


@tensor_method()
def cast(x, dtype) -> Tensor:
    """Convert to ``dtype``: float→int32 truncates toward zero, nonzero→True for bool.

    Example:
        >>> import webtensor as wt
        >>> wt.cast(wt.tensor([1.7, -1.7, 0.0]), "int32").numpy().tolist()
        [1, -1, 0]
    """
    return apply("cast", [convert(x, op="cast")], dtype=dtypes.normalize(dtype))


# -- binary --------------------------------------------------------------------
# name: (numpy reference, dtype rule, summary)
#   "arith": promoted (bool -> int32); "float": float32; "bool": bool result
_BINARY = {
    "add": (np.add, "arith", "a + b"),
    "sub": (np.subtract, "arith", "a - b"),
    "mul": (np.multiply, "arith", "a * b"),
    "div": (np.true_divide, "float", "a / b (true division)"),
    "floor_div": (np.floor_divide, "arith", "a // b (floor division, as numpy)"),
    "mod": (np.mod, "arith", "a % b (sign of the divisor, as numpy)"),
    "pow": (np.power, "arith", "a ** b"),
    "maximum": (np.maximum, "arith", "the larger of a and b (NaN propagates)"),
    "minimum": (np.minimum, "arith", "the smaller of a and b (NaN propagates)"),
    "squared_difference": (lambda a, b: np.square(a - b), "arith", "(a - b) ** 2"),
    "atan2": (np.arctan2, "float", "the angle of the point (b, a)"),
    "equal": (np.equal, "bool", "a == b"),
    "not_equal": (np.not_equal, "bool", "a != b"),
    "less": (np.less, "bool", "a < b"),
    "less_equal": (np.less_equal, "bool", "a <= b"),
    "greater": (np.greater, "bool", "a > b"),
    "greater_equal": (np.greater_equal, "bool", "a >= b"),
    "logical_and": (np.logical_and, "bool", "a and b"),
    "logical_or": (np.logical_or, "bool", "a or b"),
    "logical_xor": (np.logical_xor, "bool", "a xor b"),
    "prelu": (lambda x, alpha: np.where(x > 0, x, alpha * x), "float",
              "x if x > 0 else alpha * x, alpha a tensor"),
}


def binary_dtype(rule: str, a, b) -> str:
    """The result dtype of a binary op (NEP 50: Python numbers are weak)."""
    if rule == "bool":
        return "bool"
    if rule == "float":
        return "float32"
    if is_host_scalar(a):
        dt = dtypes.weak_scalar_result(b.dtype, a)
    elif is_host_scalar(b):
        dt = dtypes.weak_scalar_result(a.dtype, b)
    else:
        dt = dtypes.promote(a.dtype, b.dtype)
    return _numeric(dt)


def _make_binary(name: str, rule: str, summary: str):
    def forward(a, b):
        out = binary_dtype(rule, a, b)
        defines = (("INT_MATH", 1),) if out == "int32" else ()
        return run_elementwise(name, [a, b], out, defines=defines)

    def public(a, b):
        a, b = _operand(a, name), _operand(b, name)
        if is_host_scalar(a) and is_host_scalar(b):
            a = convert(a, op=name)
        if not is_host_scalar(a) and not is_host_scalar(b):
            broadcast_shapes(name, a.shape, b.shape)
        return apply(name, [a, b])

    public.__name__ = public.__qualname__ = name
    public.__doc__ = f"""Elementwise {summary}, with numpy broadcasting.

    Python numbers and numpy arrays mix with tensors.

    Example:
        >>> import webtensor as wt
        >>> wt.{name}(wt.tensor([1.0, 2.0]), wt.tensor([[3.0], [0.5]])).shape
        (2, 2)
    """
    return forward, public


def _bgrad(fn):
    """Wrap a rule giving full-shape gradients so they are summed back to each input."""

    def rule(dy, inputs, y, attrs):
        grads = fn(dy, inputs, y, attrs)
        out = []
        for x, g in zip(inputs, grads):
            if g is None or not getattr(x, "_is_tensor", False):
                out.append(None)
            else:
                out.append(sum_to_shape(g, x.shape))
        return out

    return rule


def _zero_grads(dy, inputs, y, attrs):
    return [zeros_like_op(dy), zeros_like_op(dy)]


_BGRADS = {
    "add": lambda dy, i, y, a: [dy, dy],
    "sub": lambda dy, i, y, a: [dy, neg(dy)],
    "mul": lambda dy, i, y, a: [mul(dy, i[1]), mul(dy, i[0])],
    "div": lambda dy, i, y, a: [div(dy, i[1]), neg(div(mul(dy, i[0]), square(i[1])))],
    "floor_div": _zero_grads,
    "mod": lambda dy, i, y, a: [dy, neg(mul(dy, floor(div(i[0], i[1]))))],
    "pow": lambda dy, i, y, a: [
        mul(dy, mul(i[1], pow(i[0], sub(i[1], 1.0)))),
        mul(dy, where(greater(i[0], 0.0), mul(y, log(where(greater(i[0], 0.0), i[0], 1.0))),
                      0.0)),
    ],
    "maximum": lambda dy, i, y, a: [mul(dy, cast(greater_equal(i[0], i[1]), "float32")),
                                    mul(dy, cast(less(i[0], i[1]), "float32"))],
    "minimum": lambda dy, i, y, a: [mul(dy, cast(less_equal(i[0], i[1]), "float32")),
                                    mul(dy, cast(greater(i[0], i[1]), "float32"))],
    "squared_difference": lambda dy, i, y, a: [mul(dy, mul(sub(i[0], i[1]), 2.0)),
                                               mul(dy, mul(sub(i[1], i[0]), 2.0))],
    "atan2": lambda dy, i, y, a: [
        div(mul(dy, i[1]), add(square(i[0]), square(i[1]))),
        neg(div(mul(dy, i[0]), add(square(i[0]), square(i[1])))),
    ],
    "prelu": lambda dy, i, y, a: [
        mul(dy, where(greater(i[0], 0.0), 1.0, i[1])),
        mul(dy, where(greater(i[0], 0.0), 0.0, i[0])),
    ],
}

for _name, (_ref, _rule, _summary) in _BINARY.items():
    _fwd, _pub = _make_binary(_name, _rule, _summary)
    _grad = _BGRADS.get(_name)
    if _grad is None:
        _grad = _zero_grads
    register(_name, _fwd, grad=_bgrad(_grad), reference=_ref, shaders=(_name,), doc=_summary,
             variants=[{"rule": _rule}])
    globals()[_name] = _pub
    tensor_method(_name)(_pub)


# -- where, add_n ----------------------------------------------------------------
def _where_forward(c, a, b):
    out = binary_dtype("arith", a, b) if not (a.dtype == b.dtype == "bool") else "bool"
    return run_elementwise("where", [c, a, b], out)


register("where", _where_forward,
         grad=_bgrad(lambda dy, i, y, a: [None, where(i[0], dy, 0.0), where(i[0], 0.0, dy)]),
         reference=lambda c, a, b: np.where(c, a, b), shaders=("where",),
         doc="pick from a where cond, else from b")


def where(condition, a, b) -> Tensor:
    """Elementwise ``a`` where ``condition`` is true, else ``b`` (all broadcast).

    Example:
        >>> import webtensor as wt
        >>> wt.where(wt.tensor([True, False]), 1.0, wt.tensor([5.0, 6.0])).numpy().tolist()
        [1.0, 6.0]
    """
    c = convert(condition, op="where")
    if c.dtype != "bool":
        raise ValueError(f"where: the condition must be bool, got {c.dtype}")
    a, b = convert_pair(a, b, "where")
    broadcast_shapes("where", c.shape, a.shape, b.shape)
    return apply("where", [c, a, b])


def convert_pair(a, b, op: str) -> tuple[Tensor, Tensor]:
    """Two operands as tensors; a Python number takes the other operand's dtype (weak)."""
    a, b = _operand(a, op), _operand(b, op)
    if is_host_scalar(a) and is_host_scalar(b):
        a = convert(a, op=op)
    if is_host_scalar(a):
        a = convert(a, dtype=dtypes.weak_scalar_result(b.dtype, a), op=op)
    if is_host_scalar(b):
        b = convert(b, dtype=dtypes.weak_scalar_result(a.dtype, b), op=op)
    return a, b


Tensor.where = lambda self, condition, other: where(condition, self, other)


def add_n(tensors: list) -> Tensor:
    """Sum of a list of tensors of the same shape.

    Example:
        >>> import webtensor as wt
        >>> wt.add_n([wt.ones([2]), wt.ones([2]), wt.ones([2])]).numpy().tolist()
        [3.0, 3.0]
    """
    items = [convert(t, op="add_n") for t in tensors]
    if not items:
        raise ValueError("add_n: needs at least one tensor")
    shapes = {t.shape for t in items}
    if len(shapes) > 1:
        raise ValueError(f"add_n: all tensors must have one shape, got {sorted(shapes)}")
    total = items[0]
    for t in items[1:]:
        total = add(total, t)
    return total


# -- operators -------------------------------------------------------------------
def _swap(fn):
    return lambda self, other: fn(other, self)


Tensor.__add__ = lambda s, o: add(s, o)
Tensor.__radd__ = _swap(add)
Tensor.__sub__ = lambda s, o: sub(s, o)
Tensor.__rsub__ = _swap(sub)
Tensor.__mul__ = lambda s, o: mul(s, o)
Tensor.__rmul__ = _swap(mul)
Tensor.__truediv__ = lambda s, o: div(s, o)
Tensor.__rtruediv__ = _swap(div)
Tensor.__floordiv__ = lambda s, o: floor_div(s, o)
Tensor.__rfloordiv__ = _swap(floor_div)
Tensor.__mod__ = lambda s, o: mod(s, o)
Tensor.__rmod__ = _swap(mod)
Tensor.__pow__ = lambda s, o: pow(s, o)
Tensor.__rpow__ = _swap(pow)
Tensor.__neg__ = lambda s: neg(s)
Tensor.__pos__ = lambda s: s
Tensor.__abs__ = lambda s: abs(s)
Tensor.__lt__ = lambda s, o: less(s, o)
Tensor.__le__ = lambda s, o: less_equal(s, o)
Tensor.__gt__ = lambda s, o: greater(s, o)
Tensor.__ge__ = lambda s, o: greater_equal(s, o)
Tensor.__eq__ = lambda s, o: equal(s, o)
Tensor.__ne__ = lambda s, o: not_equal(s, o)
Tensor.__and__ = lambda s, o: logical_and(s, o)
Tensor.__or__ = lambda s, o: logical_or(s, o)
Tensor.__xor__ = lambda s, o: logical_xor(s, o)
Tensor.__invert__ = lambda s: logical_not(s)

UNARY_OPS = tuple(_UNARY)
BINARY_OPS = tuple(_BINARY)

__all__ = [*UNARY_OPS, *BINARY_OPS, "leaky_relu", "clip_by_value", "cast", "where", "add_n"]
