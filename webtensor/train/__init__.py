"""Optimizers, as TF.js's ``tf.train``: sgd, momentum, adam, adagrad, adadelta, adamax, rmsprop.

Example:
    >>> import webtensor as wt
    >>> w = wt.variable(wt.scalar(4.0))
    >>> opt = wt.train.sgd(0.25)
    >>> for _ in range(3):
    ...     opt.minimize(lambda: w.square(), var_list=[w])
    >>> w.item()
    0.5
"""

from .optimizer import Optimizer
from .optimizers import (
    AdadeltaOptimizer,
    AdagradOptimizer,
    AdamaxOptimizer,
    AdamOptimizer,
    MomentumOptimizer,
    RMSPropOptimizer,
    SGDOptimizer,
    adadelta,
    adagrad,
    adam,
    adamax,
    momentum,
    rmsprop,
    sgd,
)

__all__ = ["Optimizer", "SGDOptimizer", "MomentumOptimizer", "AdamOptimizer",
           "AdagradOptimizer", "AdadeltaOptimizer", "AdamaxOptimizer", "RMSPropOptimizer",
           "sgd", "momentum", "adam", "adagrad", "adadelta", "adamax", "rmsprop"]
