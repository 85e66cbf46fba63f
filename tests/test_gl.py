"""The GL layer: shader sources and line maps, compile errors, texture layout and pool."""

import numpy as np
import pytest

import webtensor as wt
from webtensor.gl.programs import ProgramCache
from webtensor.gl.shaders import build_source
from webtensor.gl.textures import texture_shape


def test_source_has_version_defines_and_line_map():
    src = build_source("exp", {"ARITY": 1, "MODE_A": 0})
    lines = src.text.splitlines()
    assert lines[0] == "#version 300 es"
    assert "#define ARITY 1" in lines and "#define MODE_A 0" in lines
    body = next(i for i, ln in enumerate(lines, 1) if "return exp(x);" in ln)
    assert src.origin(body) == ("glsl/exp.glsl", 3)
    assert any(f == "glsl/_common.glsl" for f, _ in src.line_map)
    assert "glsl/exp.glsl:3" in src.numbered()


def test_compile_error_names_file_and_line(tmp_path, monkeypatch):
    (tmp_path / "exp.glsl").write_text(
        '#include "_common.glsl"\nfloat op(float x) {\n  return exp(x) + undefined_name;\n}\n'
        '#include "_elementwise.glsl"\n'
    )
    monkeypatch.setenv("WEBTENSOR_OVERRIDE_DIR", str(tmp_path))
    cache = ProgramCache(wt.engine().ctx)
    with pytest.raises(wt.ShaderCompileError) as err:
        cache.get("exp", (("ARITY", 1), ("MODE_A", 0)))
    msg = str(err.value)
    assert f"{tmp_path / 'exp.glsl'}:3" in msg
    assert "undefined_name" in msg and ">>" in msg


def test_recursive_include_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "loop.glsl").write_text('#include "loop.glsl"\n')
    monkeypatch.setenv("WEBTENSOR_OVERRIDE_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="recursive"):
        build_source("loop")


def test_dump_dir_writes_sources(tmp_path, monkeypatch):
    monkeypatch.setenv("WEBTENSOR_DUMP_DIR", str(tmp_path))
    cache = ProgramCache(wt.engine().ctx)
    cache.get("neg", (("ARITY", 1), ("MODE_A", 0)))
    dumped = list(tmp_path.glob("neg__*.glsl"))
    assert dumped and dumped[0].read_text().startswith("#version 300 es")


@pytest.mark.parametrize("size", [1, 4, 5, 17, 4096, 4097, 10**6, 4 * 2048 * 2048])
def test_texture_shape_is_near_square_power_of_two_width(size):
    w, h = texture_shape(size, 16384)
    assert w & (w - 1) == 0
    assert w * h * 4 >= size
    assert h <= w


def test_texture_shape_refuses_what_cannot_fit():
    with pytest.raises(ValueError, match="MAX_TEXTURE_SIZE is 16"):
        texture_shape(16 * 16 * 4 + 1, 16)
    assert texture_shape(16 * 16 * 4, 16) == (16, 16)


def test_pool_reuses_textures_of_the_same_size():
    eng = wt.engine()
    wt.ones([64]).add(1).dispose()
    created = eng.pool.created
    for _ in range(5):
        wt.ones([64]).add(1).dispose()
    assert eng.pool.created == created


def test_int32_values_round_trip_exactly():
    x = np.array([-(2**24), -12345, 0, 7, 2**24], dtype=np.int32)
    np.testing.assert_array_equal(wt.tensor(x).numpy(), x)
    np.testing.assert_array_equal((wt.tensor(x) + 0).numpy(), x)


def test_set_context_adopts_a_users_context():
    import subprocess
    import sys

    code = (
        "import moderngl, webtensor as wt\n"
        "ctx = moderngl.create_context(standalone=True, backend='egl')\n"
        "wt.ones([2]).add(1).numpy()  # both tensors dropped: queued, not yet drained\n"
        "wt.set_context(ctx)\n"
        "assert wt.engine().ctx is ctx and wt.info().backend == 'user'\n"
        "print(wt.tensor([0.0, 1.0]).exp().numpy().astype(float).round(4).tolist())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[1.0, 2.7183]"


def test_missing_backend_says_what_to_install():
    import subprocess
    import sys

    code = "import webtensor as wt\nwt.ones([1]).numpy()\n"
    env = {**__import__("os").environ, "WEBTENSOR_GL": "no-such-backend"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=env)
    assert out.returncode != 0
    assert "GLContextError" in out.stderr and "apt-get install" in out.stderr
