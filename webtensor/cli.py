"""The ``webtensor`` command: inspect, compile, run, profile and benchmark kernels.

Every subcommand drives the same engine as the library (no second code path)::

    webtensor info [--json]
    webtensor shaders list [--json]
    webtensor shaders show OP --shape 2,3 [--shape ...] [--dtype D] [-D NAME=VALUE] [--attr K=V]
    webtensor shaders check [--glslang] [--only NAME ...] [--json]
    webtensor run OP --shape 2,3 [--seed N] [--dtype D] [--attr K=V] [--dump DIR] [--json]
    webtensor bench [--only NAME ...] [--json FILE] [--repeat N] [--warmup N]
    webtensor profile [--json FILE] script.py [args ...]
    webtensor demo

Exit status: 0 success, 1 a check failed (compile error, mismatch, script error),
2 bad usage. Errors go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import traceback
from pathlib import Path

# -- terminal helpers -------------------------------------------------------------------------
_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


def _colour_on(stream=None) -> bool:
    stream = stream or sys.stdout
    return (hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("NO_COLOR")
            and os.environ.get("TERM") != "dumb")


def style(text: str, *names: str, stream=None) -> str:
    """``text`` in ANSI colour when the stream is a terminal (``NO_COLOR`` turns it off).

    Example:
        >>> import io
        >>> from webtensor.cli import style
        >>> style("ok", "green", stream=io.StringIO())  # not a terminal: plain text
        'ok'
    """
    if not names or not _colour_on(stream):
        return text
    return "\033[" + ";".join(_CODES[n] for n in names) + "m" + text + "\033[0m"


class UsageError(Exception):
    """Bad arguments: reported on stderr with exit status 2."""


def _err(msg: str) -> None:
    print(f"webtensor: error: {msg}", file=sys.stderr)


def _print_json(obj) -> None:
    print(json.dumps(obj, indent=1, default=_json_default))


def _json_default(obj):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (tuple, set)):
        return list(obj)
    return repr(obj)


def _write(path: str | Path, text: str) -> None:
    """Write an output file (its folder made); an unwritable path is a usage error."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    except OSError as exc:
        raise UsageError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None


def _int_at_least(lowest: int):
    """An argparse type: a whole number >= ``lowest``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < lowest:
            raise argparse.ArgumentTypeError(f"must be at least {lowest}, got {value}")
        return value

    return parse


def _table(head, rows, align=None) -> str:
    from .profiler import format_table

    return format_table(tuple(head), [tuple(r) for r in rows], align)


# -- info -----------------------------------------------------------------------------------
def cmd_info(args) -> int:
    """Renderer, GL and GLSL versions, limits, cache statistics, versions."""
    import moderngl
    import numpy as np

    import webtensor as wt

    inf = wt.info()
    eng = wt.engine()
    caps = eng.caps
    glsl = inf.glsl_version
    if glsl == "?" and caps.version_code >= 330:
        code = caps.version_code
        glsl = f"{code // 100}.{code % 100:02d} (GLSL of GL {code // 100}.{code % 100 // 10})"
    mem = wt.memory()
    data = {
        "webtensor_version": wt.__version__,
        "renderer": inf.renderer, "vendor": inf.vendor, "gl_version": inf.gl_version,
        "glsl_version": glsl, "kernel_language": "GLSL ES 3.00 (WebGL2)",
        "max_texture_size": inf.max_texture_size, "max_draw_buffers": inf.max_draw_buffers,
        "max_elements_per_tensor": inf.max_texture_size ** 2 * 4,
        "float_render_targets": inf.float_render_targets, "timer_query": caps.timer_query,
        "backend": inf.backend, "extensions": list(inf.extensions),
        "programs_cached": len(eng.programs), "programs_compiled": inf.programs_compiled,
        "program_cache_hits": inf.program_cache_hits,
        "compile_ms": round(eng.programs.compile_ms, 3),
        "textures": mem.num_textures, "bytes_in_gpu": mem.num_bytes_in_gpu,
        "debug": bool(eng.debug),
        "dump_dir": os.environ.get("WEBTENSOR_DUMP_DIR"),
        "override_dir": os.environ.get("WEBTENSOR_OVERRIDE_DIR"),
        "glsl_dir": str(_glsl_dir()),
        "python": sys.version.split()[0], "numpy": np.__version__,
        "moderngl": getattr(moderngl, "__version__", "?"), "machine": platform.machine(),
    }
    if args.json:
        _print_json(data)
        return 0
    width = max(len(k) for k in data)
    for key, value in data.items():
        if isinstance(value, list):
            value = ", ".join(value) or "-"
        if value is None:
            value = "-"
        print(f"{style(key.ljust(width), 'bold')}  {value}")
    return 0


def _glsl_dir() -> Path:
    from .gl.shaders import glsl_dir

    return glsl_dir()


# -- shaders ---------------------------------------------------------------------------------
def cmd_shaders_list(args) -> int:
    """Every kernel file, the kernels using it and the defines it reads."""
    from .shadertools import list_shaders

    infos = list_shaders()
    if args.json:
        _print_json([s.as_dict() for s in infos])
        return 0
    rows = [(s.name, s.file, ", ".join(s.kernels) or "-",
             ", ".join(f"{d}={s.defaults[d]}" if d in s.defaults else d for d in s.defines) or "-")
            for s in infos]
    print(_table(("shader", "file", "kernels", "defines read (default)"), rows))
    print(style(f"{len(infos)} kernel files in {_glsl_dir()}", "dim"))
    return 0


def _shapes(args) -> list[tuple] | None:
    from .shadertools import parse_shape

    if not args.shape:
        return None
    try:
        return [parse_shape(s) for s in args.shape]
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _assignments(items, what: str) -> dict:
    from .shadertools import parse_assignments

    try:
        return parse_assignments(items, what)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def cmd_shaders_show(args) -> int:
    """The exact final GLSL the engine compiles for an op on inputs of given shapes."""
    from .shadertools import show

    shapes = _shapes(args)
    if shapes is None:
        raise UsageError("shaders show: give the shape of each input, e.g. --shape 2,3")
    defines = _assignments(args.define, "-D")
    attrs = _assignments(args.attr, "--attr")
    try:
        progs, error = show(args.op, shapes, args.dtype, defines, attrs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        _print_json({"op": args.op, "shapes": [list(s) for s in shapes],
                     "programs": [p.as_dict() for p in progs],
                     "error": str(error) if error else None})
        return 1 if error else 0
    if not progs:
        print(f"{args.op} on {[list(s) for s in shapes]} draws no program "
              "(it only changes metadata, e.g. a reshape)")
    for i, p in enumerate(progs, 1):
        defs = ", ".join(f"{k}={v}" for k, v in p.defines) or "none"
        head = f"// program {i}/{len(progs)}: {p.shader}  (defines: {defs})"
        print(style(head, "bold", "cyan"))
        text = p.source.numbered(with_origin=not args.no_origin)
        if _colour_on():
            text = "\n".join(_dim_origin(line) for line in text.splitlines())
        print(text)
        if i < len(progs):
            print()
    if error:
        print(file=sys.stderr)
        _err(str(error))
        return 1
    return 0


def _dim_origin(line: str) -> str:
    head, sep, tail = line.rpartition(" // ")
    if not sep:
        return line
    return head + style(sep + tail, "dim")


def cmd_shaders_check(args) -> int:
    """Compile every kernel in every variant; non-zero exit on any failure."""
    from .shadertools import check

    notes: list[str] = []
    try:
        results = check(args.only, args.glslang, notes)
    except FileNotFoundError as exc:
        _err(str(exc))
        return 2
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    failed = [v for v in results if not v.ok or v.glslang_ok is False]
    if args.json:
        _print_json({"variants": [v.as_dict() for v in results], "failed": len(failed),
                     "notes": notes, "glslang": bool(args.glslang)})
        return 1 if failed else 0
    by_shader: dict[str, list] = {}
    for v in results:
        by_shader.setdefault(v.shader, []).append(v)
    rows = []
    for name, vs in by_shader.items():
        bad = [v for v in vs if not v.ok]
        gbad = [v for v in vs if v.glslang_ok is False]
        status = style("FAIL", "red", "bold") if bad or gbad else style("ok", "green")
        glslang = "-" if not args.glslang else (f"{len(gbad)} failed" if gbad else "ok")
        rows.append((name, str(len(vs)), status, glslang))
    print(_table(("kernel", "variants", "GL compile", "glslang ES 3.00"), rows))
    shown: dict[tuple, str] = {}
    for v in failed:
        defs = ", ".join(f"{k}={val}" for k, val in v.defines) or "none"
        key = (v.shader, _error_sites(v.error), _error_sites(v.glslang_error))
        if key in shown:
            print(f"FAILED {v.shader} (defines: {defs}): the same error as with {shown[key]}",
                  file=sys.stderr)
            continue
        shown[key] = defs
        print(file=sys.stderr)
        print(style(f"FAILED {v.shader} (defines: {defs}; from {v.origin})", "red", "bold",
                    stream=sys.stderr), file=sys.stderr)
        if not v.ok:
            print(v.error, file=sys.stderr)
        if v.glslang_ok is False:
            print("glslangValidator (GLSL ES 3.00 / WebGL2):\n" + v.glslang_error,
                  file=sys.stderr)
    for note in notes:
        print(style(f"note: {note}", "yellow", stream=sys.stderr), file=sys.stderr)
    n_files = len(by_shader)
    summary = (f"{len(results)} variants of {n_files} kernels compiled"
               + (" and validated with glslangValidator" if args.glslang else "")
               + f": {len(failed)} failed")
    print(style(summary, "red" if failed else "green", "bold"))
    return 1 if failed else 0


def _error_sites(error: str) -> tuple:
    """The file:line places an error names (to fold repeats of one error)."""
    sites = tuple(line.split(" (final source line")[0] for line in error.splitlines()
                  if line.startswith("at ") or ".glsl:" in line.split(" ")[0])
    return sites or (error,)


# -- run --------------------------------------------------------------------------------------
def cmd_run(args) -> int:
    """Seeded random inputs, the numpy reference in float64, errors, NaN counts, time."""
    import numpy as np

    from .shadertools import run_op

    shapes = _shapes(args)
    attrs = _assignments(args.attr, "--attr")
    domain = None
    if args.domain:
        try:
            lo, hi = (float(v) for v in args.domain.split(","))
        except ValueError:
            raise UsageError(f"--domain {args.domain!r}: expected LO,HI") from None
        domain = (lo, hi)
    try:
        report = run_op(args.op, shapes, args.dtype, args.seed, attrs, domain)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.dump:
        _dump_run(Path(args.dump), report, np)
    if args.json:
        _print_json(report.as_dict())
        return 0 if report.passed in (True, None) else 1
    shapes_txt = ", ".join(f"{list(a.shape)} {a.dtype.name}" for a in report.inputs) or "none"
    origin = "from the kernel's first case" if report.from_case else f"seed {args.seed}"
    print(f"{style(args.op, 'bold')}: inputs {shapes_txt}, {origin}"
          + (f", attrs {report.attrs}" if report.attrs else ""))
    progs = ", ".join(p.shader + ("(" + ",".join(f"{k}={v}" for k, v in p.defines) + ")"
                                  if p.defines else "") for p in report.programs)
    print(f"programs: {progs or 'none'}")
    rows = []
    for i, out in enumerate(report.outputs):
        e = report.errors[i] if i < len(report.errors) else None
        nan = int(np.isnan(np.asarray(out, np.float64)).sum())
        inf = int(np.isinf(np.asarray(out, np.float64)).sum())
        if e is None:
            rows.append((str(i), str(list(out.shape)), str(out.dtype), "-", "-",
                         f"{nan}", f"{inf}", "-"))
            continue
        verdict = style("ok", "green") if e["ok"] else style(f"{e['mismatches']} off", "red")
        rows.append((str(i), str(list(out.shape)), str(out.dtype), f"{e['max_abs']:.3g}",
                     f"{e['max_rel']:.3g}", f"{e['nan']} (ref {e['expected_nan']})",
                     f"{e['inf']} (ref {e['expected_inf']})", verdict))
    print(_table(("out", "shape", "dtype", "max abs err", "max rel err", "NaN", "Inf",
                  "within tol"), rows, "lllrrrrl"))
    for i, e in enumerate(report.errors):
        if "reference_shape" in e:
            print(f"output {i}: the kernel's reference has shape {e['reference_shape']}; "
                  f"compared after reshaping it to {e['shape']}")
        if "first_mismatch" in e:
            m = e["first_mismatch"]
            print(style(f"output {i}: first mismatch at {m['index']}: got {m['got']!r}, "
                        f"numpy {m['expected']!r}", "red"))
    rtol, atol = report.tolerance
    if report.expected is not None:
        print(f"reference: numpy, float64, of kernel {report.kernel!r}; its tolerance: "
              f"rtol {rtol:g}, atol {atol:g}")
    else:
        print("reference: none (no registered kernel with a numpy reference ran)")
    print(f"time: kernel {report.kernel_ms:.3f} ms on the GPU ({report.draws} draws, GL timer), "
          f"{report.wall_ms:.3f} ms wall incl. readback; first call {report.first_wall_ms:.1f} ms"
          f" incl. {report.compile_ms:.1f} ms compile")
    if args.dump:
        print(f"dumped inputs, outputs and shader sources to {args.dump}")
    if report.passed is False:
        return 1
    return 0


def _dump_run(folder: Path, report, np) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, a in enumerate(report.inputs):
        np.save(folder / f"input_{i}.npy", a)
    for i, o in enumerate(report.outputs):
        np.save(folder / ("output.npy" if len(report.outputs) == 1 else f"output_{i}.npy"), o)
    for i, e in enumerate(report.expected or []):
        np.save(folder / ("expected.npy" if len(report.expected) == 1 else f"expected_{i}.npy"),
                np.asarray(e))
    for p in report.programs:
        tag = "_".join(f"{k}-{v}" for k, v in p.defines) or "default"
        (folder / f"{p.shader}__{tag}.frag.glsl").write_text(p.source.text)
        (folder / f"{p.shader}__{tag}.numbered.txt").write_text(p.source.numbered() + "\n")
    (folder / "command.txt").write_text(" ".join(["webtensor", *sys.argv[1:]]) + "\n")


# -- bench ------------------------------------------------------------------------------------
def cmd_bench(args) -> int:
    """The workloads of bench_spec.json, webtensor against numpy."""
    from .bench import format_results, load_spec, run_suite

    try:
        spec = load_spec(args.spec)
    except OSError as exc:
        raise UsageError(f"bench: cannot read --spec {args.spec!r}: {exc.strerror or exc}") \
            from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"bench: --spec {args.spec!r} is not JSON: {exc}") from None
    if not isinstance(spec, dict) or not {"timing", "workloads"} <= set(spec):
        raise UsageError(f"bench: --spec {args.spec!r} is not a benchmark spec: it needs "
                         "'timing' and 'workloads' (see webtensor/bench_spec.json)")
    log = None
    if args.verbose:
        def log(msg: str) -> None:
            print(msg, file=sys.stderr, flush=True)
    try:
        doc = run_suite(spec, args.only, args.warmup, args.repeat, not args.no_numpy, log)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json == "-":
        _print_json(doc)
        return 0
    print(format_results(doc))
    if args.json:
        _write(args.json, json.dumps(doc, indent=1, default=_json_default) + "\n")
        print(style(f"wrote {args.json}", "dim"))
    return 0


# -- profile ----------------------------------------------------------------------------------
def cmd_profile(args) -> int:
    """Run a script under the profiler; a per-kernel table sorted by GPU time."""
    import runpy
    import time

    from .profiler import Profile, _Recorder, format_bytes

    script = Path(args.script)
    if not script.is_file():
        raise UsageError(f"profile: no such script {args.script!r}")
    if args.json:
        _write(args.json, "")  # fail now, not after the script has run
    import webtensor as wt

    eng = wt.engine()
    old_argv, old_path = sys.argv[:], sys.path[:]
    sys.argv = [str(script), *args.args]
    sys.path.insert(0, str(script.resolve().parent))
    status = 0
    with _Recorder(per_kernel=True) as rec:
        tensors0, bytes0 = eng.num_tensors, eng.num_bytes
        t0 = time.perf_counter()
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as exc:
            code = exc.code
            status = code if isinstance(code, int) else (0 if code is None else 1)
            if code is not None and not isinstance(code, int):
                print(code, file=sys.stderr)  # as Python does for sys.exit("message")
        except Exception as exc:
            _print_script_error(exc, script)
            status = 1
        wall = (time.perf_counter() - t0) * 1000
        eng.drain()
        new_t, new_b = eng.num_tensors - tensors0, eng.num_bytes - bytes0
    sys.argv, sys.path[:] = old_argv, old_path
    rec.flush_loose()
    prof = Profile(new_t, new_b, rec.peak_bytes, rec.kernels, None, wall)
    summary = prof.summary()
    if args.json:
        doc = {"script": str(script), "args": args.args, "exit_status": status,
               "wall_ms": wall, "kernel_ms": prof.kernel_ms, "compile_ms": prof.compile_ms,
               "new_tensors": new_t, "new_bytes": new_b, "peak_bytes": rec.peak_bytes,
               "kernels": summary}
        _write(args.json, json.dumps(doc, indent=1) + "\n")
    out = sys.stderr if args.quiet_table else sys.stdout
    print(style(f"\nprofile of {script} ({'exit ' + str(status) if status else 'ok'}): "
                f"{wall:.1f} ms wall, {prof.kernel_ms:.3f} ms GPU in "
                f"{sum(len(k.draws) for k in prof.kernels)} draws, "
                f"{prof.compile_ms:.1f} ms compiling", "bold", stream=out), file=out)
    if args.top:
        keep = {r["name"] for r in summary[: args.top]}
        prof.kernels = [k for k in prof.kernels if k.name in keep]
    print(prof.table() if prof.kernels else "(no kernels ran)", file=out)
    print(f"tensors left alive: {new_t} ({format_bytes(new_b)}); peak "
          f"{format_bytes(rec.peak_bytes)}", file=out)
    return status


def _print_script_error(exc: BaseException, script: Path) -> None:
    """The script's traceback on stderr, from its first frame (not the profiler's)."""
    tb = exc.__traceback__
    target = str(script.resolve())
    frame = tb
    while frame is not None and str(Path(frame.tb_frame.f_code.co_filename).resolve()) != target:
        frame = frame.tb_next
    text = traceback.format_exception(type(exc), exc, frame or tb)
    if frame is None and isinstance(exc, SyntaxError):
        text = traceback.format_exception_only(type(exc), exc)
    sys.stderr.write("".join(text))


# -- demo -------------------------------------------------------------------------------------
def cmd_demo(args) -> int:
    """The tutorial of the spec, run and printed."""
    from .demo import run_demo

    if args.out and not args.seed_only:
        try:  # fail now, not after the training
            Path(args.out).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"demo: cannot use --out {args.out!r}: {exc.strerror or exc}") \
                from None
    run_demo(seed_only=args.seed_only, out_dir=args.out, verbose=0 if args.quiet else 1)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    """``webtensor docs``: the API reference in Markdown."""
    from .apidocs import generate

    text = generate()
    if args.out == "-":
        sys.stdout.write(text)
    else:
        _write(args.out, text)
    return 0


# -- parser -----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``webtensor`` command.

    Example:
        >>> from webtensor.cli import build_parser
        >>> args = build_parser().parse_args(["run", "exp", "--shape", "2,3", "--json"])
        >>> args.op, args.shape, args.json, args.seed
        ('exp', ['2,3'], True, 0)
    """
    p = argparse.ArgumentParser(
        prog="webtensor",
        description="Inspect, compile, run, profile and benchmark webtensor's GLSL kernels.",
        epilog="Environment: WEBTENSOR_GL (glcontext backend), WEBTENSOR_DEBUG=1 (NaN/Inf "
               "check after every kernel), WEBTENSOR_DUMP_DIR (write every compiled shader), "
               "WEBTENSOR_OVERRIDE_DIR (a .glsl file there replaces the packaged one), NO_COLOR.")
    from . import __version__

    p.add_argument("--version", action="version", version=f"webtensor {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    s = sub.add_parser("info", help="GL renderer, versions, limits and cache statistics",
                       description="Show the GL driver the engine runs on and its limits.")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_info)

    sh = sub.add_parser("shaders", help="list, show or check the GLSL kernels",
                        description="List, show or compile-check the GLSL kernels.")
    shs = sh.add_subparsers(dest="shaders_command", metavar="SUBCOMMAND")
    shs.required = True
    s = shs.add_parser("list", help="every kernel file, its kernels and the defines it reads",
                       description="Every kernel file in glsl/ (includes excluded): the "
                       "registered kernels using it and the defines its #if/#ifdef/#ifndef read.")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_shaders_list)

    s = shs.add_parser("show", help="the exact GLSL an op compiles, numbered, with origins",
                       description="Run OP on zeros of the given shapes and print the exact "
                       "final GLSL of every program it draws, each line numbered and followed "
                       "by the .glsl file and line it came from.")
    s.add_argument("op", help="kernel or op name, e.g. exp")
    _input_args(s)
    s.add_argument("-D", "--define", action="append", metavar="NAME=VALUE",
                   help="override or add a define in every program the op draws (repeatable)")
    s.add_argument("--no-origin", action="store_true", help="omit the file:line column")
    s.add_argument("--json", action="store_true", help="print JSON (sources and line maps)")
    s.set_defaults(func=cmd_shaders_show)

    s = shs.add_parser("check", help="compile every kernel in every variant",
                       description="Compile every kernel file with every define combination "
                       "the registered kernels' cases use (and the elementwise input modes); "
                       "errors are mapped to the .glsl file and line. Exit 1 on any failure.")
    s.add_argument("--glslang", action="store_true",
                   help="also validate each source offline as GLSL ES 3.00 (WebGL2) with "
                        "glslangValidator (apt-get install glslang-tools)")
    s.add_argument("--only", nargs="+", metavar="NAME", help="check only these kernel files")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_shaders_check)

    s = sub.add_parser("run", help="run one op on random inputs and compare with numpy",
                       description="Run OP on seeded random inputs (drawn from the kernel's "
                       "registered domain), compare with its numpy reference in float64 and "
                       "print the max abs/rel error, NaN/Inf counts and the kernel time. "
                       "Exit 1 if the result is outside the kernel's tolerance.")
    s.add_argument("op", help="kernel or op name, e.g. exp")
    _input_args(s)
    s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    s.add_argument("--domain", metavar="LO,HI",
                   help="input range (default: the registry's); write --domain=-1,1 when LO < 0")
    s.add_argument("--dump", metavar="DIR",
                   help="write inputs, outputs, expected (.npy) and the shader sources here")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("bench", help="the benchmark suite: webtensor vs numpy",
                       description="Run the workloads of bench_spec.json (the peers' "
                       "benchmark) on webtensor and numpy: median and min of the timed runs, "
                       "the first call separately, each run read back to the host.")
    s.add_argument("--only", nargs="+", metavar="NAME", help="run only these workloads")
    s.add_argument("--json", metavar="FILE", help="also write the results as JSON ('-': stdout)")
    s.add_argument("--repeat", type=_int_at_least(1), metavar="N",
                   help="timed runs (default: the spec's)")
    s.add_argument("--warmup", type=_int_at_least(0), metavar="N",
                   help="warm-up calls incl. the first (default: the spec's)")
    s.add_argument("--no-numpy", action="store_true", help="skip the numpy column")
    s.add_argument("--spec", metavar="FILE", help="another bench_spec.json")
    s.add_argument("-v", "--verbose", action="store_true", help="log each workload to stderr")
    s.set_defaults(func=cmd_bench)

    s = sub.add_parser("profile", help="run a script and profile its kernels",
                       description="Run a Python script (as __main__) with GL timer queries "
                       "on every draw; print a per-kernel table: calls, total and mean GPU ms, "
                       "compile ms and bytes written, sorted by GPU time.")
    s.add_argument("--json", metavar="FILE", help="also write the table as JSON")
    s.add_argument("--top", type=_int_at_least(1), metavar="N",
                   help="show only the N most expensive kernels")
    s.add_argument("--quiet-table", action="store_true", help="print the table to stderr")
    s.add_argument("script", help="the Python script to run")
    s.add_argument("args", nargs=argparse.REMAINDER, help="arguments of the script")
    s.set_defaults(func=cmd_profile)

    s = sub.add_parser("docs", help="write the API reference generated from the docstrings",
                       description="Generate docs/api.md from the docstrings and the kernel "
                       "registry.")
    s.add_argument("--out", metavar="FILE", default="-", help="output file ('-': stdout)")
    s.set_defaults(func=cmd_docs)

    s = sub.add_parser("demo", help="the tutorial of the spec, then training on the digits",
                       description="Run the seed examples of the spec and print each result "
                       "and the GL renderer in use; then train an LSTM and a CNN on the "
                       "bundled 8x8 digits, print their held-out accuracy and save both "
                       "models in the TensorFlow.js format.")
    s.add_argument("--seed-only", action="store_true", help="stop after the seed examples")
    s.add_argument("--out", metavar="DIR", help="where to save the trained models")
    s.add_argument("--quiet", action="store_true", help="no progress bars")
    s.set_defaults(func=cmd_demo)
    return p


def _input_args(s: argparse.ArgumentParser) -> None:
    s.add_argument("--shape", action="append", metavar="D1,D2,...",
                   help="shape of an input, once per input ('scalar' for rank 0)")
    s.add_argument("--dtype", action="append", metavar="DTYPE",
                   choices=("float32", "int32", "bool"),
                   help="input dtype: once for all inputs or once per input (default float32)")
    s.add_argument("--attr", action="append", metavar="NAME=VALUE",
                   help="an attribute of the op, e.g. --attr alpha=0.1 (repeatable)")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``webtensor`` command; returns the exit status.

    Example:
        >>> from webtensor.cli import main
        >>> main(["info", "--json"]) == 0  # doctest: +ELLIPSIS
        {...}
        True
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        _err(str(exc))
        return 2
    except BrokenPipeError:
        return 0
    except MemoryError:
        _err("out of host memory (are the shapes what you meant?)")
        return 1
    except Exception as exc:  # a clear message, not a traceback, for expected failures
        from .errors import WebtensorError

        if isinstance(exc, WebtensorError):
            _err(str(exc))
            return 1
        raise
