"""Training callbacks for ``Model.fit``: History, EarlyStopping, LambdaCallback, CallbackList.

``fit(callbacks=...)`` takes Callback objects, or TF.js-style dicts of functions
(``{'on_epoch_end': fn}`` or ``{'onEpochEnd': fn}``), or a list mixing both.

Example:
    >>> import webtensor as wt
    >>> seen = []
    >>> cb = wt.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    >>> cb.on_epoch_end(0, {}); seen
    [0]
"""

from __future__ import annotations

import warnings

import numpy as np

from .identifiers import name_key

_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
          "on_batch_begin", "on_batch_end")


class Callback:
    """Base class; override any of the ``on_*`` hooks. ``self.model`` is the model trained.

    Example:
        >>> import webtensor as wt
        >>> class Count(wt.callbacks.Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         self.n = epoch + 1
        >>> c = Count(); c.on_epoch_end(2); c.n
        3
    """

    def __init__(self) -> None:
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        """Attach the model being trained."""
        self.model = model

    def set_params(self, params: dict) -> None:
        """Attach the fit parameters (epochs, steps, ...)."""
        self.params = params

    def on_train_begin(self, logs=None) -> None:
        """Called once before the first epoch."""

    def on_train_end(self, logs=None) -> None:
        """Called once after the last epoch."""

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        """Called at the end of every epoch with the epoch's logs (loss, metrics, val_*)."""

    def on_batch_begin(self, batch: int, logs=None) -> None:
        """Called before every training batch."""

    def on_batch_end(self, batch: int, logs=None) -> None:
        """Called after every training batch with its logs."""


class LambdaCallback(Callback):
    """A callback made of functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Hook names may be camelCase, as in TF.js (``onEpochEnd``).

    Example:
        >>> import webtensor as wt
        >>> out = []
        >>> cb = wt.callbacks.LambdaCallback(onBatchEnd=lambda b, logs: out.append(b))
        >>> cb.on_batch_end(4, {}); out
        [4]
    """

    def __init__(self, **hooks) -> None:
        super().__init__()
        index = {name_key(h): h for h in _HOOKS}
        for key, fn in hooks.items():
            hook = index.get(name_key(key))
            if hook is None:
                raise ValueError(f"LambdaCallback: unknown hook {key!r}; valid: "
                                 f"{', '.join(_HOOKS)}")
            if fn is not None:
                setattr(self, hook, self._wrap(hook, fn))

    @staticmethod
    def _wrap(hook: str, fn):
        if hook in ("on_train_begin", "on_train_end"):
            def call(logs=None):
                fn(logs)
        else:
            def call(index, logs=None):
                fn(index, logs)
        return call


class History(Callback):
    """Records each epoch's logs: ``history.history['loss']`` is the per-epoch loss.

    Example:
        >>> import webtensor as wt
        >>> h = wt.callbacks.History(); h.on_train_begin()
        >>> h.on_epoch_end(0, {"loss": 1.0}); h.history
        {'loss': [1.0]}
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None) -> None:
        self.history = {}
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.epoch.append(epoch)
        logs = logs or {}
        # SPEC order: loss, val_loss, then the metrics (sorted() is stable)
        for k in sorted(logs, key=lambda k: (k != "loss", k != "val_loss")):
            self.history.setdefault(k, []).append(logs[k])

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    Args:
        monitor: a logs key ('val_loss', 'loss', 'val_accuracy', ...).
        min_delta: smallest change that counts as an improvement.
        patience: epochs without improvement before stopping.
        verbose: print when stopping.
        mode: 'min', 'max' or 'auto' ('max' for accuracy-like names).
        baseline: a value the monitored quantity must beat.
        restore_best_weights: put back the weights of the best epoch when stopping.

    Example:
        >>> import webtensor as wt
        >>> es = wt.callbacks.EarlyStopping(monitor="loss", patience=1)
        >>> class M: stop_training = False
        >>> es.set_model(M()); es.on_train_begin()
        >>> for e, v in enumerate([3.0, 2.0, 2.5, 2.6]):
        ...     es.on_epoch_end(e, {"loss": v})
        ...     if es.model.stop_training:
        ...         break
        >>> es.model.stop_training, es.stopped_epoch
        (True, 2)
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False) -> None:
        super().__init__()
        self.monitor = monitor
        self.min_delta = abs(float(min_delta))
        self.patience = int(patience)
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            key = monitor.lower()
            mode = "max" if any(s in key for s in ("acc", "precision", "recall", "auc")) \
                else "min"
        self.mode = mode
        self.on_train_begin()

    def _better(self, value: float, reference: float) -> bool:
        if self.mode == "min":
            return value < reference - self.min_delta
        return value > reference + self.min_delta

    def on_train_begin(self, logs=None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf if self.mode == "min" else -np.inf
        if self.baseline is not None:
            self.best = float(self.baseline)
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(f"EarlyStopping: the monitored {self.monitor!r} is not in the logs "
                          f"(available: {sorted(logs or {})})", stacklevel=2)
            return
        if self._better(float(value), self.best):
            self.best = float(value)
            self.best_epoch = epoch
            self.wait = 0
            if self.restore_best_weights and self.model is not None:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)
            if self.verbose:
                print(f"Epoch {epoch + 1}: early stopping")


class CallbackList:
    """A list of callbacks called together; dicts of functions become LambdaCallbacks.

    Example:
        >>> import webtensor as wt
        >>> got = []
        >>> cbs = wt.callbacks.CallbackList([{"onEpochEnd": lambda e, logs: got.append(e)}])
        >>> cbs.on_epoch_end(1, {}); got
        [1]
    """

    def __init__(self, callbacks=None) -> None:
        if callbacks is None:
            callbacks = []
        elif isinstance(callbacks, (Callback, dict)):
            callbacks = [callbacks]
        self.callbacks: list[Callback] = []
        for cb in callbacks:
            if isinstance(cb, dict):
                cb = LambdaCallback(**cb)
            if not isinstance(cb, Callback):
                raise ValueError(f"callbacks: expected Callback objects or dicts of functions, "
                                 f"got {type(cb).__name__}")
            self.callbacks.append(cb)

    def append(self, cb: Callback) -> None:
        """Add a callback."""
        self.callbacks.append(cb)

    def set_model(self, model) -> None:
        """Attach the model to every callback."""
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params: dict) -> None:
        """Give every callback the fit parameters."""
        for cb in self.callbacks:
            cb.set_params(params)

    def on_train_begin(self, logs=None) -> None:
        """Call every callback's ``on_train_begin``."""
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None) -> None:
        """Call every callback's ``on_train_end``."""
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        """Call every callback's ``on_epoch_begin``."""
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        """Call every callback's ``on_epoch_end``."""
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_batch_begin(self, batch: int, logs=None) -> None:
        """Call every callback's ``on_batch_begin``."""
        for cb in self.callbacks:
            cb.on_batch_begin(batch, logs)

    def on_batch_end(self, batch: int, logs=None) -> None:
        """Call every callback's ``on_batch_end``."""
        for cb in self.callbacks:
            cb.on_batch_end(batch, logs)


__all__ = ["Callback", "LambdaCallback", "History", "EarlyStopping", "CallbackList"]
