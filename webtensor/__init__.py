"""webtensor: a GPU tensor engine in the style of TensorFlow.js's WebGL backend.

Example:
    >>> import webtensor as wt
    >>> wt.tensor([1.0, 2.0]).add(1).numpy().tolist()
    [2.0, 3.0]
"""

from __future__ import annotations

from .engine import engine
from .errors import DisposedTensorError, GLContextError, ShaderCompileError, WebtensorError
from .gradients import custom_grad, grad, grads, value_and_grad, value_and_grads, variable_grads
from .info import info, set_context
from .ops.creation import *  # noqa: F403
from .ops.elementwise import *  # noqa: F403
from .ops.movement import *  # noqa: F403
from .ops.reduce import *  # noqa: F403
from .ops.linalg import *  # noqa: F403
from .ops.conv import *  # noqa: F403
from .ops.nn import *  # noqa: F403
from . import datasets, image, train
from .scope import keep, memory, tidy, dispose
from .tensor import Tensor, Variable, variable
from .profiler import time, profile
from .debug import NaNError, set_debug
from . import layers, losses, metrics, initializers, activations
from .models import sequential, model, input, Sequential, Model

__version__ = "0.1.0"
