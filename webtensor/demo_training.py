"""Training demo: an LSTM and a small CNN on the bundled 8x8 digits, saved for TF.js.

The LSTM reads each image row by row (8 time steps of 8 pixels), the recurrent
setting of the SPEC's seed example; the CNN sees the image as [8, 8, 1]. Both train
with ``fit`` (progress bar when ``verbose``), report held-out accuracy on a fixed 20 %
split, and are saved in the TensorFlow.js layers format (``model.json`` + shards)
that ``tf.loadLayersModel`` and ``wt.load_layers_model`` read.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

__all__ = ["run", "split_digits"]


def split_digits(seed: int = 0, holdout: float = 0.2):
    """The digits as (x_train, y_train, x_test, y_test), 20 % held out with a fixed seed.

    Images are [n, 8, 8] float32 in [0, 1]; labels int32.

    Example:
        >>> from webtensor.demo_training import split_digits
        >>> x_tr, y_tr, x_te, y_te = split_digits()
        >>> x_tr.shape, x_te.shape
        ((1438, 8, 8), (359, 8, 8))
    """
    from .datasets import load_digits

    images, labels = load_digits()
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = int(round(holdout * len(images)))
    test, train = order[:n_test], order[n_test:]
    return images[train], labels[train], images[test], labels[test]


def _accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    probs = model.predict(x, batch_size=256)
    pred = probs.numpy().argmax(-1)
    probs.dispose()
    return float((pred == y).mean())


def _lstm_model():
    from . import layers
    from .layers.recurrent import LSTM
    from .models import sequential
    from .train import adam

    model = sequential([
        LSTM(48, input_shape=(8, 8), name="lstm"),
        layers.Dense(10, activation="softmax", name="lstm_out"),
    ], name="digits_lstm")
    model.compile(optimizer=adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def _cnn_model():
    from . import layers
    from .models import sequential
    from .train import adam

    model = sequential([
        layers.Conv2D(16, 3, activation="relu", padding="same", input_shape=(8, 8, 1),
                      name="conv"),
        layers.MaxPooling2D(2, name="pool"),
        layers.Flatten(name="flat"),
        layers.Dense(32, activation="relu", name="hidden"),
        layers.Dense(10, activation="softmax", name="cnn_out"),
    ], name="digits_cnn")
    model.compile(optimizer=adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def run(verbose: int = 1, out_dir: str | None = None, log=print, lstm_epochs: int = 12,
        cnn_epochs: int = 10, seed: int = 0) -> dict:
    """Train the LSTM and the CNN on the digits, print accuracies, save both models.

    Args:
        verbose: 1 shows fit's progress bars, 0 only the results, -1 nothing.
        log: where the result lines go.
        out_dir: where to save ``lstm/`` and ``cnn/`` (default: a new temporary dir).
        lstm_epochs, cnn_epochs: training epochs.
        seed: the train/test split and the shuffling seed.

    Returns:
        ``{'lstm_accuracy', 'cnn_accuracy', 'lstm_path', 'cnn_path', 'seconds'}``
        (paths of the saved ``model.json`` files).

    Example:
        >>> from webtensor.demo_training import run
        >>> result = run(verbose=-1, lstm_epochs=0, cnn_epochs=0)  # untrained: a quick look
        >>> sorted(result)
        ['cnn_accuracy', 'cnn_path', 'lstm_accuracy', 'lstm_path', 'seconds']
    """
    from .initializers import set_seed
    from .io import save_model
    from .layers.base import clear_session

    t0 = time.perf_counter()
    np.random.seed(seed)
    set_seed(seed)
    x_tr, y_tr, x_te, y_te = split_digits(seed)
    onehot = np.eye(10, dtype=np.float32)[y_tr]
    out = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="webtensor-demo-"))
    say = log if verbose >= 0 else (lambda *a, **k: None)
    clear_session()
    results = {}
    for kind, make, xs, xt, epochs in (
            ("lstm", _lstm_model, x_tr, x_te, lstm_epochs),
            ("cnn", _cnn_model, x_tr[..., None], x_te[..., None], cnn_epochs)):
        say(f"Training the {kind.upper()} on {len(xs)} digits ({epochs} epochs)")
        model = make()
        model.fit(xs, onehot, batch_size=32, epochs=epochs, verbose=verbose, shuffle=True)
        acc = _accuracy(model, xt, y_te)
        save_model(model, out / kind)
        say(f"{kind.upper()} held-out accuracy: {acc * 100:.1f} % on {len(xt)} digits; "
            f"saved to {out / kind / 'model.json'}")
        results[f"{kind}_accuracy"] = acc
        results[f"{kind}_path"] = str(out / kind / "model.json")
        model.dispose()
    results["seconds"] = time.perf_counter() - t0
    return results
