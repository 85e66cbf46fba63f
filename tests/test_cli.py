"""The ``webtensor`` command: each subcommand once through a real subprocess
(``python -m webtensor ...``), the rest in process through ``cli.main``."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import webtensor as wt
from webtensor import bench, cli, shadertools
from webtensor.gl.programs import ProgramCache
from webtensor.gl.shaders import glsl_dir

ROOT = Path(__file__).resolve().parent.parent
PEER_BENCH = ROOT.parent / "shared" / "peers" / "py" / "bench_py.py"


def webtensor(*args, env=None, cwd=None, timeout=300):
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    for key in ("WEBTENSOR_OVERRIDE_DIR", "WEBTENSOR_DUMP_DIR", "WEBTENSOR_DEBUG"):
        if key not in (env or {}):
            full_env.pop(key, None)
    return subprocess.run([sys.executable, "-m", "webtensor", *args], capture_output=True,
                          text=True, env=full_env, cwd=cwd or ROOT, timeout=timeout)


def _line_of(path: Path, text: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if text in line:
            return i
    raise AssertionError(f"{text!r} not in {path}")


# -- subprocess: one per subcommand ---------------------------------------------------------
def test_help_lists_every_subcommand():
    r = webtensor("--help")
    assert r.returncode == 0
    for name in ("info", "shaders", "run", "bench", "profile", "demo"):
        assert name in r.stdout


def test_info_json():
    r = webtensor("info", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["renderer"] and data["gl_version"] and data["vendor"]
    assert data["max_texture_size"] >= 2048
    assert data["float_render_targets"] is True
    assert data["webtensor_version"] == wt.__version__
    assert "programs_compiled" in data and "program_cache_hits" in data
    assert data["glsl_version"] != "?"


def test_shaders_list_json():
    r = webtensor("shaders", "list", "--json")
    assert r.returncode == 0, r.stderr
    rows = {row["name"]: row for row in json.loads(r.stdout)}
    files = {p.stem for p in glsl_dir().glob("*.glsl") if not p.name.startswith("_")}
    assert set(rows) == files
    assert rows["exp"]["file"] == "glsl/exp.glsl"
    assert rows["exp"]["kernels"] == ["exp"]
    assert "glsl/_elementwise.glsl" in rows["exp"]["includes"]
    assert {"ARITY", "MODE_A", "INT_MATH"} <= set(rows["exp"]["defines"])
    assert {"TO_BOOL", "TO_INT"} <= set(rows["cast"]["defines"])
    assert rows["exp"]["defaults"]["INT_MATH"] == "0"


def test_shaders_show_prints_the_kernel_body_with_its_origin():
    r = webtensor("shaders", "show", "exp", "--shape", "2,3")
    assert r.returncode == 0, r.stderr
    body = _line_of(glsl_dir() / "exp.glsl", "return exp(x);")
    lines = [line for line in r.stdout.splitlines() if "return exp(x);" in line]
    assert len(lines) == 1
    assert lines[0].rstrip().endswith(f"// glsl/exp.glsl:{body}")
    assert "#version 300 es" in r.stdout
    assert "#define ARITY 1" in r.stdout and "#define MODE_A 0" in r.stdout
    assert "program 1/1: exp" in r.stdout


def test_shaders_check_passes_on_the_packaged_kernels():
    args = ["shaders", "check", "--only", "exp", "add", "cast", "where", "fill"]
    if shadertools.glslang_path():
        args.append("--glslang")
    r = webtensor(*args)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 failed" in r.stdout
    for name in ("exp", "add", "cast", "where", "fill"):
        assert name in r.stdout


def test_shaders_check_names_file_and_line_of_a_broken_override(tmp_path):
    good = (glsl_dir() / "exp.glsl").read_text()
    assert "return exp(x);" in good
    (tmp_path / "exp.glsl").write_text(good.replace("return exp(x);", "return exp(x) +;"))
    line = _line_of(tmp_path / "exp.glsl", "return exp(x) +;")
    args = ["shaders", "check", "--only", "exp"]
    if shadertools.glslang_path():
        args.append("--glslang")
    r = webtensor(*args, env={"WEBTENSOR_OVERRIDE_DIR": str(tmp_path)})
    assert r.returncode == 1
    where = f"{tmp_path / 'exp.glsl'}:{line}"
    assert f"at {where}" in r.stderr  # the GL driver's error, mapped
    assert "return exp(x) +;" in r.stderr
    if shadertools.glslang_path():
        assert f"{where}: error:" in r.stderr  # glslangValidator's, mapped too
    assert "failed" in r.stdout


def test_run_compares_with_numpy_dumps_and_writes_shaders(tmp_path):
    dump, shaders = tmp_path / "dump", tmp_path / "compiled"
    r = webtensor("run", "exp", "--shape", "3,5", "--seed", "7", "--dump", str(dump), "--json",
                  env={"WEBTENSOR_DUMP_DIR": str(shaders)})
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["passed"] is True and rep["kernel"] == "exp"
    assert rep["input_shapes"] == [[3, 5]] and rep["output_shapes"] == [[3, 5]]
    assert rep["errors"][0]["nan"] == 0 and rep["errors"][0]["max_abs"] < 1e-4
    kernel_time = rep["kernel_ms"]  # reported, never compared with a threshold
    assert rep["draws"] == 1 and isinstance(kernel_time, float)
    x = np.load(dump / "input_0.npy")
    assert x.shape == (3, 5) and x.min() >= -5 and x.max() <= 5  # exp's registered domain
    np.testing.assert_allclose(np.load(dump / "output.npy"), np.exp(x.astype(np.float64)),
                               rtol=1e-5)
    np.testing.assert_allclose(np.load(dump / "expected.npy"), np.exp(x.astype(np.float64)))
    src = (dump / "exp__ARITY-1_MODE_A-0.frag.glsl").read_text()
    assert src.startswith("#version 300 es") and "return exp(x);" in src
    # WEBTENSOR_DUMP_DIR: the engine wrote every program it compiled
    assert (shaders / "exp__ARITY-1_MODE_A-0.frag.glsl").read_text() == src
    # same seed, same inputs
    r2 = webtensor("run", "exp", "--shape", "3,5", "--seed", "7")
    assert r2.returncode == 0 and "ok" in r2.stdout and "max abs err" in r2.stdout


def test_bench_table_and_json(tmp_path):
    out = tmp_path / "bench.json"
    r = webtensor("bench", "--only", "add_1M", "matmul_256", "--repeat", "1", "--warmup", "1",
                  "--json", str(out))
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    add = doc["results"]["add_1M"]
    ours, theirs = add["webtensor"]["median_ms"], add["numpy"]["median_ms"]
    assert add["max_err"] == 0.0  # a float32 add is exact
    assert add["ratio"] == pytest.approx(ours / theirs)  # the ratio column is consistent
    lines = r.stdout.splitlines()
    assert any(line.startswith("add_1M") for line in lines)
    matmul_row = doc["results"]["matmul_256"]["webtensor"]
    reported = {k.split("_")[0] for k in matmul_row}  # timings are reported, never compared
    assert {"median", "min"} <= reported


def test_profile_a_script(tmp_path):
    script = tmp_path / "chain.py"
    script.write_text(
        "import sys\nimport webtensor as wt\n"
        "x = wt.ones([64, 64])\n"
        "for _ in range(int(sys.argv[1])):\n"
        "    x = wt.tidy(lambda: x.exp().mul(0.5))\n"
        "print('result', float(x.numpy()[0, 0]))\n")
    out = tmp_path / "profile.json"
    r = webtensor("profile", "--json", str(out), str(script), "3")
    assert r.returncode == 0, r.stderr
    assert "result" in r.stdout
    doc = json.loads(out.read_text())
    calls = {k["name"]: k["calls"] for k in doc["kernels"]}
    assert calls == {"exp": 3, "mul": 3, "fill": 1}
    gpu = [k["gpu_ms"] for k in doc["kernels"]]
    assert gpu == sorted(gpu, reverse=True)
    table = r.stdout[r.stdout.index("kernel"):]
    assert "exp" in table and "compile ms" in table and "bytes" in table
    # a failing script: its traceback, then the profile, then exit 1
    bad = tmp_path / "bad.py"
    bad.write_text("import webtensor as wt\nwt.exp(wt.ones([2]))\nraise RuntimeError('x')\n")
    r = webtensor("profile", str(bad))
    assert r.returncode == 1 and "RuntimeError" in r.stderr and "exp" in r.stdout


def test_demo_prints_the_seed_examples():
    r = webtensor("demo", "--seed-only")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "llvmpipe" in out or "on " in out.splitlines()[0]
    assert "[[1 , 2 , 3 ],\n [10, 20, 30]]" in out
    assert "[[36 , 64 ],\n [100, 144]]" in out
    assert "\n24\n" in out
    assert "\n3.5\n" in out
    assert "loss per epoch" in out
    assert "tensors alive after the demo: 0" in out


# -- in process: errors, helps, options ---------------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["info"], ["shaders"], ["shaders", "list"], ["shaders", "show"], ["shaders", "check"],
    ["run"], ["bench"], ["profile"], ["demo"],
])
def test_every_subcommand_has_help(argv, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([*argv, "--help"])
    assert info.value.code == 0
    assert "usage: webtensor" in capsys.readouterr().out


def test_usage_errors_exit_2_on_stderr(capsys):
    assert cli.main(["shaders", "show", "no_such_op", "--shape", "2"]) == 2
    assert "unknown op 'no_such_op'" in capsys.readouterr().err
    assert cli.main(["shaders", "show", "exp"]) == 2
    assert "--shape" in capsys.readouterr().err
    assert cli.main(["run", "exp", "--shape", "2,x"]) == 2
    assert "bad shape" in capsys.readouterr().err
    assert cli.main(["run", "add", "--shape", "2"]) == 2
    assert "takes 2 input(s)" in capsys.readouterr().err
    assert cli.main(["shaders", "check", "--only", "no_such_kernel"]) == 2
    assert cli.main(["bench", "--only", "no_such_workload"]) == 2
    assert "unknown workload" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        cli.main(["no_such_command"])
    assert info.value.code == 2


def test_run_fails_with_exit_1_outside_tolerance(monkeypatch, capsys):
    kernel = wt.registry.get("exp")
    monkeypatch.setattr(kernel, "reference", lambda x: np.exp(x) + 1.0)
    assert cli.main(["run", "exp", "--shape", "4"]) == 1
    out = capsys.readouterr().out
    assert "4 off" in out and "first mismatch" in out


def test_run_reports_nan_counts_against_numpy(capsys):
    assert cli.main(["run", "log", "--shape", "40", "--domain=-1,1", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("0 ")]
    x = shadertools.random_inputs([(40,)], None, 2, (-1.0, 1.0))[0]
    n = int((x < 0).sum())
    assert n > 0 and f"{n} (ref {n})" in rows[0]


def test_shaders_show_defines_override_and_json(capsys):
    assert cli.main(["shaders", "show", "add", "--shape", "2,3", "--shape", "3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (prog,) = doc["programs"]
    assert prog["shader"] == "add"
    assert prog["defines"] == {"ARITY": 2, "MODE_A": 0, "MODE_B": 2, "RANK": 2}
    assert len(prog["origin"]) == len(prog["source"].splitlines())
    assert cli.main(["shaders", "show", "cast", "--shape", "4", "--attr", "dtype=bool",
                     "-D", "EXTRA=7"]) == 0
    out = capsys.readouterr().out
    assert "#define TO_BOOL 1" in out and "#define EXTRA 7" in out


def test_shaders_show_of_a_metadata_op(capsys):
    assert cli.main(["shaders", "show", "reshape", "--shape", "2,3", "--attr",
                     "shape=(3, 2)"]) == 0
    assert "draws no program" in capsys.readouterr().out


# -- library parts of the CLI -------------------------------------------------------------------
def test_elementwise_variants_cover_modes_and_flags():
    variants = shadertools.elementwise_variants("cast")
    assert all(dict(v)["ARITY"] == 1 for v in variants)
    assert {(dict(v)["TO_BOOL"], dict(v)["TO_INT"]) for v in variants} == {
        (0, 0), (0, 1), (1, 0), (1, 1)}
    assert {dict(v)["MODE_A"] for v in variants} == {0, 1, 2, 3}
    assert shadertools.elementwise_variants("fill") == [(("ARITY", 0),)]
    assert shadertools.elementwise_arity("where") == 3


def test_capture_programs_records_a_failed_compile(tmp_path, monkeypatch):
    good = (glsl_dir() / "neg.glsl").read_text()
    (tmp_path / "neg.glsl").write_text(good.replace("{", "{ undeclared_thing;", 1))
    monkeypatch.setenv("WEBTENSOR_OVERRIDE_DIR", str(tmp_path))
    # a fresh program cache, so that the overridden source really compiles now
    monkeypatch.setattr(wt.engine(), "programs", ProgramCache(wt.engine().ctx))
    with wt.tidy(), shadertools.capture_programs() as seen:
        with pytest.raises(wt.ShaderCompileError) as info:
            wt.neg(wt.zeros([2, 1, 2, 1, 2])).numpy()
    assert seen and seen[-1][0] == "neg"
    assert f"{tmp_path / 'neg.glsl'}:" in str(info.value)


def test_fmix32_matches_a_scalar_murmur3_finalizer():
    def fmix(h):
        h ^= h >> 16
        h = (h * 0x85EBCA6B) & 0xFFFFFFFF
        h ^= h >> 13
        h = (h * 0xC2B2AE35) & 0xFFFFFFFF
        return h ^ (h >> 16)

    for seed in (0, 1, 11, 52, 0xFFFF):
        want = [fmix((seed * 0x9E3779B9 + i) & 0xFFFFFFFF) for i in range(50)]
        assert bench.hashes(50, seed).tolist() == want
    x = bench.bench_input([7, 3], 5, 0.5)
    h = np.array([fmix((5 * 0x9E3779B9 + i) & 0xFFFFFFFF) for i in range(21)], np.float64)
    np.testing.assert_array_equal(x.reshape(-1), ((h / 2**32 * 2 - 1) * 0.5).astype(np.float32))


@pytest.mark.skipif(not PEER_BENCH.is_file(), reason="shared/peers not next to the repository")
def test_generator_has_the_same_bits_as_the_numpy_peer():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_py", PEER_BENCH)
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    for seed, shape, scale in ((11, (512, 3), 1.0), (41, (3, 3, 16, 2), 0.1), (71, (1000,), 1)):
        np.testing.assert_array_equal(bench.bench_input(shape, seed, scale),
                                      peer.rand(shape, seed, scale))
    assert (ROOT.parent / "shared" / "peers" / "bench_spec.json").read_text() == \
        bench.SPEC_PATH.read_text()


def test_bench_reports_missing_ops_as_na_and_compares_with_numpy():
    spec = {"spec_version": 1, "timing": {"warmup": 1, "runs": 2, "mlp_warmup_steps": 1,
                                          "mlp_steps": 2},
            "workloads": [
                {"name": "tiny_add", "op": "add", "shape": [3, 5], "seeds": [1, 2]},
                {"name": "tiny_chain", "op": "chain_add", "shape": [1], "n_ops": 20,
                 "seeds": [3], "unit": "us_per_op"},
                {"name": "future", "op": "no_such_op", "shape": [4], "seeds": [1]},
            ]}
    doc = bench.run_suite(spec)
    res = doc["results"]
    assert res["tiny_add"]["webtensor"]["n"] == 2
    want = bench.bench_input([3, 5], 1) + bench.bench_input([3, 5], 2)
    assert res["tiny_add"]["webtensor"]["checksum"] == pytest.approx(
        float(want.astype(np.float64).sum()), rel=1e-6)
    assert res["tiny_add"]["max_err"] == 0.0
    chain = res["tiny_chain"]
    assert chain["webtensor"]["checksum"] == pytest.approx(
        float(bench.bench_input([1], 3)[0]) + 20, rel=1e-6)
    assert chain["webtensor"]["us_per_op_median"] == pytest.approx(
        chain["webtensor"]["median_ms"] * 1000 / 20)
    assert res["future"]["webtensor"] == {"na": "op missing: no_such_op"}
    table = bench.format_results(doc)
    assert "n/a (op missing: no_such_op)" in table
    assert "us/op" in table
    header = table.splitlines()[1]
    assert header.startswith("workload") and "wt/np" in header


# -- odd inputs: clear messages, right exit status, no traceback ------------------------------
def test_run_passes_the_inputs_of_list_ops_as_one_list(capsys):
    assert cli.main(["run", "concat", "--shape", "2,3", "--shape", "2,3", "--attr",
                     "axis=1"]) == 0
    out = capsys.readouterr().out
    assert "[2, 6]" in out and " ok" in out
    assert cli.main(["run", "stack", "--shape", "2", "--shape", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output_shapes"] == [[2, 2]]


@pytest.mark.parametrize("argv, says", [
    # the public op's missing arguments, not a kernel-internal input count
    (["conv2d", "--shape", "1,5,5,2", "--shape", "3,3,2,4"],
     "missing 2 required positional arguments: 'strides' and 'padding'"),
    (["one_hot", "--shape", "3", "--dtype", "int32"], "'depth'"),
    (["conv2d", "--shape", "1,5,5,2", "--shape", "3,3,2,4", "--attr", "strides=1",
      "--attr", "pad=same"], "unexpected keyword argument 'pad'"),
    # an attribute no one knows: was a TypeError traceback from the numpy reference
    (["exp", "--shape", "2", "--attr", "foo=1"], "unexpected keyword argument 'foo'"),
    (["exp", "--shape", "2", "--attr", "x=1"], "multiple values for argument 'x'"),
    (["add", "--shape", "2"], "add takes 2 input(s), got 1"),
])
def test_run_argument_errors_name_the_op_and_the_argument(argv, says, capsys):
    assert cli.main(["run", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("webtensor: error: ") and says in err
    assert "input(s)" not in err or argv[0] == "add"


def test_op_errors_without_the_op_name_get_it(capsys):
    assert cli.main(["shaders", "show", "reshape", "--shape", "2,3", "--attr",
                     "shape=foo"]) == 2
    assert capsys.readouterr().err.startswith("webtensor: error: reshape: ")


def test_run_of_a_public_op_that_reshapes_its_kernel_result(capsys):
    # wt.matmul of two vectors is a scalar; the matmul kernel (and its reference) is 1x1
    assert cli.main(["run", "matmul", "--shape", "3", "--shape", "3"]) == 0
    out = capsys.readouterr().out
    assert "ok" in out and "off" not in out
    assert "reference has shape [1, 1]; compared after reshaping it to []" in out
    assert cli.main(["run", "matmul", "--shape", "3", "--shape", "3", "--json"]) == 0
    (err,) = json.loads(capsys.readouterr().out)["errors"]
    assert err["ok"] and err["reference_shape"] == [1, 1] and err["shape"] == []


@pytest.mark.parametrize("argv", [["run", "exp"], ["shaders", "show", "exp"]])
def test_a_shape_too_big_for_a_texture_is_a_usage_error(argv, capsys):
    # was a numpy MemoryError traceback (a 74 GiB float64 array) before any check
    assert cli.main([*argv, "--shape", "100000,100000"]) == 2
    err = capsys.readouterr().err
    assert "exp: input 0 of shape [100000, 100000]" in err and "MAX_TEXTURE_SIZE" in err


def test_out_of_host_memory_is_a_message(monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(shadertools, "run_op", boom)
    assert cli.main(["run", "exp", "--shape", "2"]) == 1
    assert "out of host memory" in capsys.readouterr().err


def test_run_json_attrs_are_json_values_and_say_where_inputs_came_from(capsys):
    assert cli.main(["run", "conv2d", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["attrs"]["strides"] == [1, 1] and rep["inputs_from"] == "case 0 of the kernel"
    assert cli.main(["run", "conv2d"]) == 0
    assert "from the kernel's first case" in capsys.readouterr().out.splitlines()[0]


def test_shaders_check_accepts_file_names(capsys):
    assert cli.main(["shaders", "check", "--only", "exp.glsl", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["failed"] == 0 and {v["shader"] for v in doc["variants"]} == {"exp"}


def test_profile_script_errors_are_reported_like_python_does(tmp_path, capsys):
    msg = tmp_path / "exit_msg.py"
    msg.write_text("import sys\nsys.exit('the data file is missing')\n")
    assert cli.main(["profile", str(msg)]) == 1
    assert "the data file is missing" in capsys.readouterr().err  # was swallowed
    bad = tmp_path / "bad.py"
    bad.write_text("import webtensor as wt\nwt.exp(wt.ones([2]))\nraise RuntimeError('x')\n")
    assert cli.main(["profile", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback") and "RuntimeError: x" in err
    assert "runpy" not in err and "cli.py" not in err  # the script's frames only
    syntax = tmp_path / "syntax.py"
    syntax.write_text("def (:\n")
    assert cli.main(["profile", str(syntax)]) == 1
    err = capsys.readouterr().err
    assert "SyntaxError" in err and "runpy" not in err


def test_unwritable_output_files_are_usage_errors(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    script = tmp_path / "touch.py"
    marker = tmp_path / "ran"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    # checked before the script runs, not a traceback after it
    assert cli.main(["profile", "--json", str(blocker / "p.json"), str(script)]) == 2
    assert "cannot write" in capsys.readouterr().err and not marker.exists()
    assert cli.main(["docs", "--out", str(blocker / "api.md")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_bench_bad_spec_and_counts_are_usage_errors(tmp_path, capsys):
    assert cli.main(["bench", "--spec", str(tmp_path / "missing.json")]) == 2
    assert "cannot read --spec" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("not json")
    assert cli.main(["bench", "--spec", str(tmp_path / "bad.json")]) == 2
    assert "is not JSON" in capsys.readouterr().err
    (tmp_path / "list.json").write_text("[1]")
    assert cli.main(["bench", "--spec", str(tmp_path / "list.json")]) == 2
    assert "not a benchmark spec" in capsys.readouterr().err
    for argv in (["--repeat", "0"], ["--warmup", "-1"], ["--repeat", "x"]):
        with pytest.raises(SystemExit) as info:
            cli.main(["bench", "--only", "add_1M", *argv])
        assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        cli.main(["profile", "--top", "0", "x.py"])
    assert info.value.code == 2


def test_demo_refuses_an_unusable_out_folder_before_training(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    assert cli.main(["demo", "--quiet", "--out", str(blocker / "models")]) == 2
    captured = capsys.readouterr()
    assert "cannot use --out" in captured.err and "Training" not in captured.out
