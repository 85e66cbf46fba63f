"""Small data sets bundled with the package (see docs/data.md for sources)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

_DATA = Path(__file__).resolve().parent / "data"


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 8×8 handwritten digits: images as float32 in [0, 1], labels as int32.

    Example:
        >>> import webtensor as wt
        >>> images, labels = wt.datasets.load_digits()
        >>> images.shape, labels.shape, int(labels.max())
        ((1797, 8, 8), (1797,), 9)
    """
    with np.load(_DATA / "digits.npz") as f:
        images = f["images"].astype(np.float32) / 16.0
        labels = f["labels"].astype(np.int32)
    return images, labels
