"""What the ``webtensor shaders ...`` and ``webtensor run`` commands are made of.

- :func:`list_shaders`: every kernel file, the registered kernels using it and
  the defines its preprocessor conditions read.
- :func:`capture_programs`: a hook on the engine's ``ProgramCache`` that records
  the ``(shader, defines)`` of every program the engine asks for, so running an
  op tells exactly which sources it compiles.
- :func:`show`: run an op on zeros and return the final sources it compiled.
- :func:`check`: compile every kernel in every variant the registry's cases
  use (plus the broadcast/mode combinations of elementwise kernels), optionally
  validating each source with ``glslangValidator`` as GLSL ES 3.00 (WebGL2).
- :func:`run_op`: seeded random inputs, the registry's float64 numpy reference,
  errors, NaN counts and GL timer time.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import inspect
import itertools
import os
import re
import shutil
import subprocess
import tempfile
import time as _time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import registry
from .engine import engine
from .errors import ShaderCompileError
from .gl import shaders as glsrc
from .gl.programs import VERTEX_KERNEL

_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
_COND = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif)\b(.*)$")
_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)(?:\s+(.*))?$")
_IDENT = re.compile(r"\b[A-Za-z_]\w*\b")
_OP_SIG = re.compile(r"\bfloat\s+op\s*\(([^)]*)\)")
_GLSLANG_LINE = re.compile(r"^(ERROR|WARNING):\s*\d+:(\d+):\s*(.*)$")
ELEMENTWISE_INCLUDE = "_elementwise.glsl"
_ELEMENTWISE_DEFINES = {"ARITY", "RANK", "MODE_A", "MODE_B", "MODE_C"}


# -- static facts about the sources -----------------------------------------------------
@dataclass
class ShaderInfo:
    """One kernel file: where it is, who uses it, which defines it reads."""

    name: str
    file: str
    kernels: list[str]
    includes: list[str]
    defines: list[str]
    defaults: dict[str, str]
    own_defines: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain fields for JSON."""
        return {"name": self.name, "file": self.file, "kernels": self.kernels,
                "includes": self.includes, "defines": self.defines, "defaults": self.defaults}


def _strip_comment(line: str) -> str:
    return line.split("//", 1)[0]


def _scan(path: Path, seen: list[Path], conds: dict[Path, list[str]],
          defaults: dict[str, str]) -> None:
    if path in seen:
        return
    seen.append(path)
    lines = path.read_text().splitlines()
    names: list[str] = []
    for i, raw in enumerate(lines):
        m = _INCLUDE.match(raw)
        if m:
            _scan(glsrc.kernel_path(m.group(1)), seen, conds, defaults)
            continue
        m = _COND.match(_strip_comment(raw))
        if not m:
            continue
        kind, expr = m.groups()
        idents = [w for w in _IDENT.findall(expr) if w != "defined"]
        names.extend(w for w in idents if w not in names)
        if kind == "ifndef" and idents and i + 1 < len(lines):
            d = _DEFINE.match(_strip_comment(lines[i + 1]))
            if d and d.group(1) == idents[0]:
                defaults[idents[0]] = (d.group(2) or "").strip()
    conds[path] = names


def shader_info(name: str, kernels: list[str] | None = None) -> ShaderInfo:
    """Facts about kernel file ``name`` (``exp`` or ``exp.glsl``).

    Example:
        >>> from webtensor.shadertools import shader_info
        >>> info = shader_info("cast")
        >>> info.file, "TO_BOOL" in info.defines, "MODE_A" in info.defines
        ('glsl/cast.glsl', True, True)
    """
    name = name[:-5] if name.endswith(".glsl") else name
    path = glsrc.kernel_path(name)
    seen: list[Path] = []
    conds: dict[Path, list[str]] = {}
    defaults: dict[str, str] = {}
    _scan(path, seen, conds, defaults)
    every: list[str] = []
    for p in seen:
        every.extend(n for n in conds.get(p, []) if n not in every)
    if kernels is None:
        kernels = [k.name for k in registry.kernels() if name in k.shaders]
    return ShaderInfo(name, _display(path), kernels, [_display(p) for p in seen[1:]],
                      sorted(every), defaults, conds.get(path, []))


def _display(path: Path) -> str:
    over = glsrc.override_dir()
    if over is not None and path.parent == over:
        return str(path)
    return f"glsl/{path.name}"


def list_shaders() -> list[ShaderInfo]:
    """Every kernel file in ``glsl/`` (``_`` includes excluded), sorted by name.

    Example:
        >>> from webtensor.shadertools import list_shaders
        >>> [s.kernels for s in list_shaders() if s.name == "exp"]
        [['exp']]
    """
    users: dict[str, list[str]] = {}
    for k in registry.kernels():
        for s in k.shaders:
            users.setdefault(s, []).append(k.name)
    return [shader_info(n, users.get(n, [])) for n in glsrc.kernel_names()]


# -- running ops --------------------------------------------------------------------------
@contextlib.contextmanager
def capture_programs():
    """Record ``(shader, defines)`` of every program the engine asks for while active.

    A program that fails to compile is recorded too (before it raises).

    Example:
        >>> import webtensor as wt
        >>> from webtensor.shadertools import capture_programs
        >>> with capture_programs() as seen:
        ...     _ = wt.exp(wt.zeros([2, 3]))
        >>> seen[-1]
        ('exp', (('ARITY', 1), ('MODE_A', 0)))
    """
    eng = engine()
    eng.ctx  # noqa: B018 - the cache exists once the context does
    cache = eng.programs
    had = "get" in vars(cache)
    previous = cache.get
    seen: list[tuple[str, tuple]] = []

    def get(name: str, defines: tuple = ()):
        seen.append((name, tuple(defines)))
        return previous(name, defines)

    cache.get = get
    try:
        yield seen
    finally:
        if had:
            cache.get = previous
        else:
            del cache.get


def parse_shape(text: str) -> tuple[int, ...]:
    """``"2,3"`` or ``"2x3"`` -> ``(2, 3)``; ``""``, ``"()"`` or ``"scalar"`` -> ``()``.

    Example:
        >>> from webtensor.shadertools import parse_shape
        >>> parse_shape("2,3"), parse_shape("scalar"), parse_shape("4"), parse_shape("2x5")
        ((2, 3), (), (4,), (2, 5))
    """
    t = re.sub(r"(?<=\d)x(?=\d)", ",", text.strip().strip("()[]").replace(" ", ""))
    if t in ("", "scalar"):
        return ()
    try:
        shape = tuple(int(p) for p in t.split(",") if p != "")
    except ValueError:
        raise ValueError(f"bad shape {text!r}: expected comma-separated sizes like 2,3") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"bad shape {text!r}: negative size")
    return shape


def parse_assignments(items: list[str] | None, what: str) -> dict:
    """``["A=1", "B=x"]`` -> ``{"A": 1, "B": "x"}`` (values read as Python literals).

    Example:
        >>> from webtensor.shadertools import parse_assignments
        >>> parse_assignments(["alpha=0.5", "dtype=int32"], "--attr")
        {'alpha': 0.5, 'dtype': 'int32'}
    """
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{what} {item!r}: expected NAME=VALUE")
        try:
            out[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            out[key.strip()] = value.strip()
    return out


def check_sizes(op: str, shapes: list[tuple]) -> None:
    """Raise ``ValueError`` if an input of ``shapes`` cannot fit in one texture of this GL.

    Checked before any host array is made, so a typo such as ``--shape 100000,100000``
    is an error message, not a 40 GB allocation.

    Example:
        >>> from webtensor.shadertools import check_sizes
        >>> check_sizes("exp", [(2, 3)])
        >>> try:
        ...     check_sizes("exp", [(2, 3), (10**6, 10**6)])
        ... except ValueError as e:
        ...     print(str(e).split(":")[0])
        exp
    """
    from .gl.textures import texture_shape

    limit = engine().max_texture_size
    for i, shape in enumerate(shapes):
        size = int(np.prod(shape, dtype=np.float64)) if shape else 1
        try:
            texture_shape(size, limit)
        except ValueError as exc:
            raise ValueError(f"{op}: input {i} of shape {list(shape)}: {exc}") from None


def _dtypes_for(n: int, dtypes: list[str] | None) -> list[str]:
    if not dtypes:
        return ["float32"] * n
    if len(dtypes) == 1:
        return dtypes * n
    if len(dtypes) != n:
        raise ValueError(f"{len(dtypes)} --dtype values for {n} inputs: give one or one each")
    return list(dtypes)


def random_inputs(shapes: list[tuple], dtypes: list[str] | None, seed: int,
                  domain: tuple[float, float] = (-3.0, 3.0)) -> list[np.ndarray]:
    """Seeded inputs: floats uniform in ``domain``, ints in it, bools half true.

    Example:
        >>> from webtensor.shadertools import random_inputs
        >>> [a.dtype.name for a in random_inputs([(2,), (3,)], ["float32", "bool"], 0)]
        ['float32', 'bool']
    """
    rng = np.random.default_rng(seed)
    lo, hi = float(domain[0]), float(domain[1])
    out = []
    for shape, dt in zip(shapes, _dtypes_for(len(shapes), dtypes), strict=False):
        if dt == "bool":
            out.append(rng.random(shape) < 0.5)
        elif dt == "int32":
            out.append(rng.integers(int(np.ceil(lo)), int(np.floor(hi)) + 1, shape,
                                    dtype=np.int32))
        else:
            out.append(rng.uniform(lo, hi, shape).astype(np.float32))
    return out


def zero_inputs(shapes: list[tuple], dtypes: list[str] | None) -> list[np.ndarray]:
    """Zeros of each shape and dtype.

    Example:
        >>> from webtensor.shadertools import zero_inputs
        >>> zero_inputs([(2, 3)], None)[0].shape
        (2, 3)
    """
    from .dtypes import NUMPY

    kinds = _dtypes_for(len(shapes), dtypes)
    return [np.zeros(s, NUMPY[d]) for s, d in zip(shapes, kinds, strict=True)]


def _variant(kernel: registry.Kernel | None) -> dict:
    if kernel is not None and kernel.variants:
        return dict(kernel.variants[0])
    return {}


def _kernel(op: str) -> registry.Kernel | None:
    try:
        return registry.get(op)
    except ValueError:
        return None


def _public(op: str):
    import webtensor as wt

    fn = getattr(wt, op, None)
    if op.startswith("_") or fn is None or isinstance(fn, type) or not callable(fn):
        return None
    return fn


def _takes_a_list(fn) -> bool:
    """Whether a public op takes its tensors as one list (``concat``, ``stack``, ``add_n``)."""
    try:
        first = next(iter(inspect.signature(fn).parameters.values()), None)
    except (TypeError, ValueError):
        return False
    return first is not None and first.name == "tensors"


def _kernel_attr_names(kernel: registry.Kernel) -> set[str] | None:
    """The keywords a ``forward(x, **attrs)`` kernel uses; None for an explicit signature."""
    try:
        params = inspect.signature(kernel.forward).parameters.values()
    except (TypeError, ValueError):
        return None
    if not any(p.kind == p.VAR_KEYWORD for p in params):
        return None  # the forward itself rejects what it does not know
    names = {p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    return names | set(_variant(kernel).get("attrs", {}))


def _with_op(op: str, exc: Exception) -> str:
    text = str(exc)
    return text if op in text.split(":", 1)[0] else f"{op}: {text}"


def call_op(op: str, args: list, attrs: dict, use_kernel: bool = False):
    """Run ``op`` on ``args`` (numpy arrays become tensors) with keyword ``attrs``.

    The public ``wt.<op>`` runs when there is one (so ``--attr`` takes the
    public arguments, e.g. ``axis``; ops taking a list of tensors, such as
    ``concat``, get the inputs as that list); otherwise, or with ``use_kernel``,
    the registered kernel runs with its first variant's attrs updated by
    ``attrs``. Bad arguments raise ``ValueError`` naming the op.

    Example:
        >>> import numpy as np
        >>> from webtensor.shadertools import call_op
        >>> call_op("add", [np.ones(2, np.float32), np.ones(2, np.float32)], {}).numpy().tolist()
        [2.0, 2.0]
        >>> call_op("concat", [np.ones(1, np.float32), np.zeros(2, np.float32)], {}).shape
        (3,)
    """
    import webtensor as wt

    kernel, public = _kernel(op), _public(op)
    if kernel is None and public is None:
        raise ValueError(f"unknown op {op!r}: neither a registered kernel nor wt.{op}")
    tensors = [wt.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    public_error = None
    if public is not None and not use_kernel:
        try:
            if _takes_a_list(public):
                return public(tensors, **attrs)
            return public(*tensors, **attrs)
        except TypeError as exc:
            if kernel is None:
                raise ValueError(f"wt.{op}: {exc}") from None
            public_error = exc
        except ValueError as exc:
            raise ValueError(_with_op(op, exc)) from None
    from .tensor import apply

    if public_error is not None:
        # the kernel runs instead only with attributes it knows (e.g. conv2d's ``pads``)
        known = _kernel_attr_names(kernel)
        if known is not None and set(attrs) - known:
            raise ValueError(f"wt.{op}: {public_error}; give the tensors with --shape and the "
                             "other arguments with --attr NAME=VALUE") from None
    full = {**_variant(kernel).get("attrs", {}), **attrs}
    try:
        return apply(op, tensors, **full)
    except TypeError as exc:
        n = signature_inputs(kernel, {k: v for k, v in full.items() if k not in _first_params(
            kernel, len(tensors))})
        if n is not None and n != len(tensors):
            raise ValueError(f"{op} takes {n} input(s), got {len(tensors)}: give one --shape "
                             "per input") from None
        raise ValueError(f"{op}: {public_error or exc}; give the tensors with --shape and the "
                         "other arguments with --attr NAME=VALUE") from None
    except ValueError as exc:
        raise ValueError(_with_op(op, exc)) from None


def _first_params(kernel: registry.Kernel, n: int) -> set[str]:
    """Names of the first ``n`` positional parameters of a kernel's forward."""
    try:
        params = list(inspect.signature(kernel.forward).parameters.values())
    except (TypeError, ValueError):
        return set()
    return {p.name for p in params[:n] if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)}


def _host(x):
    if getattr(x, "_is_tensor", False):
        return x.numpy()
    if isinstance(x, (list, tuple)) and any(getattr(i, "_is_tensor", False) for i in x):
        return [_host(i) for i in x]
    return x


@contextlib.contextmanager
def capture_kernel_calls():
    """Record ``(kernel, host args, attrs)`` of each outermost registered-kernel call.

    Example:
        >>> import webtensor as wt
        >>> from webtensor.shadertools import capture_kernel_calls
        >>> with capture_kernel_calls() as calls:
        ...     _ = wt.leaky_relu(wt.tensor([-1.0, 1.0]), 0.5)
        >>> [(k.name, a) for k, _, a in calls]
        [('leaky_relu', {'alpha': 0.5})]
    """
    calls: list[tuple[registry.Kernel, list, dict]] = []
    depth = [0]
    saved = []

    def wrap(kernel: registry.Kernel):
        original = kernel.forward

        @functools.wraps(original)
        def forward(*args, **attrs):
            if depth[0] == 0:
                calls.append((kernel, [_host(a) for a in args], dict(attrs)))
            depth[0] += 1
            try:
                return original(*args, **attrs)
            finally:
                depth[0] -= 1

        saved.append((kernel, original))
        return forward

    for k in registry.kernels():
        k.forward = wrap(k)
    try:
        yield calls
    finally:
        for k, original in reversed(saved):
            k.forward = original


@dataclass
class Captured:
    """A program an op compiled: shader, defines and the exact final source."""

    shader: str
    defines: tuple
    source: glsrc.Source

    def as_dict(self) -> dict:
        """Plain fields for JSON."""
        return {"shader": self.shader, "defines": dict(self.defines), "source": self.source.text,
                "origin": [f"{f}:{ln}" for f, ln in self.source.line_map]}


def _unique(seen: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    out: list[tuple[str, tuple]] = []
    for item in seen:
        if item not in out:
            out.append(item)
    return out


def show(op: str, shapes: list[tuple], dtypes: list[str] | None = None,
         defines: dict | None = None, attrs: dict | None = None
         ) -> tuple[list[Captured], Exception | None]:
    """Run ``op`` on zeros of ``shapes``; the final sources of the programs it drew.

    ``defines`` override or add to the defines the op chose. Returns the
    programs and the error that stopped the op, if any (a compile error still
    lists the program that failed).

    Example:
        >>> from webtensor.shadertools import show
        >>> progs, err = show("exp", [(2, 3)])
        >>> [p.shader for p in progs], err, "return exp(x);" in progs[0].source.text
        (['exp'], None, True)
    """
    import webtensor as wt

    check_sizes(op, shapes)
    error = None
    with wt.tidy(), capture_programs() as seen:
        try:
            call_op(op, zero_inputs(shapes, dtypes), dict(attrs or {}))
        except ShaderCompileError as exc:
            error = exc
    out = []
    for name, defs in _unique(seen):
        merged = dict(defs)
        merged.update(defines or {})
        out.append(Captured(name, tuple(sorted(merged.items())),
                            glsrc.build_source(name, merged)))
    return out, error


# -- shaders check -----------------------------------------------------------------------
def elementwise_arity(name: str) -> int | None:
    """Inputs of an elementwise kernel file (its ``op()``), or None if not elementwise.

    Example:
        >>> from webtensor.shadertools import elementwise_arity
        >>> elementwise_arity("add"), elementwise_arity("exp"), elementwise_arity("fill")
        (2, 1, 0)
    """
    text = glsrc.kernel_path(name).read_text()
    if ELEMENTWISE_INCLUDE not in text:
        return None
    m = _OP_SIG.search(text)
    if not m:
        return None
    params = [p.strip() for p in m.group(1).split(",") if p.strip()]
    return sum(1 for p in params if p.split()[0] == "float")


def elementwise_variants(name: str) -> list[tuple]:
    """The define sets ``run_elementwise`` can give kernel ``name``: every input
    mode (same shape, host number, broadcast, one element) at a few ranks, times
    the 0/1 values of the flags the file itself reads (``INT_MATH``, ``TO_BOOL``...).

    Example:
        >>> from webtensor.shadertools import elementwise_variants
        >>> (('ARITY', 1), ('MODE_A', 0)) in elementwise_variants("exp")
        True
    """
    arity = elementwise_arity(name)
    if arity is None:
        return []
    names = "ABC"[:arity]
    combos: list[dict] = [{f"MODE_{n}": 0 for n in names}]
    if arity:
        combos.append({**{f"MODE_{n}": 2 for n in names}, "RANK": 2})
        combos.append({**{f"MODE_{n}": 2 for n in names}, "RANK": 1})
        combos.append({**{f"MODE_{n}": 0 for n in names}, f"MODE_{names[0]}": 1})
        combos.append({**{f"MODE_{n}": 2 for n in names}, f"MODE_{names[0]}": 3, "RANK": 4})
        combos.append({**{f"MODE_{n}": 3 for n in names}, f"MODE_{names[-1]}": 1})
    flags = [d for d in shader_info(name, []).own_defines if d not in _ELEMENTWISE_DEFINES][:3]
    out = []
    for combo in combos:
        for values in itertools.product((0, 1), repeat=len(flags)):
            defs = {"ARITY": arity, **combo, **dict(zip(flags, values, strict=False))}
            key = tuple(sorted(defs.items()))
            if key not in out:
                out.append(key)
    return out


@dataclass
class Variant:
    """One (shader, defines) that ``check`` compiles, and what happened."""

    shader: str
    defines: tuple
    origin: str
    ok: bool = True
    error: str = ""
    glslang_ok: bool | None = None
    glslang_error: str = ""

    def as_dict(self) -> dict:
        """Plain fields for JSON."""
        return {"shader": self.shader, "defines": dict(self.defines), "origin": self.origin,
                "ok": self.ok, "error": self.error, "glslang_ok": self.glslang_ok,
                "glslang_error": self.glslang_error}


def collect_variants(only: list[str] | None = None,
                     notes: list[str] | None = None) -> list[Variant]:
    """Every (shader, defines) to check: from the registry's cases (run and captured),
    elementwise mode combinations, and the bare defaults for files nothing else reaches.

    ``only`` names kernel files (``exp`` or ``exp.glsl``); ``notes`` collects cases
    that failed for another reason than a compile error.

    Example:
        >>> from webtensor.shadertools import collect_variants
        >>> vs = collect_variants(["softmax.glsl"])
        >>> {v.shader for v in vs}, all(v.origin.startswith("case ") for v in vs)
        ({'softmax'}, True)
    """
    import webtensor as wt

    names = glsrc.kernel_names()
    if only:
        only = [n[:-5] if n.endswith(".glsl") else n for n in only]
        unknown = [n for n in only if n not in names]
        if unknown:
            raise ValueError(f"no kernel file named {unknown}; see `webtensor shaders list`")
        names = [n for n in names if n in only]
    wanted = set(names)
    found: dict[tuple, str] = {}
    for kernel in registry.kernels():
        if kernel.cases is None or (only and not set(kernel.shaders) & wanted):
            continue
        try:
            cases = kernel.cases()
        except Exception as exc:
            if notes is not None:
                notes.append(f"{kernel.name}: cases() failed: {exc}")
            continue
        for i, (args, attrs) in enumerate(cases):
            with wt.tidy(), capture_programs() as seen:
                try:
                    _run_case(kernel.name, args, attrs)
                except ShaderCompileError:
                    pass  # recorded; compiled again and reported below
                except Exception as exc:
                    if notes is not None:
                        notes.append(f"{kernel.name} case {i}: {type(exc).__name__}: "
                                     f"{str(exc).splitlines()[0] if str(exc) else ''}")
            for item in seen:
                if item[0] in wanted:
                    found.setdefault(item, f"case {i} of kernel {kernel.name}")
    for name in names:
        for defs in elementwise_variants(name):
            found.setdefault((name, defs), "elementwise modes")
    reached = {name for name, _ in found}
    for name in names:
        if name not in reached:
            found[(name, ())] = "defaults (no case reaches this file)"
    order = {n: i for i, n in enumerate(names)}
    items = sorted(found.items(), key=lambda kv: (order.get(kv[0][0], 1 << 30), kv[0][1]))
    return [Variant(name, defs, origin) for (name, defs), origin in items]


def _run_case(name: str, args: list, attrs: dict) -> None:
    import webtensor as wt

    from .tensor import apply

    tensors = [wt.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    outs = apply(name, tensors, **attrs)
    for o in outs if isinstance(outs, (list, tuple)) else [outs]:
        if getattr(o, "_is_tensor", False):
            o.numpy()


def glslang_path() -> str | None:
    """Where ``glslangValidator`` is (Debian: ``apt-get install glslang-tools``), or None.

    Example:
        >>> from webtensor.shadertools import glslang_path
        >>> path = glslang_path()
        >>> path is None or path.endswith("glslangValidator")
        True
    """
    return shutil.which("glslangValidator")


def glslang_validate(source: glsrc.Source, stage: str = "frag",
                     tool: str | None = None) -> tuple[bool, str]:
    """Validate a final source offline as GLSL ES 3.00; errors mapped to file:line.

    Raises ``FileNotFoundError`` when ``glslangValidator`` is not installed.

    Example:
        >>> from webtensor.gl.shaders import build_source
        >>> from webtensor.shadertools import glslang_path, glslang_validate
        >>> src = build_source("exp", {"ARITY": 1, "MODE_A": 0})
        >>> glslang_validate(src) if glslang_path() else (True, "")
        (True, '')
    """
    tool = tool or glslang_path()
    if tool is None:
        raise FileNotFoundError("glslangValidator not found; on Debian/Ubuntu: "
                                "apt-get install glslang-tools")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"kernel.{stage}"
        path.write_text(source.text)
        proc = subprocess.run([tool, "-S", stage, str(path)], capture_output=True, text=True,
                              timeout=60)
    if proc.returncode == 0:
        return True, ""
    lines = []
    for raw in (proc.stdout + proc.stderr).splitlines():
        m = _GLSLANG_LINE.match(raw.strip())
        if m:
            kind, ln, msg = m.group(1), int(m.group(2)), m.group(3)
            f, orig = source.origin(ln)
            lines.append(f"{f}:{orig}: {kind.lower()}: {msg} (final source line {ln})")
    if not lines:
        lines = [raw for raw in (proc.stdout + proc.stderr).splitlines()
                 if raw.strip() and not raw.strip().endswith(".frag")]
    return False, "\n".join(lines)


def check(only: list[str] | None = None, glslang: bool = False,
          notes: list[str] | None = None) -> list[Variant]:
    """Compile every variant on the engine's GL; with ``glslang`` validate each offline too.

    Example:
        >>> from webtensor.shadertools import check
        >>> results = check(only=["exp"])
        >>> all(v.ok for v in results), len(results) > 3
        (True, True)
    """
    variants = collect_variants(only, notes)
    if not only:
        variants.append(Variant(VERTEX_KERNEL, (), "the vertex shader of every program"))
    eng = engine()
    tool = glslang_path() if glslang else None
    if glslang and tool is None:
        raise FileNotFoundError("glslangValidator not found; on Debian/Ubuntu: "
                                "apt-get install glslang-tools")
    to_validate: list[tuple[Variant, glsrc.Source]] = []
    for v in variants:
        try:
            source = glsrc.build_source(v.shader, dict(v.defines))
        except (OSError, ValueError) as exc:
            v.ok, v.error = False, str(exc)
            continue
        if v.shader == VERTEX_KERNEL:
            try:
                eng.ctx.program(vertex_shader=source.text,
                                fragment_shader=glsrc.build_source("fill", {"ARITY": 0}).text)
            except Exception as exc:
                v.ok, v.error = False, str(exc)
        else:
            try:
                eng.program(v.shader, v.defines)
            except ShaderCompileError as exc:
                v.ok, v.error = False, str(exc)
        if tool:
            to_validate.append((v, source))

    def validate(item: tuple[Variant, glsrc.Source]) -> None:
        v, source = item
        stage = "vert" if v.shader == VERTEX_KERNEL else "frag"
        v.glslang_ok, v.glslang_error = glslang_validate(source, stage, tool)

    if to_validate:
        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            list(pool.map(validate, to_validate))
    return variants


# -- run -----------------------------------------------------------------------------------
@dataclass
class RunReport:
    """What ``webtensor run`` measured for one op."""

    op: str
    kernel: str | None
    inputs: list[np.ndarray]
    attrs: dict
    outputs: list[np.ndarray]
    expected: list[np.ndarray] | None
    programs: list[Captured]
    tolerance: tuple[float, float]
    first_wall_ms: float
    compile_ms: float
    kernel_ms: float
    wall_ms: float
    draws: int
    errors: list[dict] = field(default_factory=list)
    from_case: bool = False  # inputs from the kernel's first registered case, not seeded

    @property
    def passed(self) -> bool | None:
        """Within the kernel's tolerance (None without a reference)."""
        if self.expected is None:
            return None
        return all(e["ok"] for e in self.errors)

    def as_dict(self) -> dict:
        """Plain fields for JSON."""
        return {"op": self.op, "kernel": self.kernel,
                "attrs": {k: _plain(v) for k, v in self.attrs.items()},
                "input_shapes": [list(a.shape) for a in self.inputs],
                "input_dtypes": [a.dtype.name for a in self.inputs],
                "output_shapes": [list(o.shape) for o in self.outputs],
                "tolerance": list(self.tolerance), "passed": self.passed,
                "errors": self.errors, "first_wall_ms": self.first_wall_ms,
                "compile_ms": self.compile_ms, "kernel_ms": self.kernel_ms,
                "wall_ms": self.wall_ms, "draws": self.draws,
                "inputs_from": "case 0 of the kernel" if self.from_case else "seeded random",
                "programs": [{"shader": p.shader, "defines": dict(p.defines)}
                             for p in self.programs]}


def _plain(value):
    """A JSON-ready attribute: numbers, strings, None and lists of them; others as repr."""
    if isinstance(value, (int, float, str, bool, type(None))):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return repr(value)


def _compare(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> dict:
    g = np.asarray(got, np.float64)
    w = np.asarray(want, np.float64)
    out = {"shape": list(g.shape), "expected_shape": list(w.shape),
           "nan": int(np.isnan(g).sum()), "expected_nan": int(np.isnan(w).sum()),
           "inf": int(np.isinf(g).sum()), "expected_inf": int(np.isinf(w).sum())}
    if g.shape != w.shape:
        out.update(ok=False, max_abs=float("inf"), max_rel=float("inf"), mismatches=-1)
        return out
    both = np.isfinite(g) & np.isfinite(w)
    diff = np.abs(g - w)
    out["max_abs"] = float(diff[both].max()) if both.any() else 0.0
    rel = diff[both] / np.maximum(np.abs(w[both]), max(atol, np.finfo(np.float32).tiny))
    out["max_rel"] = float(rel.max()) if rel.size else 0.0
    close = np.isclose(g, w, rtol=rtol, atol=atol, equal_nan=True)
    out["mismatches"] = int((~close).sum())
    if out["mismatches"]:
        flat = int(np.argmin(close.reshape(-1)))
        out["first_mismatch"] = {"index": [int(i) for i in np.unravel_index(flat, g.shape)]
                                 if g.shape else [], "got": float(g.reshape(-1)[flat]),
                                 "expected": float(w.reshape(-1)[flat])}
    out["ok"] = out["mismatches"] == 0
    return out


def run_op(op: str, shapes: list[tuple] | None, dtypes: list[str] | None = None,
           seed: int = 0, attrs: dict | None = None,
           domain: tuple[float, float] | None = None) -> RunReport:
    """Run ``op`` on seeded random inputs and compare with the registry's reference.

    Without ``shapes`` the kernel's first registered case is used.

    Example:
        >>> from webtensor.shadertools import run_op
        >>> r = run_op("exp", [(2, 3)], seed=1)
        >>> r.passed, r.outputs[0].shape, r.draws
        (True, (2, 3), 1)
    """
    import webtensor as wt

    from .profiler import _Recorder

    kernel = _kernel(op)
    attrs = dict(attrs or {})
    use_kernel = False
    if shapes is None:
        if kernel is None or kernel.cases is None:
            raise ValueError(f"{op}: give the input shapes with --shape (e.g. --shape 2,3)")
        args, case_attrs = kernel.cases()[0]
        attrs = {**case_attrs, **attrs}
        args = list(args)
        use_kernel = True  # a case holds the kernel's own attributes
    else:
        check_sizes(op, shapes)
        dom = domain or _variant(kernel).get("domain") or (-3.0, 3.0)
        args = random_inputs(shapes, dtypes, seed, dom)

    def fetch(outs) -> list[np.ndarray]:
        return [o.numpy() for o in (outs if isinstance(outs, (list, tuple)) else [outs])
                if getattr(o, "_is_tensor", False)]

    eng = engine()
    eng.ctx  # noqa: B018
    compiles0 = eng.programs.compile_ms
    with wt.tidy(), capture_programs() as seen, capture_kernel_calls() as calls:
        t0 = _time.perf_counter()
        outputs = fetch(call_op(op, args, attrs, use_kernel))
        first = (_time.perf_counter() - t0) * 1000
    compile_ms = eng.programs.compile_ms - compiles0
    with wt.tidy(), _Recorder(per_kernel=False) as rec:
        t0 = _time.perf_counter()
        fetch(call_op(op, args, attrs, use_kernel))
        wall = (_time.perf_counter() - t0) * 1000
    programs = [Captured(n, d, glsrc.build_source(n, dict(d))) for n, d in _unique(seen)]
    # the reference: the kernel the op ran (named like the op, or its only kernel call)
    call = next((c for c in calls if c[0].name == op), calls[0] if len(calls) == 1 else None)
    used = call[0] if call else kernel
    expected = None
    errors: list[dict] = []
    tol = used.tolerance if used else (1e-5, 1e-6)
    kernel_attrs = call[2] if call else attrs
    if call is not None and used.reference is not None:
        np_args = [_float64(a) for a in call[1]]
        try:
            with np.errstate(all="ignore"):
                want = used.reference(*np_args, **kernel_attrs)
        except TypeError as exc:
            raise ValueError(f"{op}: the numpy reference of kernel {used.name!r} rejects "
                             f"attrs {kernel_attrs}: {exc}") from None
        expected = [np.asarray(w) for w in (want if isinstance(want, (list, tuple))
                                            else [want])]
        for g, w in zip(outputs, expected, strict=False):
            if g.shape != w.shape and g.size == w.size:
                # the public op reshaped its kernel's result (e.g. matmul of two vectors)
                errors.append({**_compare(g, w.reshape(g.shape), *tol),
                               "reference_shape": list(w.shape)})
            else:
                errors.append(_compare(g, w, *tol))
    return RunReport(op, used.name if used else None, [np.asarray(a) for a in args
                     if isinstance(a, np.ndarray)], kernel_attrs, outputs, expected, programs,
                     tuple(tol), first, compile_ms, sum(d.gpu_ms for d in rec.draws), wall,
                     len(rec.draws), errors, use_kernel)


def _float64(a):
    if isinstance(a, np.ndarray) and a.dtype == np.float32:
        return a.astype(np.float64)
    if isinstance(a, list):
        return [_float64(i) for i in a]
    return a


def signature_inputs(kernel: registry.Kernel, attrs: dict | None = None) -> int | None:
    """Positional inputs of a kernel's forward that are not attributes (None if unknown).

    Attributes are the names in ``attrs``, in the kernel's first variant and in
    its first registered case.

    Example:
        >>> from webtensor import registry
        >>> from webtensor.shadertools import signature_inputs
        >>> signature_inputs(registry.get("add")), signature_inputs(registry.get("leaky_relu"))
        (2, 1)
        >>> signature_inputs(registry.get("conv2d")), signature_inputs(registry.get("one_hot"))
        (2, 1)
    """
    try:
        params = inspect.signature(kernel.forward).parameters.values()
    except (TypeError, ValueError):
        return None
    attrs = set(_variant(kernel).get("attrs", {})) | set(attrs or {}) | _case_attrs(kernel)
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
               and p.default is p.empty and p.name not in attrs)


def _case_attrs(kernel: registry.Kernel) -> set[str]:
    """The attribute names of a kernel's first registered case (none without cases)."""
    if kernel.cases is None:
        return set()
    try:
        cases = kernel.cases()
    except Exception:  # a broken cases() is reported by `shaders check`, not here
        return set()
    return set(cases[0][1]) if cases else set()
