"""Recurrent layers: SimpleRNN, GRU, LSTM and their one-step cells.

Speed plan (per-op dispatch costs ~30-40 us on llvmpipe, so ops are what we count):
the input projection ``x @ kernel + bias`` of all time steps is ONE matmul before the
loop; each time step is then ONE fused kernel (``glsl/rnn_step.glsl``,
``lstm_step.glsl``, ``gru_step.glsl`` [+ ``gru_reset_gate.glsl`` for TF.js's
``reset_after=False`` GRU]) that does ``h @ recurrent_kernel``, adds the projected input
of step ``t``, applies the gate activations and updates the state, writing h and c
together (two render targets for LSTM).

The step kernels are registered (``simple_rnn_step``, ``lstm_step``, ``gru_step``) with a
gradient: the vector-Jacobian product of the same cell written with public ops, so
training and inference run the very same forward kernel. While a gradient tape records,
each step reads its own ``[B, G*u]`` slice of the projection (the slices' gradient is
one concat); otherwise the kernel reads step ``t`` of the whole ``[B, T, G*u]`` tensor.
Activations outside the fused kernels' table (custom functions, softmax, ...) run the
same cell from public ops instead.

Weights (Keras layout, ``get_weights`` order): ``kernel`` [input_dim, G*units],
``recurrent_kernel`` [units, G*units], ``bias`` [G*units] (GRU ``reset_after=True``:
[2, 3*units]); G = 1 (SimpleRNN), 3 (GRU, gates z, r, h), 4 (LSTM, gates i, f, c, o).
They are named ``<layer>/kernel``, ``<layer>/recurrent_kernel``, ``<layer>/bias``.
"""

from __future__ import annotations

import numpy as np

from .. import activations as _activations
from .. import autodiff
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from ..ops.elementwise import add, cast, mul, sub
from ..ops.linalg import matmul
from ..ops.movement import concat, reshape, slice_, split, stack
from ..registry import register
from ..tensor import Tensor, apply, convert, draw
from .base import InputSpec, Layer, layer_factory
from .core import activation_config, set_weight_args, weight_config

# -- activations the fused kernels know (glsl/_recurrent.glsl keeps the same codes) --------
_ACT_CODES = {"linear": 0, "tanh": 1, "sigmoid": 2, "hard_sigmoid": 3, "relu": 4, "relu6": 5,
              "elu": 6, "softsign": 7, "softplus": 8, "selu": 9}
_CODE_NAMES = {v: k for k, v in _ACT_CODES.items()}


def _act_code(fn) -> int | None:
    for name, code in _ACT_CODES.items():
        if _activations.ACTIVATIONS.get(name) is fn:
            return code
    return None


def _act_fn(code: int):
    return _activations.ACTIVATIONS[_CODE_NAMES[code]]


def _np_act(code: int, x: np.ndarray) -> np.ndarray:
    """numpy float64 versions of the coded activations (the kernels' references)."""
    name = _CODE_NAMES[code]
    if name == "linear":
        return x
    if name == "tanh":
        return np.tanh(x)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    if name == "hard_sigmoid":
        return np.clip(0.2 * x + 0.5, 0.0, 1.0)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "relu6":
        return np.clip(x, 0.0, 6.0)
    if name == "elu":
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))
    if name == "softsign":
        return x / (1.0 + np.abs(x))
    if name == "softplus":
        return np.logaddexp(0.0, x)
    return 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 *
                                         np.expm1(np.minimum(x, 0.0)))


def _taping() -> bool:
    return any(not tape.paused for tape in autodiff.TAPES)


# -- step kernels ---------------------------------------------------------------------
def _xw_uniforms(xw: Tensor, gu: int, t: int, size: int, units: int) -> dict:
    if xw.rank == 3:
        bstride, off = xw.shape[1] * gu, int(t) * gu
    else:
        bstride, off = gu, 0
    return {"u_units": units, "u_size": size, "u_xw_bstride": bstride, "u_xw_off": off}


def _xw_at(xw: Tensor, t: int) -> Tensor:
    """Step ``t`` of a projected input (``xw`` itself when it is one step, [B, G*u])."""
    if xw.rank == 2:
        return xw
    b, _, g = xw.shape
    return reshape(slice_(xw, [0, int(t), 0], [b, 1, g]), (b, g))


def _check_step(op: str, xw: Tensor, hm: Tensor, ut: Tensor, gates: int) -> None:
    if hm.rank != 2 or ut.shape != (gates * hm.shape[1], hm.shape[1]):
        raise ValueError(f"{op}: expected h [B, u] and transposed recurrent kernel "
                         f"[{gates}u, u], got {list(hm.shape)} and {list(ut.shape)}")
    if xw.rank not in (2, 3) or xw.shape[0] != hm.shape[0] or xw.shape[-1] != ut.shape[0]:
        raise ValueError(f"{op}: projected input {list(xw.shape)} does not fit h "
                         f"{list(hm.shape)} and recurrent kernel {list(ut.shape)}")


def _mm(hm, ut):
    return matmul(hm, ut, transpose_b=True)


def _rnn_cell_ops(xw, hm, ut, act=1, t=0):
    """SimpleRNN step from public ops: ``act(xw_t + hm @ ut^T)``."""
    return _act_fn(act)(add(_xw_at(xw, t), _mm(hm, ut)))


def _lstm_cell_ops(xw, hm, c, ut, act=1, ract=2, t=0):
    """LSTM step from public ops; returns [h, c]."""
    return _lstm_math(add(_xw_at(xw, t), _mm(hm, ut)), c, _act_fn(act), _act_fn(ract))


def _lstm_math(z, c, a, ra):
    zi, zf, zc, zo = split(z, 4, -1)
    c_new = add(mul(ra(zf), c), mul(ra(zi), a(zc)))
    return [mul(ra(zo), a(c_new)), c_new]


def _gru_cell_ops(xw, hm, h, ut, rb=None, act=1, ract=2, reset_after=False, t=0):
    """GRU step from public ops (Keras gate order z, r, h)."""
    return _gru_math(_xw_at(xw, t), hm, h, ut, rb, _act_fn(act), _act_fn(ract), reset_after)


def _gru_math(xw_t, hm, h, ut, rb, a, ra, reset_after):
    xz, xr, xh = split(xw_t, 3, -1)
    if reset_after:
        m = _mm(hm, ut)
        if rb is not None:
            m = add(m, rb)
        mz, mr, mh = split(m, 3, -1)
        z = ra(add(xz, mz))
        r = ra(add(xr, mr))
        hh = a(add(xh, mul(r, mh)))
    else:
        uz, ur, uh = split(ut, 3, 0)
        z = ra(add(xz, _mm(hm, uz)))
        r = ra(add(xr, _mm(hm, ur)))
        hh = a(add(xh, _mm(mul(r, hm), uh)))
    return add(mul(z, h), mul(sub(1.0, z), hh))


def _vjp_grad(cell_ops):
    """A kernel gradient: the VJP of ``cell_ops`` (the same step in public ops)."""

    def grad(dy, inputs, y, attrs):
        from ..autodiff import compute_gradients

        dys = list(dy) if isinstance(dy, (list, tuple)) else [dy]
        # one entry per distinct tensor (GRU passes h twice: as HM and as H)
        idx, seen = [], set()
        for i, x in enumerate(inputs):
            if getattr(x, "_is_tensor", False) and x.id not in seen:
                seen.add(x.id)
                idx.append(i)

        def f(*ts):
            swap = {inputs[i].id: tv for i, tv in zip(idx, ts, strict=True)}
            args = [swap.get(x.id, x) if getattr(x, "_is_tensor", False) else x
                    for x in inputs]
            outs = cell_ops(*args, **attrs)
            return concat(outs, -1) if isinstance(outs, list) else outs

        seed = concat(dys, -1) if len(dys) > 1 else dys[0]
        value, gs = compute_gradients(f, [inputs[i] for i in idx], dy=seed,
                                      allow_unconnected=True)
        value.dispose()
        out = [None] * len(inputs)
        for i, g in zip(idx, gs, strict=True):
            out[i] = g
        return out

    return grad


def _defines(units: int, **codes) -> tuple:
    return tuple(sorted({"ALIGNED": int(units % 4 == 0),
                         **{k.upper(): int(v) for k, v in codes.items()}}.items()))


def _rnn_step_forward(xw, hm, ut, act=1, t=0):
    _check_step("simple_rnn_step", xw, hm, ut, 1)
    units = hm.shape[1]
    return draw("rnn_step", [("XW", xw), ("HM", hm), ("UT", ut)], hm.shape, "float32",
                _xw_uniforms(xw, units, t, hm.size, units), _defines(units, act=act))


def _lstm_step_forward(xw, hm, c, ut, act=1, ract=2, t=0):
    _check_step("lstm_step", xw, hm, ut, 4)
    units = hm.shape[1]
    return draw("lstm_step", [("XW", xw), ("HM", hm), ("C", c), ("UT", ut)], hm.shape,
                "float32", _xw_uniforms(xw, 4 * units, t, hm.size, units),
                _defines(units, act=act, ract=ract), outputs=2)


def _gru_step_forward(xw, hm, h, ut, rb=None, act=1, ract=2, reset_after=False, t=0):
    _check_step("gru_step", xw, hm, ut, 3)
    units = hm.shape[1]
    unis = _xw_uniforms(xw, 3 * units, t, hm.size, units)
    defines = _defines(units, act=act, ract=ract, reset_after=bool(reset_after))
    ins = [("XW", xw), ("HM", hm), ("H", h), ("UT", ut)]
    if reset_after:
        if rb is not None:
            return draw("gru_step", [*ins, ("RB", rb)], hm.shape, "float32", unis, defines)
        zero = convert(np.zeros(3 * units, np.float32))
        out = draw("gru_step", [*ins, ("RB", zero)], hm.shape, "float32", unis, defines)
        zero.dispose()
        return out
    rh = draw("gru_reset_gate", [("XW", xw), ("HM", hm), ("UT", ut)], hm.shape, "float32",
              unis, _defines(units, ract=ract))
    out = draw("gru_step", [*ins, ("RH", rh)], hm.shape, "float32", unis, defines)
    rh.dispose()
    return out


# numpy references (float64), also used by the tests
def _np_xw_at(xw, t):
    return xw if xw.ndim == 2 else xw[:, int(t)]


def ref_simple_rnn_step(xw, hm, ut, act=1, t=0):
    """numpy SimpleRNN step (the ``simple_rnn_step`` kernel's reference); ``ut`` = U^T.

    Example:
        >>> import numpy as np
        >>> from webtensor.layers.recurrent import ref_simple_rnn_step
        >>> ref_simple_rnn_step(np.zeros((1, 2)), np.ones((1, 2)), np.eye(2), act=0).tolist()
        [[1.0, 1.0]]
    """
    return _np_act(act, _np_xw_at(xw, t) + hm @ ut.T)


def ref_lstm_step(xw, hm, c, ut, act=1, ract=2, t=0):
    """numpy LSTM step (gates i, f, c, o; ``ut`` = recurrent kernel transposed) -> [h, c].

    Example:
        >>> import numpy as np
        >>> from webtensor.layers.recurrent import ref_lstm_step
        >>> h, c = ref_lstm_step(np.zeros((1, 4)), np.zeros((1, 1)), np.ones((1, 1)),
        ...                      np.zeros((4, 1)))
        >>> c.tolist()
        [[0.5]]
    """
    z = _np_xw_at(xw, t) + hm @ ut.T
    zi, zf, zc, zo = np.split(z, 4, -1)
    c_new = _np_act(ract, zf) * c + _np_act(ract, zi) * _np_act(act, zc)
    return [_np_act(ract, zo) * _np_act(act, c_new), c_new]


def ref_gru_step(xw, hm, h, ut, rb=None, act=1, ract=2, reset_after=False, t=0):
    """numpy GRU step (gates z, r, h; Keras ``reset_after`` semantics; ``ut`` = U^T).

    Example:
        >>> import numpy as np
        >>> from webtensor.layers.recurrent import ref_gru_step
        >>> ref_gru_step(np.zeros((1, 3)), np.ones((1, 1)), np.ones((1, 1)),
        ...              np.zeros((3, 1))).tolist()
        [[0.5]]
    """
    xz, xr, xh = np.split(_np_xw_at(xw, t), 3, -1)
    u_mat = ut.T
    u = hm.shape[1]
    if reset_after:
        m = hm @ u_mat + (0.0 if rb is None else rb)
        z = _np_act(ract, xz + m[:, :u])
        r = _np_act(ract, xr + m[:, u:2 * u])
        hh = _np_act(act, xh + r * m[:, 2 * u:])
    else:
        z = _np_act(ract, xz + hm @ u_mat[:, :u])
        r = _np_act(ract, xr + hm @ u_mat[:, u:2 * u])
        hh = _np_act(act, xh + (r * hm) @ u_mat[:, 2 * u:])
    return z * h + (1.0 - z) * hh


def _rand(shape, seed, scale=1.0):
    return (np.random.default_rng(seed).uniform(-1, 1, shape) * scale).astype(np.float32)


def _rnn_cases():
    return [
        ((_rand((3, 5), 1), _rand((3, 5), 2), _rand((5, 5), 3, 0.5)), {"act": 1}),
        ((_rand((2, 4, 3), 4), _rand((2, 3), 5), _rand((3, 3), 6)), {"act": 4, "t": 2}),
        ((_rand((1, 1), 7), _rand((1, 1), 8), _rand((1, 1), 9)), {"act": 0}),
        ((_rand((3, 5, 8), 10), _rand((3, 8), 11), _rand((8, 8), 12, 0.5)), {"t": 4}),
    ]


def _lstm_cases():
    return [
        ((_rand((3, 20), 1), _rand((3, 5), 2), _rand((3, 5), 3), _rand((20, 5), 4, 0.5)), {}),
        ((_rand((2, 3, 12), 5), _rand((2, 3), 6), _rand((2, 3), 7), _rand((12, 3), 8)),
         {"act": 4, "ract": 3, "t": 1}),
        ((_rand((3, 4, 32), 9), _rand((3, 8), 10), _rand((3, 8), 11), _rand((32, 8), 12, 0.5)),
         {"t": 3}),
    ]


def _gru_cases():
    return [
        ((_rand((3, 15), 1), _rand((3, 5), 2), _rand((3, 5), 3), _rand((15, 5), 4, 0.5), None),
         {}),
        ((_rand((2, 4, 9), 5), _rand((2, 3), 6), _rand((2, 3), 7), _rand((9, 3), 8),
          _rand((9,), 9)), {"reset_after": True, "t": 3}),
        ((_rand((2, 9), 10), _rand((2, 3), 11), _rand((2, 3), 12), _rand((9, 3), 13), None),
         {"reset_after": False, "ract": 3, "act": 4}),
        ((_rand((3, 2, 24), 14), _rand((3, 8), 15), _rand((3, 8), 16), _rand((24, 8), 17, 0.5),
          None), {"t": 1}),
        ((_rand((3, 24), 18), _rand((3, 8), 19), _rand((3, 8), 20), _rand((24, 8), 21, 0.5),
          _rand((24,), 22)), {"reset_after": True}),
    ]


register("simple_rnn_step", _rnn_step_forward, grad=_vjp_grad(_rnn_cell_ops),
         reference=ref_simple_rnn_step, shaders=("rnn_step",), cases=_rnn_cases,
         tolerance=(2e-5, 2e-6), doc="fused SimpleRNN time step")
register("lstm_step", _lstm_step_forward, grad=_vjp_grad(_lstm_cell_ops),
         reference=ref_lstm_step, shaders=("lstm_step",), cases=_lstm_cases,
         tolerance=(2e-5, 2e-6), doc="fused LSTM time step (h and c)")
register("gru_step", _gru_step_forward, grad=_vjp_grad(_gru_cell_ops),
         reference=ref_gru_step, shaders=("gru_reset_gate", "gru_step"), cases=_gru_cases,
         tolerance=(2e-5, 2e-6), doc="fused GRU time step")


# -- cells ------------------------------------------------------------------------------
def _dropout_mask(rng: np.random.Generator, shape: tuple, rate: float) -> Tensor:
    keep = rng.random(shape) >= rate
    return convert(keep.astype(np.float32) * np.float32(1.0 / (1.0 - rate)), op="dropout")


class _Cell(Layer):
    """Shared machinery of the three cells (weights, projection, fused step)."""

    GATES = 1
    STATES = 1

    def __init__(self, units: int, activation="tanh", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if int(units) < 1:
            raise ValueError(f"{type(self).__name__}: units must be a positive integer, "
                             f"got {units}")
        for what, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= float(rate) < 1.0:
                raise ValueError(f"{type(self).__name__}: {what} must be in [0, 1), got {rate}")
        self.units = int(units)
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_args(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_args(self, "recurrent", recurrent_initializer, recurrent_regularizer,
                        recurrent_constraint)
        set_weight_args(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self._rng = np.random.default_rng()

    @property
    def state_size(self) -> list[int]:
        """Sizes of the states (h; LSTM: h and c)."""
        return [self.units] * self.STATES

    def _bias_shape(self) -> tuple:
        return (self.GATES * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape) -> None:
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the last dimension of the "
                             f"input must be known, got {list(input_shape)}")
        g = self.GATES * self.units
        self.kernel = self.add_weight("kernel", (in_dim, g), self.kernel_initializer,
                                      self.kernel_regularizer, self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, g),
                                                self.recurrent_initializer,
                                                self.recurrent_regularizer,
                                                self.recurrent_constraint)
        self.bias = (self.add_weight("bias", self._bias_shape(), self._bias_initializer(),
                                     self.bias_regularizer, self.bias_constraint)
                     if self.use_bias else None)
        self.built = True

    # -- the fast path used by the layers --------------------------------------------
    def _input_bias(self):
        return self.bias

    def project(self, x: Tensor) -> Tensor:
        """``x @ kernel + input bias`` for every leading index: [..., D] -> [..., G*u]."""
        lead = x.shape[:-1]
        y = matmul(reshape(x, (-1, x.shape[-1])), self.kernel)
        b = self._input_bias()
        if b is not None:
            y = add(y, b)
        return reshape(y, (*lead, y.shape[-1]))

    def _codes(self) -> tuple[int | None, int | None]:
        ract = getattr(self, "recurrent_activation", None)
        return _act_code(self.activation), (_act_code(ract) if ract is not None else 2)

    def transposed_recurrent_kernel(self) -> Tensor:
        """The recurrent kernel as the step kernels read it: [G*u, u]."""
        from ..ops.movement import transpose

        return transpose(self.recurrent_kernel)

    def step(self, xw: Tensor, t: int, states: list, rec_mask: Tensor | None,
             ut: Tensor | None = None, rb: Tensor | None = None) -> list:
        """New states after step ``t`` of the projected input ``xw`` (``ut``: see above)."""
        raise TypeError(f"{type(self).__name__} is abstract")

    def initial_states(self, batch: int) -> list[Tensor]:
        """Zero states for a batch."""
        from ..ops.creation import zeros

        return [zeros((batch, self.units)) for _ in range(self.STATES)]

    def call(self, inputs, states=None, training: bool = False):
        """One step: ``inputs`` [B, D] (or [x, *states]); returns ``(h, [new states])``."""
        if isinstance(inputs, (list, tuple)):
            inputs, states = inputs[0], list(inputs[1:])
        x = inputs if inputs.dtype == "float32" else cast(inputs, "float32")
        if states is None:
            states = self.initial_states(x.shape[0])
        states = [convert(s, op=self.name) for s in
                  (states if isinstance(states, (list, tuple)) else [states])]
        if len(states) != self.STATES:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected {self.STATES} "
                             f"state(s), got {len(states)}")
        if training and self.dropout:
            x = mul(x, _dropout_mask(self._rng, x.shape, self.dropout))
        rec_mask = (_dropout_mask(self._rng, states[0].shape, self.recurrent_dropout)
                    if training and self.recurrent_dropout else None)
        new = self.step(self.project(x), 0, states, rec_mask)
        return new[0], new

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        return (input_shape[0], self.units)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(units=self.units, activation=activation_config(self.activation),
                      use_bias=self.use_bias,
                      kernel_initializer=_initializers.serialize(self.kernel_initializer),
                      recurrent_initializer=_initializers.serialize(self.recurrent_initializer),
                      bias_initializer=_initializers.serialize(self.bias_initializer),
                      kernel_regularizer=_regularizers.serialize(self.kernel_regularizer),
                      recurrent_regularizer=_regularizers.serialize(self.recurrent_regularizer),
                      bias_regularizer=_regularizers.serialize(self.bias_regularizer))
        wc = weight_config(self, "kernel", "recurrent", "bias")
        config.update(kernel_constraint=wc["kernel_constraint"],
                      recurrent_constraint=wc["recurrent_constraint"],
                      bias_constraint=wc["bias_constraint"],
                      dropout=self.dropout, recurrent_dropout=self.recurrent_dropout)
        return config


class SimpleRNNCell(_Cell):
    """One step of a fully connected RNN: ``h' = activation(x @ kernel + h @ U + bias)``.

    Args:
        units: state size.
        activation: default 'tanh'.
        use_bias, kernel_initializer ('glorot_uniform'), recurrent_initializer
        ('orthogonal'), bias_initializer ('zeros'), *_regularizer, *_constraint,
        dropout, recurrent_dropout: as in Keras.

    Example:
        >>> import webtensor as wt
        >>> cell = wt.layers.SimpleRNNCell(3)
        >>> h, states = cell(wt.ones([2, 4]), states=[wt.zeros([2, 3])])
        >>> h.shape, len(states)
        ((2, 3), 1)
    """

    GATES = 1
    STATES = 1

    def step(self, xw, t, states, rec_mask, ut=None, rb=None):
        (h,) = states
        hm = mul(h, rec_mask) if rec_mask is not None else h
        ut = self.transposed_recurrent_kernel() if ut is None else ut
        act, _ = self._codes()
        if act is None:
            return [self.activation(add(_xw_at(xw, t), _mm(hm, ut)))]
        return [apply("simple_rnn_step", [xw, hm, ut], act=act, t=int(t))]


class LSTMCell(_Cell):
    """One LSTM step (gates i, f, c, o as Keras); states ``[h, c]``.

    Args:
        units: state size.
        activation: default 'tanh'. recurrent_activation: default 'sigmoid' (Keras);
            'hard_sigmoid' is TF.js's ``clip(0.2x + 0.5, 0, 1)``.
        unit_forget_bias: initialize the forget gate's bias to ones (default True).
        Other arguments as ``SimpleRNNCell``.

    Example:
        >>> import webtensor as wt
        >>> cell = wt.layers.recurrent.LSTMCell(2)
        >>> h, (h2, c) = cell(wt.ones([1, 3]))
        >>> h.shape, c.shape
        ((1, 2), (1, 2))
    """

    GATES = 4
    STATES = 2

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias: bool = True, **kwargs) -> None:
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = _activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, u = self.bias_initializer, self.units

        def forget_ones(shape):
            return np.concatenate([init((u,)), np.ones(u, np.float32), init((2 * u,))])

        return forget_ones

    def step(self, xw, t, states, rec_mask, ut=None, rb=None):
        h, c = states
        hm = mul(h, rec_mask) if rec_mask is not None else h
        ut = self.transposed_recurrent_kernel() if ut is None else ut
        act, ract = self._codes()
        if act is None or ract is None:
            return _lstm_math(add(_xw_at(xw, t), _mm(hm, ut)), c, self.activation,
                              self.recurrent_activation)
        return list(apply("lstm_step", [xw, hm, c, ut], act=act, ract=ract, t=int(t)))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(recurrent_activation=activation_config(self.recurrent_activation),
                      unit_forget_bias=self.unit_forget_bias)
        return config


class GRUCell(_Cell):
    """One GRU step (gates z, r, h as Keras).

    Args:
        units: state size.
        activation: default 'tanh'. recurrent_activation: default 'sigmoid'.
        reset_after: False (TF.js's GRU; bias [3*units], reset gate applied before the
            recurrent matmul) or True (Keras-converted models; bias [2, 3*units], input
            and recurrent biases, reset gate applied after the matmul).
        Other arguments as ``SimpleRNNCell``.

    Example:
        >>> import webtensor as wt
        >>> cell = wt.layers.recurrent.GRUCell(2, reset_after=True)
        >>> h, _ = cell(wt.ones([1, 3])); [w.shape for w in cell.weights]
        [(3, 6), (2, 6), (2, 6)]
    """

    GATES = 3
    STATES = 1

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 reset_after: bool = False, **kwargs) -> None:
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = _activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        if self.bias is None or not self.reset_after:
            return self.bias
        return reshape(slice_(self.bias, [0, 0], [1, 3 * self.units]), (3 * self.units,))

    def _recurrent_bias(self):
        if self.bias is None or not self.reset_after:
            return None
        return reshape(slice_(self.bias, [1, 0], [1, 3 * self.units]), (3 * self.units,))

    def step(self, xw, t, states, rec_mask, ut=None, rb=None):
        (h,) = states
        hm = mul(h, rec_mask) if rec_mask is not None else h
        ut = self.transposed_recurrent_kernel() if ut is None else ut
        if rb is None and self.reset_after:
            rb = self._recurrent_bias()
        act, ract = self._codes()
        if act is None or ract is None:
            return [_gru_math(_xw_at(xw, t), hm, h, ut, rb, self.activation,
                              self.recurrent_activation, self.reset_after)]
        return [apply("gru_step", [xw, hm, h, ut, rb], act=act, ract=ract,
                      reset_after=self.reset_after, t=int(t))]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(recurrent_activation=activation_config(self.recurrent_activation),
                      reset_after=self.reset_after)
        return config


# -- layers -----------------------------------------------------------------------------
_CELL_ARGS = ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
              "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
              "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
              "dropout", "recurrent_dropout", "recurrent_activation", "unit_forget_bias",
              "reset_after")


class _Recurrent(Layer):
    """A recurrent layer: runs its cell over the time axis of [batch, time, features]."""

    CELL: type = _Cell

    def __init__(self, units: int, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 activity_regularizer=None, implementation: int = 2, time_major: bool = False,
                 **kwargs) -> None:
        cell_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _CELL_ARGS}
        kwargs.pop("cell", None)
        super().__init__(**kwargs)
        if stateful:
            raise ValueError(f"{type(self).__name__}: stateful=True is not supported")
        if time_major:
            raise ValueError(f"{type(self).__name__}: time_major=True is not supported")
        self.cell = self.CELL(units, name=self.name, **cell_kwargs)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.unroll = bool(unroll)
        self.implementation = int(implementation)
        self.activity_regularizer = _regularizers.get(activity_regularizer)
        self.input_spec = InputSpec(ndim=3)

    def __getattr__(self, name: str):
        # units, activation, dropout, ... live on the cell
        if name != "cell" and "cell" in self.__dict__ and name in _CELL_ARGS + (
                "kernel", "recurrent_kernel", "bias", "state_size"):
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def __call__(self, inputs, initial_state=None, **kwargs):
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [
                initial_state]
            inputs = [inputs, *states]
        return super().__call__(inputs, **kwargs)

    def build(self, input_shape) -> None:
        shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        if len(shape) != 3:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected input of rank 3 "
                             f"[batch, time, features], got shape {list(shape)}")
        self.cell.name = self.name
        if not self.cell.built:
            self.cell.build((shape[0], shape[2]))
        # the layer's weights are its cell's (named <layer>/kernel, ...)
        self._trainable_weights = self.cell._trainable_weights
        self._non_trainable_weights = self.cell._non_trainable_weights
        self._regularized = self.cell._regularized
        self._constraints = self.cell._constraints
        self.input_spec = InputSpec(ndim=3, axes={-1: shape[2]})
        self.built = True

    def _check_input(self, input_shape) -> None:
        shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        if self.input_spec is not None:
            self.input_spec.check(self.name, shape)

    def call(self, inputs, training: bool = False, initial_state=None, mask=None):
        if isinstance(inputs, (list, tuple)):
            inputs, init = inputs[0], list(inputs[1:])
        else:
            init = []
        if initial_state is not None:
            init = list(initial_state) if isinstance(initial_state, (list, tuple)) else [
                initial_state]
        x = convert(inputs, op=self.name)
        if x.dtype != "float32":
            x = cast(x, "float32")
        if x.rank != 3:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected input of rank 3, "
                             f"got shape {list(x.shape)}")
        cell = self.cell
        batch, steps, _ = x.shape
        if init:
            init = [convert(s, op=self.name) for s in init]
            if len(init) != cell.STATES or any(s.shape != (batch, cell.units) for s in init):
                raise ValueError(
                    f"{type(self).__name__} {self.name!r}: initial_state must be "
                    f"{cell.STATES} tensor(s) of shape {[batch, cell.units]}, got "
                    f"{[list(s.shape) for s in init]}")
            states = list(init)
        else:
            states = cell.initial_states(batch)
        own = {id(s) for s in states} if not init else set()
        taping = _taping()
        if training and cell.dropout:
            x = mul(x, _dropout_mask(cell._rng, (batch, 1, x.shape[2]), cell.dropout))
        rec_mask = (_dropout_mask(cell._rng, (batch, cell.units), cell.recurrent_dropout)
                    if training and cell.recurrent_dropout else None)
        xw = cell.project(x)
        extra = {"ut": cell.transposed_recurrent_kernel()}
        if isinstance(cell, GRUCell) and cell.reset_after and cell.bias is not None:
            extra["rb"] = cell._recurrent_bias()
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outs = []
        for t in order:
            if taping:
                new = cell.step(_xw_at(xw, t), 0, states, rec_mask, **extra)
            else:
                new = cell.step(xw, t, states, rec_mask, **extra)
                for i, s in enumerate(states):  # free what no one else holds
                    if id(s) in own and not (i == 0 and self.return_sequences):
                        s.dispose()
                own = {id(s) for s in new}
            states = new
            if self.return_sequences:
                outs.append(states[0])
        if steps == 0:
            output = (reshape(states[0], (batch, 0, cell.units)) if self.return_sequences
                      else states[0])
        elif self.return_sequences:
            output = stack(outs, 1)
            if not taping:
                for o in outs[:-1] if self.return_state else outs:
                    o.dispose()
        else:
            output = states[0]
        if not taping:
            xw.dispose()
            for v in extra.values():
                v.dispose()
        if self.return_state:
            return [output, *states]
        return output

    def compute_output_shape(self, input_shape):
        shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        units = self.cell.units
        out = (shape[0], shape[1], units) if self.return_sequences else (shape[0], units)
        if self.return_state:
            return [out] + [(shape[0], units)] * self.cell.STATES
        return out

    def get_config(self) -> dict:
        config = super().get_config()
        cell_config = self.cell.get_config()
        for k in ("name", "trainable", "dtype", "batch_input_shape"):
            cell_config.pop(k, None)
        config.update(cell_config)
        config.update(return_sequences=self.return_sequences, return_state=self.return_state,
                      go_backwards=self.go_backwards, stateful=False, unroll=self.unroll,
                      implementation=self.implementation,
                      activity_regularizer=_regularizers.serialize(self.activity_regularizer))
        return config


class SimpleRNN(_Recurrent):
    """Fully connected RNN [tf.layers.simpleRNN]: ``h_t = act(x_t @ W + h_{t-1} @ U + b)``.

    Input [batch, time, features]; output the last h [batch, units], or every h
    [batch, time, units] with ``return_sequences``; ``return_state`` appends the final
    state. ``go_backwards`` processes time in reverse (sequences come out in processing
    order). Call with ``initial_state=[h0]`` to start from a given state.

    Args:
        units: state size. activation: default 'tanh'. use_bias, kernel_initializer
        ('glorot_uniform'), recurrent_initializer ('orthogonal'), bias_initializer
        ('zeros'), *_regularizer, *_constraint, dropout, recurrent_dropout (training
        only), return_sequences, return_state, go_backwards: as in Keras.

    Example:
        >>> import webtensor as wt
        >>> layer = wt.layers.SimpleRNN(4, return_sequences=True)
        >>> layer(wt.ones([2, 5, 3])).shape
        (2, 5, 4)
    """

    CELL = SimpleRNNCell

    def __init__(self, units: int, **kwargs) -> None:
        super().__init__(units, **kwargs)


class LSTM(_Recurrent):
    """Long short-term memory [tf.layers.lstm]; gates i, f, c, o as Keras.

    States are ``[h, c]`` (``return_state`` gives ``[output, h, c]``;
    ``initial_state=[h0, c0]``). ``recurrent_activation`` defaults to 'sigmoid'
    (Keras); ``unit_forget_bias`` (default True) starts the forget bias at one.
    Other arguments as ``SimpleRNN``.

    Example:
        >>> import webtensor as wt
        >>> out, h, c = wt.layers.recurrent.LSTM(3, return_state=True)(wt.ones([2, 4, 5]))
        >>> out.shape, c.shape
        ((2, 3), (2, 3))
    """

    CELL = LSTMCell

    def __init__(self, units: int, **kwargs) -> None:
        super().__init__(units, **kwargs)


class GRU(_Recurrent):
    """Gated recurrent unit [tf.layers.gru]; gates z, r, h as Keras.

    ``reset_after=False`` (default, TF.js's GRU, bias [3*units]) or ``True``
    (Keras-converted models, bias [2, 3*units]). Other arguments as ``SimpleRNN``.

    Example:
        >>> import webtensor as wt
        >>> wt.layers.recurrent.GRU(3, go_backwards=True)(wt.ones([2, 4, 5])).shape
        (2, 3)
    """

    CELL = GRUCell

    def __init__(self, units: int, **kwargs) -> None:
        super().__init__(units, **kwargs)


simple_rnn = layer_factory(SimpleRNN, "simple_rnn",
    "wt.layers.simple_rnn(units=2)(wt.ones([1, 3, 4])).shape\n        (1, 2)")
lstm = layer_factory(LSTM, "lstm",
    "wt.layers.lstm({'units': 2, 'returnSequences': True})"
                "(wt.ones([1, 3, 4])).shape\n        (1, 3, 2)")
gru = layer_factory(GRU, "gru",
    "wt.layers.gru(units=2)(wt.ones([1, 3, 4])).shape\n        (1, 2)")
simple_rnn_cell = layer_factory(SimpleRNNCell, "simple_rnn_cell",
    "wt.layers.simple_rnn_cell(units=2).units\n        2")
lstm_cell = layer_factory(LSTMCell, "lstm_cell",
    "wt.layers.lstm_cell(units=2).units\n        2")
gru_cell = layer_factory(GRUCell, "gru_cell",
    "wt.layers.gru_cell(units=2).units\n        2")

__all__ = ["SimpleRNN", "GRU", "LSTM", "SimpleRNNCell", "GRUCell", "LSTMCell", "simple_rnn",
           "gru", "lstm", "simple_rnn_cell", "gru_cell", "lstm_cell"]
