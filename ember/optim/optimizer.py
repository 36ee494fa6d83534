"""Optimizer: PyTorch's base class (param groups, lazy per-parameter state, state_dict layout).

Subclasses hold one tiny private update rule each (``_sgd``, ``_adam``, ...) that works IN PLACE on
the NumPy arrays of the parameter and its state, so a step allocates no Tensor objects.
The ``state_dict`` layout is PyTorch's exactly, so optimizer checkpoints move both ways.
"""
import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from .._tensor import TRACERS, Tensor, _traced, _wrap, traced_call
from ..autograd.grad_mode import MODE
from ..autograd.hooks import RemovableHandle, _ids

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Singleton marking a default that each param group must supply (``lr`` of SGD, once)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_step_pre_hooks = OrderedDict()
_global_step_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's step."""
    key = next(_ids)
    _global_step_pre_hooks[key] = hook
    return RemovableHandle(_global_step_pre_hooks, key)


def register_optimizer_step_post_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's step."""
    key = next(_ids)
    _global_step_post_hooks[key] = hook
    return RemovableHandle(_global_step_post_hooks, key)


def _real(t):
    """A tensor's array for an update rule: a complex one seen as its real and imaginary parts
    (PyTorch's optimizers update complex parameters as ``view_as_real`` pairs, so Adam's
    second moment is per part, not |g|^2)."""
    a = t._data
    return a.view(a.real.dtype) if a.dtype.kind == "c" else a


def _to_scalar(x):
    """A Python number from a float or a 1-element Tensor (``lr`` may be a Tensor)."""
    if isinstance(x, Tensor):
        return x._data.reshape(()).item()
    return x


def _scalar_state(v):
    """The 0-d float32 tensor PyTorch keeps for ``step`` (and ``mu_product``, ``eta``...)."""
    return _wrap(np.array(v, dtype=np.float32))


def _typename(obj):
    """``torch.typename`` for the error texts."""
    if isinstance(obj, Tensor):
        return _tensor_typename(obj)
    mod = type(obj).__module__
    return type(obj).__qualname__ if mod in (None, "builtins") else f"{mod}.{type(obj).__qualname__}"


# ``ember run --compile`` installs a runner here that compiles each optimizer's step calls
# (ember/_compile/auto.py); None otherwise: the optimizer layer does not import the compiler.
STEP_RUNNER = [None]


def _wrap_step(step):
    """Run step hooks around ``step`` (one dict check per step when none are set)."""
    def run(self, args, kwargs):
        self._opt_called = True
        if not (self._optimizer_step_pre_hooks or _global_step_pre_hooks
                or self._optimizer_step_post_hooks or _global_step_post_hooks):
            return step(self, *args, **kwargs)
        for hook in chain(_global_step_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(
                        f"{hook} must return None or a tuple of (new_args, new_kwargs), "
                        f"but got {result}.")
        out = step(self, *args, **kwargs)
        for hook in chain(self._optimizer_step_post_hooks.values(), _global_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out
    run._ember_call = "step"    # a compiled step may write this call out (optim_codegen.py)

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if TRACERS:
            return traced_call(run, self, args, kwargs)
        if STEP_RUNNER[0] is not None and not args and not kwargs:
            return STEP_RUNNER[0](self, wrapper)
        return run(self, args, kwargs)
    wrapper._wrapped_by_lr_sched = True  # the scheduler's "optimizer.step() was called" check
    wrapper._ember_hooked = True
    return wrapper


def _reported(method):
    """``method`` whose call a trace records as one call (see ``traced_call``)."""
    def run(self, args, kwargs):
        return method(self, *args, **kwargs)
    run._ember_call = method.__name__

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if TRACERS:
            return traced_call(run, self, args, kwargs)
        return method(self, *args, **kwargs)
    return wrapper


class Optimizer:
    """Base class of all optimizers: ``Optimizer(params, defaults)``.

    ``params`` is an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts (parameter
    groups with their own options), e.g.
    ``torch.optim.SGD([{"params": body.parameters()}, {"params": head.parameters(), "lr": 1e-3}], lr=1e-2)``.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_ember_hooked", False):
            cls.step = _wrap_step(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _tensor_typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # --- pickling / repr -----------------------------------------------------------------
    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        # Old checkpoints kept ``step`` as a Python number; PyTorch keeps a float32 0-d tensor.
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state.get(p)
                if st and "step" in st and not isinstance(st["step"], Tensor) \
                        and self._tensor_step:
                    st["step"] = _scalar_state(float(st["step"]))

    _tensor_step = True

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += "\n"
            s += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        s += ")"
        return s

    # --- hooks ---------------------------------------------------------------------------
    def _register(self, table, hook, prepend=False):
        key = next(_ids)
        table[key] = hook
        if prepend:
            table.move_to_end(key, last=False)
        return RemovableHandle(table, key)

    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs before ``step``; may return new (args, kwargs)."""
        return self._register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs after ``step``."""
        return self._register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # --- state_dict ----------------------------------------------------------------------
    def state_dict(self):
        """``{'state': {0: {...}, ...}, 'param_groups': [{'lr': ..., 'params': [0, 1]}]}``."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        mapping = {}
        start = 0

        def pack_group(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            mapping.update({id(p): i for i, p in enumerate(group["params"], start)
                            if id(p) not in mapping})
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        sd = {"state": packed_state, "param_groups": param_groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, sd)
            if result is not None:
                sd = result
        return sd

    def load_state_dict(self, state_dict):
        """Load a state dict from ``state_dict()`` (ember's or PyTorch's)."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, key=None):
            if isinstance(value, Tensor):
                # NOTE: PyTorch may share the loaded tensors; we copy, so two optimizers loaded
                # from one state dict never update each other's buffers.
                arr = value._data
                if key != "step" and param._data.dtype.kind == "f":
                    arr = arr.astype(param._data.dtype)
                else:
                    arr = arr.copy()
                return _wrap(arr)
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    # --- gradients, groups, step ---------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to None by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        if g.grad_fn is not None:
                            g = g.detach()
                            p.grad = g
                        else:
                            g.requires_grad = False
                        g._data[...] = 0
                        g._vbox[0] += 1

    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        raise NotImplementedError

    def _state_for(self, p, buffers, scalars=()):
        """``self.state[p]``, created on first use as PyTorch lays it out: a float32 0-d
        ``step``, then the named scalar states, then zero buffers shaped like ``p``."""
        st = self.state[p]
        if len(st) == 0:
            st["step"] = _scalar_state(0.0)
            for name, value in scalars:
                st[name] = _scalar_state(value)
            for name in buffers:
                st[name] = _wrap(np.zeros_like(p._data))
        return st

    def _closure_loss(self, closure):
        if closure is None:
            return None
        prev = MODE.grad_enabled
        MODE.grad_enabled = True
        try:
            return closure()
        finally:
            MODE.grad_enabled = prev

    def add_param_group(self, param_group):
        """Add a parameter group (a dict with ``params`` and optional per-group options)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a "
                            "list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param._retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)
        ids = [id(p) for p in tensors]
        if len(ids) != len(set(ids)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                txt = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {txt} to the optimizer")
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)


_TYPENAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
              "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _tensor_typename(t):
    return f"torch.{_TYPENAMES.get(t._data.dtype.name, '')}Tensor"


Optimizer.zero_grad = _reported(Optimizer.zero_grad)
