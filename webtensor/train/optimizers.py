"""The optimizers of TF.js (``tf.train.*``), each one fused update kernel per variable.

Update rules, with ``g`` the gradient and ``t`` the 1-based step (TF.js's exactly):

- sgd: ``x += -lr * g``
- momentum: ``a = m * a + g``; ``x += -lr * a`` (Nesterov: ``x += -lr * (g + m * a)``)
- adam: ``m = b1 m + (1 - b1) g``; ``v = b2 v + (1 - b2) g²``;
  ``x += -lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)``
- adagrad: ``a += g²`` (``a`` starts at ``initial_accumulator_value``);
  ``x += -lr * g / sqrt(a + 1e-7)``
- adadelta: ``u = sqrt(au + eps) / sqrt(ag + eps) * g`` with the accumulators of the
  previous step; ``ag = rho ag + (1 - rho) g²``; ``au = rho au + (1 - rho) u²``;
  ``x += -lr * u``
- adamax: ``m = b1 m + (1 - b1) g``; ``u = max(b2 u, |g|)``;
  ``x += -lr / (1 + (t - 1) decay) / (1 - b1^t) * m / (u + eps)``
- rmsprop: ``ms = d ms + (1 - d) g²``; ``mom = momentum mom + lr g / sqrt(ms + eps)``
  (centered: ``mg = d mg + (1 - d) g``, denominator ``sqrt(ms - (mg² + eps))``);
  ``x -= mom``
"""

from __future__ import annotations

from .optimizer import EPSILON, Optimizer, _number


class SGDOptimizer(Optimizer):
    """Plain gradient descent; no state.

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(1.0))
        >>> wt.train.SGDOptimizer(0.5).apply_gradients([(w, wt.scalar(1.0))])
        >>> w.item()
        0.5
    """

    class_name = "SGD"
    shader = "train_sgd"
    slots = ()

    def __init__(self, lr: float) -> None:
        super().__init__()
        self.learning_rate = _number("learning_rate", lr, self.class_name)

    def set_learning_rate(self, lr: float) -> None:
        """Change the learning rate (TF.js ``setLearningRate``).

        Example:
            >>> import webtensor as wt
            >>> opt = wt.train.sgd(0.1); opt.set_learning_rate(0.5); opt.learning_rate
            0.5
        """
        self.learning_rate = _number("learning_rate", lr, self.class_name)

    def _uniforms(self) -> dict:
        return {"u_neg_lr": -self.learning_rate}

    def get_config(self) -> dict:
        """Hyperparameters with TF.js keys.

        Example:
            >>> import webtensor as wt
            >>> wt.train.sgd(0.1).get_config()
            {'learningRate': 0.1}
        """
        return {"learningRate": self.learning_rate}


class MomentumOptimizer(SGDOptimizer):
    """Gradient descent with momentum (optionally Nesterov); state ``<var>/momentum``.

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(1.0))
        >>> opt = wt.train.MomentumOptimizer(0.1, 0.5)
        >>> for _ in range(2):
        ...     opt.apply_gradients([(w, wt.scalar(1.0))])
        >>> round(w.item(), 4)
        0.75
    """

    class_name = "Momentum"
    shader = "train_momentum"
    slots = (("momentum", "accum"),)

    def __init__(self, lr: float, momentum: float, use_nesterov: bool = False) -> None:
        super().__init__(lr)
        self.momentum = _number("momentum", momentum, self.class_name)
        self.use_nesterov = bool(use_nesterov)

    def set_momentum(self, momentum: float) -> None:
        """Change the momentum (TF.js ``setMomentum``).

        Example:
            >>> import webtensor as wt
            >>> opt = wt.train.momentum(0.1, 0.9); opt.set_momentum(0.5); opt.momentum
            0.5
        """
        self.momentum = _number("momentum", momentum, self.class_name)

    def _uniforms(self) -> dict:
        return {"u_neg_lr": -self.learning_rate, "u_momentum": self.momentum}

    def _defines(self) -> tuple:
        return (("NESTEROV", int(self.use_nesterov)),)

    def get_config(self) -> dict:
        """Hyperparameters with TF.js keys.

        Example:
            >>> import webtensor as wt
            >>> wt.train.momentum(0.1, 0.9).get_config()
            {'learningRate': 0.1, 'momentum': 0.9, 'useNesterov': False}
        """
        return {"learningRate": self.learning_rate, "momentum": self.momentum,
                "useNesterov": self.use_nesterov}


class AdamOptimizer(Optimizer):
    """Adam with TF.js's bias correction; state ``<var>/m`` and ``<var>/v``.

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(1.0))
        >>> wt.train.AdamOptimizer(0.1).apply_gradients([(w, wt.scalar(5.0))])
        >>> round(w.item(), 4)
        0.9
    """

    class_name = "Adam"
    shader = "train_adam"
    slots = (("m", "m"), ("v", "v"))

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = EPSILON) -> None:
        super().__init__()
        c = self.class_name
        self.learning_rate = _number("learning_rate", lr, c)
        self.beta1 = _number("beta1", beta1, c)
        self.beta2 = _number("beta2", beta2, c)
        self.epsilon = _number("epsilon", EPSILON if epsilon is None else epsilon, c)

    def _uniforms(self) -> dict:
        # TF.js keeps accBeta = beta ** t in a variable; it is recomputed from t here
        # (as TF.js's setWeights does), so restoring ``iter`` restores it too.
        t = self.iterations + 1
        return {"u_neg_lr": -self.learning_rate, "u_beta1": self.beta1, "u_beta2": self.beta2,
                "u_one_minus_beta1": 1 - self.beta1, "u_one_minus_beta2": 1 - self.beta2,
                "u_one_minus_acc_beta1": 1 - self.beta1 ** t,
                "u_one_minus_acc_beta2": 1 - self.beta2 ** t, "u_epsilon": self.epsilon}

    def get_config(self) -> dict:
        """Hyperparameters with TF.js keys.

        Example:
            >>> import webtensor as wt
            >>> wt.train.adam().get_config()
            {'learningRate': 0.001, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': 1e-07}
        """
        return {"learningRate": self.learning_rate, "beta1": self.beta1, "beta2": self.beta2,
                "epsilon": self.epsilon}


class AdagradOptimizer(Optimizer):
    """Adagrad; state ``<var>/accumulator``, starting at ``initial_accumulator_value``.

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(1.0))
        >>> wt.train.AdagradOptimizer(0.1, 0.0).apply_gradients([(w, wt.scalar(2.0))])
        >>> round(w.item(), 4)
        0.9
    """

    class_name = "Adagrad"
    shader = "train_adagrad"
    slots = (("accumulator", "accum"),)

    def __init__(self, lr: float, initial_accumulator_value: float = 0.1) -> None:
        super().__init__()
        c = self.class_name
        self.learning_rate = _number("learning_rate", lr, c)
        self.initial_accumulator_value = _number(
            "initial_accumulator_value", initial_accumulator_value, c)

    def _slot_initial(self, slot: str) -> float:
        return self.initial_accumulator_value

    def _uniforms(self) -> dict:
        return {"u_neg_lr": -self.learning_rate, "u_epsilon": EPSILON}

    def get_config(self) -> dict:
        """Hyperparameters with TF.js keys.

        Example:
            >>> import webtensor as wt
            >>> wt.train.adagrad(0.1).get_config()
            {'learningRate': 0.1, 'initialAccumulatorValue': 0.1}
        """
        return {"learningRate": self.learning_rate,
                "initialAccumulatorValue": self.initial_accumulator_value}


class AdadeltaOptimizer(Optimizer):
    """Adadelta; state ``<var>/accum_grad`` and ``<var>/accum_var``.

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(1.0))
        >>> wt.train.AdadeltaOptimizer(1.0, 0.95, 1.0).apply_gradients([(w, wt.scalar(3.0))])
        >>> round(w.item(), 4)
        -2.0
    """

    class_name = "Adadelta"
    shader = "train_adadelta"
    slots = (("accum_grad", "accum_grad"), ("accum_var", "accum_update"))

    def __init__(self, lr: float = 0.001, rho: float = 0.95, epsilon: float = EPSILON) -> None:
        super().__init__()
        c = self.class_name
        self.learning_rate = _number("learning_rate", lr, c)
        self.rho = _number("rho", rho, c)
        self.epsilon = _number("epsilon", EPSILON if epsilon is None else epsilon, c)

    def _uniforms(self) -> dict:
        return {"u_neg_lr": -self.learning_rate, "u_rho": self.rho,
                "u_one_minus_rho": 1 - self.rho, "u_epsilon": self.epsilon}

    def get_config(self) -> dict:
        """Hyperparameters with TF.js keys.

        Example:
            >>> import webtensor as wt
            >>> wt.train.adadelta().get_config()
            {'learningRate': 0.001, 'rho': 0.95, 'epsilon': 1e-07}
        """
        return {"learningRate": self.learning_rate, "rho": self.rho, "epsilon": self.epsilon}


class AdamaxOptimizer(Optimizer):
    """Adamax (with TF.js's learning-rate ``decay``); state ``<var>/m`` and ``<var>/v``.

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(1.0))
        >>> wt.train.AdamaxOptimizer(0.1).apply_gradients([(w, wt.scalar(4.0))])
        >>> round(w.item(), 4)
        0.9
    """

    class_name = "Adamax"
    shader = "train_adamax"
    slots = (("m", "m"), ("v", "u"))

    def __init__(self, lr: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = EPSILON, decay: float = 0.0) -> None:
        super().__init__()
        c = self.class_name
        self.learning_rate = _number("learning_rate", lr, c)
        self.beta1 = _number("beta1", beta1, c)
        self.beta2 = _number("beta2", beta2, c)
        self.epsilon = _number("epsilon", EPSILON if epsilon is None else epsilon, c)
        self.decay = _number("decay", decay, c)

    def _uniforms(self) -> dict:
        it = self.iterations  # TF.js's `iteration` variable: 0 at the first step
        lr_t = -self.learning_rate / (it * self.decay + 1)
        return {"u_step": lr_t / (1 - self.beta1 ** (it + 1)), "u_beta1": self.beta1,
                "u_beta2": self.beta2, "u_one_minus_beta1": 1 - self.beta1,
                "u_epsilon": self.epsilon}

    def get_config(self) -> dict:
        """Hyperparameters with TF.js keys.

        Example:
            >>> import webtensor as wt
            >>> wt.train.adamax().get_config()["decay"]
            0.0
        """
        return {"learningRate": self.learning_rate, "beta1": self.beta1, "beta2": self.beta2,
                "epsilon": self.epsilon, "decay": self.decay}


class RMSPropOptimizer(Optimizer):
    """RMSProp (optionally centered); state ``<var>/rms``, ``<var>/momentum`` (and ``/mg``).

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(1.0))
        >>> wt.train.RMSPropOptimizer(0.1, decay=0.75).apply_gradients([(w, wt.scalar(2.0))])
        >>> round(w.item(), 4)
        0.8
    """

    class_name = "RMSProp"
    shader = "train_rmsprop"

    def __init__(self, lr: float, decay: float = 0.9, momentum: float = 0.0,
                 epsilon: float = EPSILON, centered: bool = False) -> None:
        super().__init__()
        c = self.class_name
        self.learning_rate = _number("learning_rate", lr, c)
        self.decay = _number("decay", decay, c)
        self.momentum = _number("momentum", momentum, c)
        self.epsilon = _number("epsilon", EPSILON if epsilon is None else epsilon, c)
        self.centered = bool(centered)
        self.slots = (("rms", "ms"), ("momentum", "mom")) + (
            (("mg", "mg"),) if self.centered else ())

    def _uniforms(self) -> dict:
        return {"u_lr": self.learning_rate, "u_decay": self.decay,
                "u_one_minus_decay": 1 - self.decay, "u_momentum": self.momentum,
                "u_epsilon": self.epsilon}

    def _defines(self) -> tuple:
        return (("CENTERED", int(self.centered)),)

    def get_config(self) -> dict:
        """Hyperparameters with TF.js keys.

        Example:
            >>> import webtensor as wt
            >>> wt.train.rmsprop(0.1).get_config()["centered"]
            False
        """
        return {"learningRate": self.learning_rate, "decay": self.decay,
                "momentum": self.momentum, "epsilon": self.epsilon, "centered": self.centered}


# -- factories (TF.js ``tf.train.*``) ---------------------------------------------
def sgd(lr: float) -> SGDOptimizer:
    """Stochastic gradient descent: ``x -= lr * g``.

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(2.0))
        >>> wt.train.sgd(0.1).minimize(lambda: w.square(), var_list=[w])
        >>> round(w.item(), 4)
        1.6
    """
    return SGDOptimizer(lr)


def momentum(lr: float, momentum: float, use_nesterov: bool = False) -> MomentumOptimizer:
    """Gradient descent with momentum, TF.js's ``tf.train.momentum``.

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(2.0))
        >>> opt = wt.train.momentum(0.1, 0.9, use_nesterov=True)
        >>> opt.minimize(lambda: w.square(), var_list=[w])
        >>> round(w.item(), 4)
        1.24
    """
    return MomentumOptimizer(lr, momentum, use_nesterov)


def adam(lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
         epsilon: float = EPSILON) -> AdamOptimizer:
    """Adam, TF.js's ``tf.train.adam`` (epsilon defaults to TF.js's backend 1e-7).

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(2.0))
        >>> wt.train.adam(0.1).minimize(lambda: w.square(), var_list=[w])
        >>> round(w.item(), 4)
        1.9
    """
    return AdamOptimizer(lr, beta1, beta2, epsilon)


def adagrad(lr: float, initial_accumulator_value: float = 0.1) -> AdagradOptimizer:
    """Adagrad, TF.js's ``tf.train.adagrad``.

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(2.0))
        >>> wt.train.adagrad(0.5, 0.0).minimize(lambda: w.square(), var_list=[w])
        >>> round(w.item(), 4)
        1.5
    """
    return AdagradOptimizer(lr, initial_accumulator_value)


def adadelta(lr: float = 0.001, rho: float = 0.95, epsilon: float = EPSILON) -> AdadeltaOptimizer:
    """Adadelta, TF.js's ``tf.train.adadelta``.

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(2.0))
        >>> wt.train.adadelta(1.0, 0.95, 1.0).minimize(lambda: w.square(), var_list=[w])
        >>> round(w.item(), 4)
        -2.0
    """
    return AdadeltaOptimizer(lr, rho, epsilon)


def adamax(lr: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
           epsilon: float = EPSILON, decay: float = 0.0) -> AdamaxOptimizer:
    """Adamax, TF.js's ``tf.train.adamax`` (``decay`` shrinks lr as 1 / (1 + decay·step)).

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(2.0))
        >>> wt.train.adamax(0.1).minimize(lambda: w.square(), var_list=[w])
        >>> round(w.item(), 4)
        1.9
    """
    return AdamaxOptimizer(lr, beta1, beta2, epsilon, decay)


def rmsprop(lr: float, decay: float = 0.9, momentum: float = 0.0, epsilon: float = EPSILON,
            centered: bool = False) -> RMSPropOptimizer:
    """RMSProp, TF.js's ``tf.train.rmsprop``.

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(2.0))
        >>> wt.train.rmsprop(0.1, decay=0.75).minimize(lambda: w.square(), var_list=[w])
        >>> round(w.item(), 4)
        1.8
    """
    return RMSPropOptimizer(lr, decay, momentum, epsilon, centered)


__all__ = ["Optimizer", "SGDOptimizer", "MomentumOptimizer", "AdamOptimizer",
           "AdagradOptimizer", "AdadeltaOptimizer", "AdamaxOptimizer", "RMSPropOptimizer",
           "sgd", "momentum", "adam", "adagrad", "adadelta", "adamax", "rmsprop"]
