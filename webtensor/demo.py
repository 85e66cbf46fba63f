"""``webtensor demo``: the tutorial of the spec ("Seed examples"), run and printed.

Each step prints the code, then what it gives; then the seed's recurrent model
trains, and (unless ``seed_only``) an LSTM and a CNN learn the bundled digits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def _steps(wt) -> list[tuple[str, Callable[[], object]]]:
    """(code, thunk) pairs; a thunk returns a tensor or text to print, or None."""
    state: dict = {}

    def a_print():
        state["a"] = wt.tensor([1.0, 2.0, 3.0, 10.0, 20.0, 30.0], [2, 3])
        return state["a"]

    def square():
        state["d"] = wt.tensor2d([[1.0, 2.0], [3.0, 4.0]])
        return state["d"].square()

    def add():
        state["e"] = state["d"]
        state["f"] = wt.tensor2d([[5.0, 6.0], [7.0, 8.0]])
        return state["e"].add(state["f"])

    def chain():
        e, f = state["e"], state["f"]
        left = e.add(f).square()
        right = wt.square(wt.add(e, f))
        return f"{left.to_string()}\n{right.to_string()}"

    def variable():
        biases = wt.variable(wt.zeros([5]))
        biases.assign(wt.tensor1d([0, 1, 0, 1, 0]))
        return biases

    def predict():
        a2, b2, c2 = wt.scalar(2), wt.scalar(4), wt.scalar(8)

        def f(x):
            return wt.tidy(lambda: a2.mul(wt.scalar(x).square()).add(b2.mul(wt.scalar(x)))
                           .add(c2))
        return f(2)

    def dispose():
        x = wt.tensor2d([[0.0, 2.0], [4.0, 6.0]])
        x_squared = x.square()
        x.dispose()
        x_squared.dispose()
        return f"x.is_disposed = {x.is_disposed}, x_squared.is_disposed = " \
               f"{x_squared.is_disposed}"

    def average():
        return wt.tidy(lambda: wt.tensor1d([1.0, 2.0, 3.0, 4.0]).sub(wt.ones([4])).square()
                       .mean())

    return [
        ("a = wt.tensor([1.0, 2.0, 3.0, 10.0, 20.0, 30.0], [2, 3]); a.print()", a_print),
        ("b = wt.tensor([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]]); b.shape",
         lambda: str(wt.tensor([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]]).shape)),
        ("c = wt.tensor2d([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]]); c.rank",
         lambda: str(wt.tensor2d([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]]).rank)),
        ("z = wt.zeros([3, 5])", lambda: wt.zeros([3, 5])),
        ("biases = wt.variable(wt.zeros([5])); biases.assign(wt.tensor1d([0, 1, 0, 1, 0]))",
         variable),
        ("d = wt.tensor2d([[1.0, 2.0], [3.0, 4.0]]); d.square()", square),
        ("e = d; f = wt.tensor2d([[5.0, 6.0], [7.0, 8.0]]); e.add(f)", add),
        ("e.add(f).square(); wt.square(wt.add(e, f))", chain),
        ("a2, b2, c2 = wt.scalar(2), wt.scalar(4), wt.scalar(8)\n"
         "def predict(x):  # y = 2x^2 + 4x + 8\n"
         "    return wt.tidy(lambda: a2.mul(wt.scalar(x).square())"
         ".add(b2.mul(wt.scalar(x))).add(c2))\n"
         "predict(2).print()", predict),
        ("x = wt.tensor2d([[0.0, 2.0], [4.0, 6.0]]); x_squared = x.square()\n"
         "x.dispose(); x_squared.dispose()", dispose),
        ("average = wt.tidy(lambda: wt.tensor1d([1.0, 2.0, 3.0, 4.0])"
         ".sub(wt.ones([4])).square().mean())\naverage.print()", average),
    ]


_MODEL_CODE = """model = wt.sequential()
model.add(wt.layers.simple_rnn(units=20, recurrent_initializer='GlorotNormal',
                               input_shape=(80, 4)))
model.compile(optimizer=wt.train.sgd(0.01), loss='categoricalCrossentropy')
model.fit(data, labels)  # data [n, 80, 4], labels [n, 20]"""


def _model(wt, out: Callable[[str], None]) -> None:
    rng = np.random.default_rng(0)
    data = rng.uniform(-1, 1, (32, 80, 4)).astype(np.float32)
    labels = np.eye(20, dtype=np.float32)[rng.integers(0, 20, 32)]
    model = wt.sequential()
    model.add(wt.layers.simple_rnn(units=20, recurrent_initializer="GlorotNormal",
                                   input_shape=(80, 4)))
    model.compile(optimizer=wt.train.sgd(0.01), loss="categoricalCrossentropy")
    history = model.fit(data, labels, epochs=2, verbose=0)
    losses = history.history["loss"]
    out(f"loss per epoch on 32 random sequences: {', '.join(f'{v:.4f}' for v in losses)}")
    model.dispose()


def run_demo(out: Callable[[str], None] = print, seed_only: bool = False,
             out_dir: str | None = None, verbose: int = 1) -> dict:
    """Run the seed examples, printing each line of code and its result, then train.

    Args:
        out: where the lines go.
        seed_only: stop after the seed examples (no digits training).
        out_dir: where the trained digits models are saved (default: a temporary dir).
        verbose: 1 shows fit's progress bars.

    Returns:
        The digits training's results (accuracies, model paths), empty if ``seed_only``.

    Example:
        >>> from webtensor.demo import run_demo
        >>> lines = []
        >>> _ = run_demo(lines.append, seed_only=True)
        >>> any("[[1 , 2 , 3 ]," in line for line in lines)
        True
    """
    import webtensor as wt

    info = wt.info()
    out(f"webtensor {wt.__version__} on {info.renderer} ({info.gl_version}, "
        f"{info.backend} backend)")
    with wt.tidy():
        for code, thunk in _steps(wt):
            out("")
            out(_prompted(code))
            result = thunk()
            if result is not None:
                out(result if isinstance(result, str) else result.to_string())
        out("")
        out(_prompted(_MODEL_CODE))
        _model(wt, out)
    results: dict = {}
    if not seed_only:
        from .demo_training import run

        out("")
        results = run(verbose=verbose, out_dir=out_dir, log=out)
    m = wt.memory()
    out("")
    out(f"tensors alive after the demo: {m.num_tensors}; programs compiled: "
        f"{wt.info().programs_compiled}")
    return results


def _prompted(code: str) -> str:
    return "\n".join((">>> " if i == 0 else "... ") + line
                     for i, line in enumerate(code.splitlines()))
