"""The digits training behind `webtensor demo` (short runs; the full one trains longer)."""

import numpy as np

import webtensor as wt
from webtensor.demo_training import run, split_digits


def test_split_is_fixed_and_holds_every_image_once():
    x_tr, y_tr, x_te, y_te = split_digits(0)
    again = split_digits(0)
    assert len(x_tr) + len(x_te) == 1797 and 0.15 < len(x_te) / 1797 < 0.25
    np.testing.assert_array_equal(x_te, again[2])
    assert set(np.unique(y_tr)) == set(range(10))
    images, labels = wt.datasets.load_digits()
    split_rows = np.unique(np.concatenate([x_tr, x_te]).reshape(len(images), -1), axis=0,
                           return_counts=True)
    all_rows = np.unique(images.reshape(len(images), -1), axis=0, return_counts=True)
    for a, b in zip(split_rows, all_rows):  # the same images, each as often
        np.testing.assert_array_equal(a, b)
    assert np.bincount(np.concatenate([y_tr, y_te])).tolist() == np.bincount(labels).tolist()


def test_short_training_run_saves_loadable_models(tmp_path):
    lines = []
    got = run(verbose=0, out_dir=str(tmp_path), log=lines.append, lstm_epochs=1, cnn_epochs=1)
    assert 0.2 < got["lstm_accuracy"] <= 1 and 0.2 < got["cnn_accuracy"] <= 1
    assert any("LSTM held-out accuracy" in line for line in lines)
    for kind in ("lstm", "cnn"):
        model = wt.load_layers_model(tmp_path / kind / "model.json")
        images = split_digits(0)[2][:4]
        x = wt.tensor(images[..., None] if kind == "cnn" else images)
        assert model.predict(x).shape == (4, 10)
        model.dispose()
