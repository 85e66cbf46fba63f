"""webtensor: a GPU tensor engine in the style of TensorFlow.js's WebGL backend.

Example:
    >>> import webtensor as wt
    >>> wt.tensor([1.0, 2.0]).add(1).numpy().tolist()
    [2.0, 3.0]
"""

from __future__ import annotations

from . import (
    activations,
    callbacks,
    constraints,
    datasets,
    image,
    initializers,
    io,
    layers,
    losses,
    metrics,
    regularizers,
    train,
)
from .debug import NaNError, set_debug
from .engine import engine
from .errors import DisposedTensorError, GLContextError, ShaderCompileError, WebtensorError
from .gradients import custom_grad, grad, grads, value_and_grad, value_and_grads, variable_grads
from .info import info, set_context
from .io import load_layers_model
from .models import Model, Sequential, input, model, sequential
from .ops.conv import *  # noqa: F403
from .ops.creation import *  # noqa: F403
from .ops.elementwise import *  # noqa: F403
from .ops.linalg import *  # noqa: F403
from .ops.movement import *  # noqa: F403
from .ops.nn import *  # noqa: F403
from .ops.reduce import *  # noqa: F403
from .profiler import profile, time
from .scope import dispose, keep, memory, tidy
from .tensor import Tensor, Variable, variable

__version__ = "0.1.0"
