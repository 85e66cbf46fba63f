"""Weight initializers with Keras semantics (``kernel_initializer='glorot_uniform'``).

An initializer is called with a shape and returns a float32 numpy array; layers turn
it into a Variable. Random ones draw from ``numpy.random.default_rng(seed)`` (a new
draw per call when ``seed`` is None).

Example:
    >>> import webtensor as wt
    >>> wt.initializers.get("Ones")((2, 2)).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
"""

from __future__ import annotations

import math

import numpy as np

from .identifiers import name_key, resolve

_GLOBAL_RNG = np.random.default_rng()


def set_seed(seed: int | None) -> None:
    """Seed the generator of every initializer created without its own ``seed``.

    Example:
        >>> import webtensor as wt
        >>> wt.initializers.set_seed(3); a = wt.initializers.glorot_uniform()([2, 2])
        >>> wt.initializers.set_seed(3); b = wt.initializers.glorot_uniform()([2, 2])
        >>> bool((a == b).all())
        True
    """
    global _GLOBAL_RNG
    _GLOBAL_RNG = np.random.default_rng(seed)


def compute_fans(shape) -> tuple[float, float]:
    """Keras's (fan_in, fan_out) of a weight shape (conv kernels: receptive field × channels).

    Example:
        >>> from webtensor.initializers import compute_fans
        >>> compute_fans((3, 3, 4, 8))
        (36.0, 72.0)
    """
    shape = tuple(shape)
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = math.prod(shape[:-2])
    return float(shape[-2] * receptive), float(shape[-1] * receptive)


class Initializer:
    """Base class: ``init(shape)`` -> float32 numpy array; ``get_config``/``from_config``.

    Example:
        >>> import webtensor as wt
        >>> init = wt.initializers.Constant(3.0)
        >>> type(init).from_config(init.get_config())((2,)).tolist()
        [3.0, 3.0]
    """

    def __call__(self, shape, dtype: str = "float32") -> np.ndarray:
        return np.asarray(self.generate(tuple(int(d) for d in shape)), dtype=np.float32)

    def generate(self, shape: tuple) -> np.ndarray:
        """The values for ``shape`` (subclasses implement)."""
        raise TypeError(f"{type(self).__name__} does not generate values")

    def get_config(self) -> dict:
        """Constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        """A new initializer from ``get_config()`` output."""
        return cls(**config)

    def _rng(self):
        seed = getattr(self, "seed", None)
        return _GLOBAL_RNG if seed is None else np.random.default_rng(seed)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros.

    Example:
        >>> import webtensor as wt
        >>> wt.initializers.Zeros()((2,)).tolist()
        [0.0, 0.0]
    """

    def generate(self, shape):
        return np.zeros(shape)


class Ones(Initializer):
    """All ones.

    Example:
        >>> import webtensor as wt
        >>> wt.initializers.Ones()((2,)).tolist()
        [1.0, 1.0]
    """

    def generate(self, shape):
        return np.ones(shape)


class Constant(Initializer):
    """Every element ``value``.

    Example:
        >>> import webtensor as wt
        >>> wt.initializers.Constant(0.5)((2,)).tolist()
        [0.5, 0.5]
    """

    def __init__(self, value: float = 0.0) -> None:
        self.value = float(value)

    def generate(self, shape):
        return np.full(shape, self.value)

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    """Normal(mean, stddev) (Keras default stddev 0.05).

    Example:
        >>> import webtensor as wt
        >>> wt.initializers.RandomNormal(seed=1)((3, 4)).shape
        (3, 4)
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean, self.stddev, self.seed = float(mean), float(stddev), seed

    def generate(self, shape):
        return self._rng().normal(self.mean, self.stddev, shape)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    """Uniform on [minval, maxval) (Keras default ±0.05).

    Example:
        >>> import webtensor as wt
        >>> bool((abs(wt.initializers.RandomUniform(seed=1)((100,))) <= 0.05).all())
        True
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05,
                 seed: int | None = None) -> None:
        self.minval, self.maxval, self.seed = float(minval), float(maxval), seed

    def generate(self, shape):
        return self._rng().uniform(self.minval, self.maxval, shape)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated(rng, mean: float, stddev: float, shape) -> np.ndarray:
    """Normal samples redrawn until within two standard deviations of the mean."""
    out = rng.normal(0.0, 1.0, shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.normal(0.0, 1.0, int(bad.sum()))
        bad = np.abs(out) > 2.0
    return out * stddev + mean


class TruncatedNormal(Initializer):
    """Normal(mean, stddev) with values beyond two stddevs redrawn (Keras default 0.05).

    Example:
        >>> import webtensor as wt
        >>> bool((abs(wt.initializers.TruncatedNormal(seed=1)((100,))) <= 0.1).all())
        True
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean, self.stddev, self.seed = float(mean), float(stddev), seed

    def generate(self, shape):
        return _truncated(self._rng(), self.mean, self.stddev, shape)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(Initializer):
    """Keras's variance scaling: variance ``scale / n`` with ``n`` the fan_in, fan_out or average.

    ``distribution``: 'truncated_normal' (stddev corrected by 0.8796..., as Keras; 'normal'
    is accepted as this), 'untruncated_normal' or 'uniform' (limit ``sqrt(3 scale / n)``).

    Example:
        >>> import webtensor as wt
        >>> w = wt.initializers.VarianceScaling(2.0, "fan_in", "uniform", seed=0)((50, 10))
        >>> bool(abs(w).max() <= (6 / 50) ** 0.5)
        True
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None) -> None:
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive, got {scale}")
        mode = {"fanin": "fan_in", "fanout": "fan_out", "fanavg": "fan_avg"}.get(
            name_key(mode), mode)
        if mode not in self._MODES:
            raise ValueError(f"VarianceScaling: unknown mode {mode!r}; valid: {self._MODES}")
        dist = {"normal": "truncated_normal", "truncatednormal": "truncated_normal",
                "untruncatednormal": "untruncated_normal"}.get(name_key(distribution),
                                                              distribution)
        if dist not in self._DISTS:
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}; "
                             f"valid: {self._DISTS}")
        self.scale, self.mode, self.distribution, self.seed = float(scale), mode, dist, seed

    def generate(self, shape):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        scale = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            return _truncated(rng, 0.0, math.sqrt(scale) / 0.87962566103423978, shape)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, math.sqrt(scale), shape)
        limit = math.sqrt(3.0 * scale)
        return rng.uniform(-limit, limit, shape)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _vs(name: str, scale: float, mode: str, dist: str, doc: str):
    def __init__(self, seed: int | None = None) -> None:
        VarianceScaling.__init__(self, scale, mode, dist, seed)

    def get_config(self):
        return {"seed": self.seed}

    doc += f"""

    Example:
        >>> import webtensor as wt
        >>> values = wt.initializers.{name}(seed=0)([64, 32])
        >>> values.shape, bool(abs(values.mean()) < 0.05)
        ((64, 32), True)
    """
    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": doc})


GlorotNormal = _vs("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                   "Glorot (Xavier) normal: truncated normal, variance 2 / (fan_in + fan_out).")
GlorotUniform = _vs("GlorotUniform", 1.0, "fan_avg", "uniform",
                    "Glorot (Xavier) uniform: limit sqrt(6 / (fan_in + fan_out)).")
HeNormal = _vs("HeNormal", 2.0, "fan_in", "truncated_normal",
               "He normal: truncated normal, variance 2 / fan_in.")
HeUniform = _vs("HeUniform", 2.0, "fan_in", "uniform", "He uniform: limit sqrt(6 / fan_in).")
LecunNormal = _vs("LecunNormal", 1.0, "fan_in", "truncated_normal",
                  "LeCun normal: truncated normal, variance 1 / fan_in.")
LecunUniform = _vs("LecunUniform", 1.0, "fan_in", "uniform",
                   "LeCun uniform: limit sqrt(3 / fan_in).")


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain`` (shape flattened to [prod(shape[:-1]), last]).

    Example:
        >>> import numpy as np, webtensor as wt
        >>> q = wt.initializers.Orthogonal(seed=0)((4, 4))
        >>> bool(np.allclose(q @ q.T, np.eye(4), atol=1e-5))
        True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        self.gain, self.seed = float(gain), seed

    def generate(self, shape):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the shape must have rank >= 2, got {list(shape)}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return self.gain * q.reshape(shape)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only).

    Example:
        >>> import webtensor as wt
        >>> wt.initializers.Identity()((2, 2)).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = float(gain)

    def generate(self, shape):
        if len(shape) != 2:
            raise ValueError(f"Identity: the shape must be 2-D, got {list(shape)}")
        return self.gain * np.eye(*shape)

    def get_config(self):
        return {"gain": self.gain}


INITIALIZERS: dict[str, type] = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "glorot_normal": GlorotNormal, "glorot_uniform": GlorotUniform, "he_normal": HeNormal,
    "he_uniform": HeUniform, "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    "orthogonal": Orthogonal, "identity": Identity, "variance_scaling": VarianceScaling,
}
_ALIASES = {"uniform": "random_uniform", "normal": "random_normal", "zero": "zeros",
            "one": "ones", "xavier_uniform": "glorot_uniform", "xavier_normal": "glorot_normal"}


def get(identifier) -> Initializer:
    """An initializer from a name (any case style), a config dict, an instance, or a callable.

    Args:
        identifier: 'glorot_uniform' / 'glorotUniform' / 'GlorotUniform', an Initializer,
            ``{'class_name': 'VarianceScaling', 'config': {...}}``, or a function of a shape.

    Raises:
        ValueError: an unknown name (the message lists the valid names).

    Example:
        >>> import webtensor as wt
        >>> type(wt.initializers.get("GlorotNormal")).__name__
        'GlorotNormal'
    """
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, dict):
        cls = resolve("initializer", identifier["class_name"], INITIALIZERS, _ALIASES)
        return cls.from_config(dict(identifier.get("config", {})))
    if isinstance(identifier, str):
        return resolve("initializer", identifier, INITIALIZERS, _ALIASES)()
    if callable(identifier):
        return _Function(identifier)
    raise ValueError(f"Unknown initializer {identifier!r}; expected a name, an Initializer "
                     "or a config dict")


class _Function(Initializer):
    def __init__(self, fn) -> None:
        self.fn = fn

    def generate(self, shape):
        value = self.fn(shape)
        return value.numpy() if getattr(value, "_is_tensor", False) else np.asarray(value)


def serialize(init: Initializer) -> dict:
    """``{'class_name': ..., 'config': ...}`` of an initializer (Keras form).

    Example:
        >>> import webtensor as wt
        >>> wt.initializers.serialize(wt.initializers.get("zeros"))
        {'class_name': 'Zeros', 'config': {}}
    """
    return {"class_name": type(init).__name__, "config": init.get_config()}


def _factory(cls):
    def make(*args, **kwargs):
        return cls(*args, **kwargs)

    name = "".join("_" + c.lower() if c.isupper() else c for c in cls.__name__).lstrip("_")
    args = "1.5" if cls is Constant else ""
    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"""A new ``{cls.__name__}`` initializer (TF.js ``tf.initializers``).

    {(cls.__doc__ or "").strip().splitlines()[0]}

    Example:
        >>> import webtensor as wt
        >>> wt.initializers.{name}({args})([3, 2]).shape
        (3, 2)
    """
    return make


zeros = _factory(Zeros)
ones = _factory(Ones)
constant = _factory(Constant)
random_normal = _factory(RandomNormal)
random_uniform = _factory(RandomUniform)
truncated_normal = _factory(TruncatedNormal)
glorot_normal = _factory(GlorotNormal)
glorot_uniform = _factory(GlorotUniform)
he_normal = _factory(HeNormal)
he_uniform = _factory(HeUniform)
lecun_normal = _factory(LecunNormal)
lecun_uniform = _factory(LecunUniform)
orthogonal = _factory(Orthogonal)
identity = _factory(Identity)
variance_scaling = _factory(VarianceScaling)

__all__ = ["Initializer", *[c.__name__ for c in INITIALIZERS.values()], *INITIALIZERS,
           "get", "serialize", "compute_fans", "set_seed"]
