"""wt.set_debug / NaNError, wt.profile and wt.time (in process)."""

import json
import shlex

import numpy as np
import pytest

import webtensor as wt
from webtensor import cli, registry
from webtensor.debug import NaNError
from webtensor.engine import Engine
from webtensor.shadertools import capture_programs


@pytest.fixture
def debug_on():
    wt.set_debug(True)
    try:
        yield
    finally:
        wt.set_debug(False)


# -- debug mode -------------------------------------------------------------------------------
def test_debug_names_the_op_that_turns_finite_input_into_nan(debug_on):
    x = wt.tensor([[1.0, 2.0, 3.0], [4.0, -2.0, 6.0]])
    with pytest.raises(NaNError) as info:
        # mul is fine, log makes the NaN, sqrt would only propagate it
        wt.sqrt(wt.log(x.mul(2.0)))
    err = info.value
    assert isinstance(err, FloatingPointError)
    assert err.kernel == "log"
    assert err.input_shapes == [(2, 3)]
    assert err.output_shape == (2, 3)
    assert (err.nan, err.inf) == (1, 0)
    assert err.index == (1, 1)
    msg = str(err)
    assert "kernel 'log'" in msg and "[2, 3]" in msg and "glsl/log.glsl" in msg
    assert "-4.0" in msg  # the input value at the bad element


def test_debug_reports_inf_too(debug_on):
    with pytest.raises(NaNError) as info:
        wt.exp(wt.tensor([1.0, 100.0]))
    assert info.value.kernel == "exp"
    assert (info.value.nan, info.value.inf) == (0, 1)


def test_debug_lets_nan_inputs_propagate(debug_on):
    x = wt.tensor([np.nan, 1.0])
    y = wt.add(x, 1.0)  # NaN in, NaN out: not this op's fault
    assert np.isnan(y.numpy()[0])


def test_debug_off_does_not_check():
    wt.set_debug(False)
    assert not wt.debug.is_debug()
    y = wt.log(wt.tensor([-1.0]))
    assert np.isnan(y.numpy()[0])


def test_debug_names_a_binary_op_with_both_shapes(debug_on):
    a = wt.tensor([[0.0, 1.0]])
    b = wt.tensor([0.0])
    with pytest.raises(NaNError) as info:
        wt.div(a, b)  # 0/0 = NaN, 1/0 = Inf
    assert info.value.kernel == "div"
    assert info.value.input_shapes == [(1, 2), (1,)]
    assert (info.value.nan, info.value.inf) == (1, 1)


def test_webtensor_debug_env_is_read_at_start(monkeypatch):
    monkeypatch.setenv("WEBTENSOR_DEBUG", "1")
    assert Engine().debug is True
    monkeypatch.setenv("WEBTENSOR_DEBUG", "0")
    assert Engine().debug is False


# -- profile ----------------------------------------------------------------------------------
def test_profile_counts_kernels_of_a_known_chain_exactly():
    x = wt.ones([3, 4])
    p = wt.profile(lambda: x.exp().mul(2.0).add(x).sqrt())
    assert [k.name for k in p.kernels] == ["exp", "mul", "add", "sqrt"]
    assert [len(k.draws) for k in p.kernels] == [1, 1, 1, 1]
    assert [k.shaders for k in p.kernels] == [["exp"], ["mul"], ["add"], ["sqrt"]]
    assert p.kernels[0].input_shapes == [(3, 4)]
    assert p.kernels[1].input_shapes == [(3, 4), 2.0]
    assert p.kernels[2].input_shapes == [(3, 4), (3, 4)]
    assert all(k.output_shapes == [(3, 4)] and k.output_size == 12 for k in p.kernels)
    assert all(k.bytes == 48 for k in p.kernels)
    gpu_times = [k.gpu_ms for k in p.kernels]  # reported, not compared
    assert all(isinstance(v, float) for v in gpu_times)
    assert p.new_tensors == 1 and p.new_bytes == 48
    assert p.peak_bytes >= wt.memory().num_bytes
    np.testing.assert_allclose(p.result.numpy(), np.sqrt(np.exp(1.0) * 2 + 1), rtol=1e-6)
    rows = p.summary()
    assert sorted(r["name"] for r in rows) == ["add", "exp", "mul", "sqrt"]
    assert all(r["calls"] == 1 for r in rows)
    table = p.table()
    assert "exp" in table and "sqrt" in table and "total" in table
    p.result.dispose()


def test_profile_reports_draws_outside_kernels_under_the_shader_name():
    p = wt.profile(lambda: wt.zeros([5]).add(1.0))
    assert sorted(k.name for k in p.kernels) == ["add", "fill"]
    fill = next(k for k in p.kernels if k.name == "fill")
    assert fill.input_shapes == [] and fill.output_size == 5


def test_profile_counts_repeated_calls_and_tidied_intermediates():
    x = wt.ones([8])

    def step():
        y = x
        for _ in range(5):
            y = wt.tidy(lambda y=y: y.mul(1.5).add(1.0))
        return y

    p = wt.profile(step)
    names = [k.name for k in p.kernels]
    assert names.count("mul") == 5 and names.count("add") == 5 and len(names) == 10
    assert p.new_tensors == 1 and p.new_bytes == 32
    assert {r["name"]: r["calls"] for r in p.summary()} == {"mul": 5, "add": 5}


def test_profile_restores_the_registry_and_listeners_even_on_error():
    forwards = {k.name: k.forward for k in registry.kernels()}
    listeners = list(wt.engine().listeners)

    def boom():
        wt.exp(wt.ones([2]))
        raise KeyError("boom")

    with pytest.raises(KeyError):
        wt.profile(boom)
    assert {k.name: k.forward for k in registry.kernels()} == forwards
    assert wt.engine().listeners == listeners


def test_profile_of_a_gradient_sees_the_backward_kernels():
    x = wt.tensor([0.5, 1.0])
    p = wt.profile(lambda: wt.grad(lambda v: wt.exp(v).mul(3.0))(x))
    names = [k.name for k in p.kernels]
    assert names[:2] == ["exp", "mul"]  # forward
    assert len(names) > 2  # then the backward pass
    np.testing.assert_allclose(p.result.numpy(), 3 * np.exp([0.5, 1.0]), rtol=1e-5)


# -- time -------------------------------------------------------------------------------------
def test_time_counts_draws_and_sums_gpu_time():
    x = wt.ones([16, 16])
    t = wt.time(lambda: x.exp().add(1.0).numpy())
    assert t.draws == 2
    kernel, wall = t.kernel_ms, t.wall_ms  # sanity only: no speed threshold
    assert kernel >= 0.0 and wall > 0.0
    assert "kernel" in str(t)
    assert wt.engine().listeners == []


def test_time_of_a_function_drawing_nothing():
    t = wt.time(lambda: 1 + 1)
    no_kernel_time = t.kernel_ms == 0.0  # nothing was drawn, so nothing was timed
    assert t.draws == 0 and no_kernel_time


def test_debug_message_gives_a_show_command_with_the_attributes(debug_on, capsys):
    x = wt.tensor([[3e38, 1.0], [3e38, 1.0]])
    with capture_programs() as seen, pytest.raises(NaNError) as info:
        wt.sum(x, axis=0)  # 6e38 overflows float32
    command = str(info.value).splitlines()[-1].split("see the GLSL: ")[1]
    assert command == "webtensor shaders show sum --shape 2,2 --attr 'axis=(0,)' " \
                      "--attr keepdims=False"
    # the command shows the very program that overflowed (not sum over all axes)
    wt.set_debug(False)
    assert cli.main([*shlex.split(command)[1:], "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["programs"]
    assert [(p["shader"], tuple(sorted(p["defines"].items()))) for p in shown] == seen
