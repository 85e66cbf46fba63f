"""The optimizer base class: minimize, apply_gradients, state variables, weights.

Each optimizer updates a variable with ONE fused program (``glsl/train_<name>.glsl``)
that reads the value, the gradient and the state and writes the new value and the
new state through multiple render targets: one draw per variable per step, the
update rule computed exactly as TF.js's ``tfjs-core/src/optimizers`` writes it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

import numpy as np

from .. import scope
from ..gradients import variable_grads
from ..tensor import _VARIABLES, Tensor, Variable, convert, draw, trainable_variables

#: TF.js's backend epsilon for float32 (``ENGINE.backend.epsilon()``).
EPSILON = 1e-7


def _number(name: str, value, cls: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{cls}: {name} must be a number, got {value!r}")
    return float(value)


def find_variable(name: str) -> Variable:
    """The live variable called ``name`` (TF.js's ``ENGINE.registeredVariables[name]``)."""
    found = [v for v in list(_VARIABLES.values()) if v.name == name and not v._disposed]
    if len(found) > 1:
        found = [v for v in found if v.trainable]
    if not found:
        raise ValueError(f"apply_gradients: there is no live variable named {name!r}")
    if len(found) > 1:
        raise ValueError(
            f"apply_gradients: {len(found)} variables are named {name!r}; pass the Variable "
            "itself instead of its name"
        )
    return found[0]


class Optimizer(ABC):
    """Base of every optimizer; subclasses name their shader, state slots and uniforms.

    State: per variable, one non-trainable ``Variable`` per slot (created on the
    variable's first update, named ``<variable>/<slot>`` as TF.js names them), in
    the order variables were first updated. ``iterations`` counts the calls of
    ``apply_gradients`` (``minimize`` included).

    Example:
        >>> import webtensor as wt
        >>> w = wt.variable(wt.scalar(3.0))
        >>> opt = wt.train.sgd(0.25)
        >>> opt.minimize(lambda: w.square(), var_list=[w])
        >>> w.item(), opt.iterations
        (1.5, 1)
    """

    class_name = "Optimizer"
    #: The fused update kernel (a ``glsl/`` file name).
    shader = ""
    #: (TF.js state-name suffix, sampler name in the shader) per state slot.
    slots: tuple[tuple[str, str], ...] = ()

    def __init__(self) -> None:
        self.iterations = 0
        # Variable.id -> (variable, [state variables, one per slot])
        self._state: dict[int, tuple[Variable, list[Variable]]] = {}

    # -- subclass hooks ---------------------------------------------------------
    @abstractmethod
    def _uniforms(self) -> dict:
        """Uniforms of one step (computed once per ``apply_gradients``)."""

    def _defines(self) -> tuple:
        return ()

    def _slot_initial(self, slot: str) -> float:
        return 0.0

    @abstractmethod
    def get_config(self) -> dict:
        """The hyperparameters, with TF.js's (camelCase) keys."""

    @classmethod
    def from_config(cls, config: dict) -> Optimizer:
        """A new optimizer from ``get_config()`` output (camelCase or snake_case keys).

        Example:
            >>> import webtensor as wt
            >>> opt = wt.train.adam(0.01)
            >>> type(opt).from_config(opt.get_config()).learning_rate
            0.01
        """
        import re

        kwargs = {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): v for k, v in config.items()}
        if "learning_rate" in kwargs:
            kwargs["lr"] = kwargs.pop("learning_rate")
        return cls(**kwargs)

    # -- stepping ---------------------------------------------------------------
    def minimize(self, f: Callable[[], Tensor], return_cost: bool = False,
                 var_list: list[Variable] | None = None) -> Tensor | None:
        """One step: gradients of the scalar ``f()`` w.r.t. the variables, then an update.

        Args:
            f: a function of no arguments returning a one-element loss tensor.
            return_cost: return the loss (computed before the update) instead of None.
            var_list: the variables to train (default: every trainable variable);
                an explicit list may hold non-trainable variables. ``[]`` is an error.

        Returns:
            The loss tensor when ``return_cost``, else None.

        Example:
            >>> import webtensor as wt
            >>> w = wt.variable(wt.scalar(2.0))
            >>> opt = wt.train.sgd(0.1)
            >>> cost = opt.minimize(lambda: w.square(), return_cost=True)
            >>> cost.item(), round(w.item(), 4)
            (4.0, 1.6)
        """
        if var_list is None:
            variables = trainable_variables()
            if not variables:
                raise ValueError(f"{self.class_name}.minimize: there are no trainable variables")
        else:
            variables = list(var_list)
            if not variables:
                raise ValueError(
                    f"{self.class_name}.minimize: var_list is empty; pass None to train every "
                    "trainable variable"
                )
        if not callable(f):
            raise TypeError(f"{self.class_name}.minimize: f must be a function of no arguments")

        def step():
            cost, grads = variable_grads(f, variables)
            if cost.size != 1:
                raise ValueError(
                    f"{self.class_name}.minimize: f must return a scalar loss, it returned "
                    f"shape {list(cost.shape)}"
                )
            if not grads:
                raise ValueError(
                    f"{self.class_name}.minimize: the loss does not depend on any of the "
                    f"{len(variables)} variables; use them inside f"
                )
            by_name = {v.name: v for v in variables}
            self._apply([(by_name[name], g) for name, g in grads.items()])
            return cost if return_cost else None

        return scope.tidy(step)

    def apply_gradients(self, variable_gradients) -> None:
        """Update variables from gradients: ``{name: grad}`` or a list of ``(name, grad)``.

        A name may also be the ``Variable`` itself; TF.js's ``[{'name', 'tensor'}]``
        form is accepted too. A ``None`` gradient leaves its variable alone.

        Example:
            >>> import webtensor as wt
            >>> w = wt.variable(wt.tensor([1.0, 2.0]))
            >>> wt.train.sgd(0.5).apply_gradients({w.name: wt.tensor([2.0, 2.0])})
            >>> w.numpy().tolist()
            [0.0, 1.0]
        """
        if isinstance(variable_gradients, dict):
            items = list(variable_gradients.items())
        elif isinstance(variable_gradients, Iterable) and not getattr(
                variable_gradients, "_is_tensor", False):
            items = []
            for item in variable_gradients:
                if isinstance(item, dict) and "name" in item and "tensor" in item:
                    items.append((item["name"], item["tensor"]))
                elif isinstance(item, (tuple, list)) and len(item) == 2:
                    items.append((item[0], item[1]))
                else:
                    raise ValueError(
                        f"{self.class_name}.apply_gradients: expected (name, gradient) pairs, "
                        f"got {item!r}"
                    )
        else:
            raise ValueError(
                f"{self.class_name}.apply_gradients: expected a dict {{name: gradient}} or a "
                f"list of (name, gradient) pairs, got {type(variable_gradients).__name__}"
            )
        with scope.tidy():
            pairs = []
            for key, g in items:
                var = key if getattr(key, "_is_variable", False) else find_variable(str(key))
                pairs.append((var, g))
            self._apply(pairs)

    def _apply(self, pairs: list) -> None:
        """Validate every (variable, gradient), then run one fused update per variable."""
        checked = []
        for var, g in pairs:
            var._check()
            if g is None:
                continue
            if var.dtype != "float32":
                raise ValueError(
                    f"{self.class_name}: variable {var.name!r} is {var.dtype}; optimizers "
                    "update float32 variables"
                )
            g = convert(g, dtype="float32", op=self.class_name)
            if g.dtype != "float32":
                from ..ops.elementwise import cast

                g = cast(g, "float32")
            if g.shape != var.shape:
                raise ValueError(
                    f"{self.class_name}: the gradient of variable {var.name!r} has shape "
                    f"{list(g.shape)}, the variable {list(var.shape)}"
                )
            checked.append((var, g))
        with scope.tidy():
            uniforms = self._uniforms()
            defines = self._defines()
            for var, g in checked:
                states = self._state_of(var)
                inputs = [("value", var), ("grad", g)]
                inputs += [(smp, s) for (_, smp), s in zip(self.slots, states, strict=True)]
                outs = draw(self.shader, inputs, var.shape, "float32", uniforms, defines,
                            outputs=1 + len(states))
                if len(states) == 0:
                    outs = [outs]
                var.assign(outs[0])
                for s, o in zip(states, outs[1:], strict=True):
                    s.assign(o)
        self.iterations += 1

    def _state_of(self, var: Variable) -> list[Variable]:
        entry = self._state.get(var.id)
        if entry is None:
            from ..ops.creation import fill

            with scope.tidy():
                states = [Variable(fill(var.shape, self._slot_initial(suffix)), trainable=False,
                                   name=f"{var.name}/{suffix}")
                          for suffix, _ in self.slots]
            entry = (var, states)
            self._state[var.id] = entry
        return entry[1]

    # -- state ------------------------------------------------------------------
    def weight_names(self) -> list[str]:
        """Names of ``get_weights()``'s entries: ``'iter'``, then ``<variable>/<slot>``.

        Example:
            >>> import webtensor as wt
            >>> w = wt.variable(wt.scalar(1.0), name="w_doc")
            >>> opt = wt.train.adam()
            >>> opt.apply_gradients({"w_doc": wt.scalar(1.0)})
            >>> opt.weight_names()
            ['iter', 'w_doc/m', 'w_doc/v']
        """
        names = ["iter"]
        for suffix, _ in self.slots:
            names += [f"{var.name}/{suffix}" for var, _ in self._state.values()]
        return names

    def get_weights(self) -> list[np.ndarray]:
        """The state as numpy arrays, in TF.js's order.

        First the iteration count (an int32 scalar), then slot by slot the state of
        every variable in the order the variables were first updated (Adam:
        ``[iter, m of each variable..., v of each variable...]``); see ``weight_names()``.

        Example:
            >>> import webtensor as wt
            >>> w = wt.variable(wt.tensor([1.0, 2.0]))
            >>> opt = wt.train.momentum(0.1, 0.9)
            >>> opt.apply_gradients([(w, wt.tensor([1.0, -1.0]))])
            >>> [a.tolist() for a in opt.get_weights()]
            [1, [1.0, -1.0]]
        """
        out = [np.array(self.iterations, dtype=np.int32)]
        for k in range(len(self.slots)):
            out += [states[k].numpy() for _, states in self._state.values()]
        return out

    def set_weights(self, weights) -> None:
        """Restore state: arrays/tensors in ``get_weights()`` order, or named.

        Positional: ``[iter, *state]`` matching this optimizer's current state.
        Named: a dict or list of ``(name, value)`` pairs with ``weight_names()``'s
        names (``'iter'``, ``'<variable>/<slot>'``); this form also restores into a
        fresh optimizer, finding the variables by name.

        Example:
            >>> import webtensor as wt
            >>> w = wt.variable(wt.tensor([1.0, 2.0]))
            >>> opt = wt.train.adagrad(0.1)
            >>> opt.apply_gradients([(w, wt.tensor([1.0, 1.0]))])
            >>> opt.set_weights([5, [0.5, 0.25]])
            >>> opt.iterations, opt.get_weights()[1].tolist()
            (5, [0.5, 0.25])
        """
        cls = self.class_name
        named = isinstance(weights, dict) or (
            isinstance(weights, (list, tuple)) and len(weights) > 0 and all(
                isinstance(w, (list, tuple)) and len(w) == 2 and isinstance(w[0], str)
                for w in weights))
        if named:
            items = list(weights.items()) if isinstance(weights, dict) else list(weights)
            plan = []
            iterations = None
            suffixes = [s for s, _ in self.slots]
            for name, value in items:
                if name == "iter":
                    iterations = value
                    continue
                var_name, _, suffix = name.rpartition("/")
                if not var_name or suffix not in suffixes:
                    raise ValueError(
                        f"{cls}.set_weights: weight name {name!r} is not 'iter' or "
                        f"'<variable>/<slot>' with a slot in {suffixes}"
                    )
                var = self._named_variable(var_name)
                plan.append((var, suffixes.index(suffix), value))
        else:
            items = list(weights)
            per = len(self.slots)
            n_vars = len(self._state)
            if len(items) != 1 + per * n_vars:
                hint = (" (this optimizer has no state yet: pass (name, value) pairs named as "
                        "weight_names() names them)" if n_vars == 0 and len(items) > 1 else "")
                raise ValueError(
                    f"{cls}.set_weights: expected {1 + per * n_vars} weights (iter, then "
                    f"{per} slot(s) x {n_vars} variable(s)), got {len(items)}{hint}"
                )
            iterations = items[0]
            entries = list(self._state.values())
            plan = [(entries[j][0], k, items[1 + k * n_vars + j])
                    for k in range(per) for j in range(n_vars)]
        with scope.tidy():
            new_values = []
            for var, k, value in plan:
                t = convert(value, dtype="float32", op=f"{cls}.set_weights")
                if t.shape != var.shape:
                    raise ValueError(
                        f"{cls}.set_weights: state {var.name}/{self.slots[k][0]} has shape "
                        f"{list(var.shape)}, the value {list(t.shape)}"
                    )
                new_values.append((var, k, t))
            for var, k, t in new_values:
                self._state_of(var)[k].assign(t)
        if iterations is not None:
            it = iterations.item() if getattr(iterations, "_is_tensor", False) else (
                np.asarray(iterations).item())
            self.iterations = int(it)

    def _named_variable(self, name: str) -> Variable:
        for var, _ in self._state.values():
            if var.name == name and not var._disposed:
                return var
        return find_variable(name)

    def dispose(self) -> None:
        """Free every state variable (the optimizer may be used again; state restarts).

        Example:
            >>> import webtensor as wt
            >>> w = wt.variable(wt.scalar(1.0))
            >>> opt = wt.train.rmsprop(0.1)
            >>> opt.minimize(lambda: w.square(), var_list=[w])
            >>> opt.dispose(); opt.get_weights()
            [array(1, dtype=int32)]
        """
        for _, states in self._state.values():
            for s in states:
                s.dispose()
        self._state.clear()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"<{self.class_name}Optimizer {args}>"
