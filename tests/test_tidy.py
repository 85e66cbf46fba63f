"""tidy / keep / dispose / memory semantics (TF.js's, plus Python lifetimes)."""

import asyncio
import gc

import numpy as np
import pytest

import webtensor as wt


def live():
    gc.collect()
    return wt.memory().num_tensors


def test_tidy_disposes_intermediates_and_keeps_result():
    base = live()
    kept = []

    def f():
        a = wt.ones([3])
        b = a.add(1)
        kept.append(a)
        return b.mul(2)

    out = wt.tidy(f)
    assert kept[0].is_disposed
    assert out.numpy().tolist() == [4.0, 4.0, 4.0]
    assert live() == base + 1
    out.dispose()


def test_tidy_returns_nested_containers():
    def f():
        a, b, c = wt.ones([1]), wt.zeros([1]), wt.fill([1], 3)
        wt.ones([5])  # dropped
        return {"pair": (a, [b]), "c": c, "n": 4}

    out = wt.tidy(f)
    assert out["n"] == 4
    assert out["pair"][0].item() == 1 and out["pair"][1][0].item() == 0
    assert out["c"].item() == 3
    wt.dispose(out)


def test_nested_scopes_move_results_to_parent():
    inner_results = []

    def outer():
        def inner():
            return wt.ones([2]).add(1)

        r = wt.tidy(inner)
        inner_results.append(r)
        assert not r.is_disposed
        return r.add(1)

    out = wt.tidy(outer)
    assert inner_results[0].is_disposed  # disposed by the outer scope
    assert out.numpy().tolist() == [3.0, 3.0]
    out.dispose()


def test_keep_survives_every_scope():
    with wt.tidy():
        with wt.tidy():
            k = wt.keep(wt.ones([2]))
            t = wt.ones([2])
        assert t.is_disposed
    assert not k.is_disposed
    k.dispose()


def test_with_block_disposes_everything_not_kept():
    with wt.tidy():
        t = wt.ones([4]).square()
    assert t.is_disposed


def test_decorator_keeps_return_value():
    @wt.tidy()
    def f(x):
        return wt.tensor(x).add(wt.ones([2])).square()

    base = live()
    y = f([1.0, 2.0])
    assert y.numpy().tolist() == [4.0, 9.0]
    assert live() == base + 1
    y.dispose()


def test_exception_inside_tidy_disposes_and_propagates():
    made = []

    def f():
        made.append(wt.ones([3]))
        raise KeyError("boom")

    with pytest.raises(KeyError):
        wt.tidy(f)
    assert made[0].is_disposed


def test_variables_survive_tidy():
    def f():
        wt.variable(wt.ones([2]))
        wt.ones([2])

    base = live()
    wt.tidy(f)
    # the variable was never tracked; dropping the last reference releases it
    assert live() == base


def test_variable_held_across_tidy():
    v = wt.variable(wt.zeros([2]))
    wt.tidy(lambda: v.assign(v.add(1)))
    assert not v.is_disposed and v.numpy().tolist() == [1.0, 1.0]
    v.dispose()


def test_tidy_rejects_async_functions():
    async def f():
        return wt.ones([1])

    with pytest.raises(TypeError):
        wt.tidy(f)
    with pytest.raises(TypeError):
        wt.tidy()(f)
    asyncio.run(asyncio.sleep(0))


def test_named_tidy():
    y = wt.tidy("block", lambda: wt.ones([1]).add(1))
    assert y.item() == 2.0
    y.dispose()


def test_dropped_tensors_are_released_without_gl_in_finalizers():
    base = live()
    for _ in range(50):
        wt.ones([8]).add(1)  # results dropped at once
    assert live() == base


def test_memory_flat_over_1000_tidy_iterations():
    x = wt.tensor(np.arange(16, dtype=np.float32))
    wt.tidy(lambda: x.mul(2).add(1).square().dispose())  # warm the pool
    gc.collect()
    m0 = wt.memory()
    for _ in range(1000):
        wt.tidy(lambda: x.mul(2).add(1).square())
    m1 = wt.memory()
    assert m1.num_tensors == m0.num_tensors
    assert m1.num_bytes == m0.num_bytes
    assert m1.num_textures == m0.num_textures  # textures come back from the pool
    x.dispose()


def test_memory_reports_bytes():
    base = wt.memory()
    t = wt.ones([100]).add(0)
    m = wt.memory()
    assert m.num_tensors == base.num_tensors + 1
    assert m.num_bytes == base.num_bytes + 400
    assert m.num_bytes_in_gpu >= m.num_bytes_in_pool >= 0
    t.dispose()


def test_empty_pool_really_deletes():
    t = wt.ones([1000]).add(1)
    t.dispose()
    assert wt.memory().num_bytes_in_pool > 0
    wt.engine().empty_pool()
    m = wt.memory()
    assert m.num_bytes_in_pool == 0


def test_dispose_nested_and_idempotent():
    a, b = wt.ones([1]), wt.ones([2])
    wt.dispose({"x": [a, (b,)]})
    wt.dispose(a)
    a.dispose()
    assert a.is_disposed and b.is_disposed
