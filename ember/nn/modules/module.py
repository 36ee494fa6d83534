"""nn.Module: registration, traversal, state_dict, hooks, repr, with PyTorch's semantics.

``__call__`` runs ``forward`` directly unless a hook is registered (one attribute test), so a
module call costs about as much as a plain method call.
"""
import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ... import _dtype
from ..._tensor import TRACERS, Tensor, _traced, _wrap
from ...autograd.function import Function
from ...autograd.grad_mode import MODE, no_grad
from ...autograd.hooks import RemovableHandle
from ..._compile.auto import AUTO as AUTO_COMPILE, compiled_call
from ..parameter import Parameter, is_lazy

__all__ = ["Module", "register_module_forward_pre_hook", "register_module_forward_hook",
           "register_module_full_backward_hook", "register_module_full_backward_pre_hook",
           "register_module_buffer_registration_hook", "register_module_module_registration_hook",
           "register_module_parameter_registration_hook"]

_hook_ids = itertools.count()

# Global hooks (torch.nn.modules.module.register_module_*); when any is set, Module._has_hooks
# becomes True at class level so every call takes the slow path.
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()
_global_backward_pre_hooks = OrderedDict()
_global_buffer_registration_hooks = OrderedDict()
_global_module_registration_hooks = OrderedDict()
_global_parameter_registration_hooks = OrderedDict()


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(type(obj), "__module__", "") or ""
    qualname = type(obj).__qualname__
    return qualname if module in ("builtins", "__builtin__") else module + "." + qualname


def _addindent(s_, num_spaces):
    s = s_.split("\n")
    if len(s) == 1:
        return s_
    first = s.pop(0)
    return first + "\n" + "\n".join((num_spaces * " ") + line for line in s)


def _add_hook(table, hook, prepend=False):
    key = next(_hook_ids)
    table[key] = hook
    if prepend:
        table.move_to_end(key, last=False)
    return key


class _Handle(RemovableHandle):
    """A removable handle that may also drop the same key from extra tables (kwargs flags)."""

    def __init__(self, table, key, extra=()):
        super().__init__(table, key)
        self._extra = extra

    def remove(self):
        self._ref.pop(self.id, None)
        for t in self._extra:
            if isinstance(t, set):
                t.discard(self.id)
            else:
                t.pop(self.id, None)


def _set_global_flag():
    STRUCTURE[0] += 1
    Module._has_hooks = bool(_global_forward_pre_hooks or _global_forward_hooks
                             or _global_backward_hooks or _global_backward_pre_hooks)


class _GlobalHandle(_Handle):
    def remove(self):
        super().remove()
        _set_global_flag()


# Bumped by every change to any module's attributes, parameters, buffers, children or hooks:
# a compiled module recomputes its structural guard only when this moved.
STRUCTURE = [0]


def register_module_forward_pre_hook(hook):
    key = _add_hook(_global_forward_pre_hooks, hook)
    _set_global_flag()
    return _GlobalHandle(_global_forward_pre_hooks, key)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    key = _add_hook(_global_forward_hooks, hook)
    _set_global_flag()
    return _GlobalHandle(_global_forward_hooks, key)


def register_module_full_backward_hook(hook):
    key = _add_hook(_global_backward_hooks, hook)
    _set_global_flag()
    return _GlobalHandle(_global_backward_hooks, key)


def register_module_full_backward_pre_hook(hook):
    key = _add_hook(_global_backward_pre_hooks, hook)
    _set_global_flag()
    return _GlobalHandle(_global_backward_pre_hooks, key)


def register_module_buffer_registration_hook(hook):
    return _Handle(_global_buffer_registration_hooks, _add_hook(_global_buffer_registration_hooks, hook))


def register_module_module_registration_hook(hook):
    return _Handle(_global_module_registration_hooks, _add_hook(_global_module_registration_hooks, hook))


def register_module_parameter_registration_hook(hook):
    return _Handle(_global_parameter_registration_hooks,
                   _add_hook(_global_parameter_registration_hooks, hook))


# --- full backward hooks: identity nodes around the module's inputs and outputs ----------------
class _BackwardHookState:
    __slots__ = ("module", "hooks", "pre_hooks", "grad_output", "n_inputs", "input_idx",
                 "fired")

    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_output = None
        self.fired = False


class BackwardHookFunction(Function):
    """Identity on several tensors; its backward calls the module's backward hooks."""
    saved_inputs = ()
    node_name = "BackwardHookFunctionBackward"

    def forward(ctx, *xs, state, is_output):
        ctx.state = state
        ctx.is_output = is_output
        return tuple(xs)

    def backward(ctx, *grads):
        st = ctx.state
        if ctx.is_output:
            grads = tuple(grads)
            for h in st.pre_hooks:
                r = h(st.module, grads)
                if r is not None:
                    grads = tuple(r) if isinstance(r, (tuple, list)) else (r,)
            st.grad_output = grads
            if st.n_inputs == 0:  # no input needs a gradient: hooks see grad_input=(None,)
                for h in st.hooks:
                    h(st.module, (None,), grads)
            return grads
        full = [None] * st.n_inputs
        for j, i in enumerate(st.input_idx):
            full[i] = grads[j]
        full = tuple(full)
        for h in st.hooks:
            r = h(st.module, full, st.grad_output)
            if r is not None:
                full = tuple(r)
        return tuple(full[i] for i in st.input_idx)


def _forward_unimplemented(self, *input):
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')


class Module:
    """Base class of every layer; subclasses set submodules/parameters in ``__init__``
    and define ``forward``.

    Example::

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)
            def forward(self, x):
                return self.fc(x).relu()
    """

    dump_patches = False
    _version = 1
    training: bool
    _has_hooks = False  # class default; set on an instance when it gets a forward/backward hook
    _ember_compiled = None  # set on an instance by .compile() / ember run --compile
    call_super_init = False
    _compiled_call_impl = None

    def __init__(self, *args, **kwargs):
        if self.call_super_init is False and bool(kwargs):
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if self.call_super_init is False and bool(args):
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but "
                            f"{len(args) + 1} were given")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_backward_pre_hooks"] = OrderedDict()
        d["_backward_hooks"] = OrderedDict()
        d["_is_full_backward_hook"] = None
        d["_forward_hooks"] = OrderedDict()
        d["_forward_hooks_with_kwargs"] = OrderedDict()
        d["_forward_hooks_always_called"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_pre_hooks_with_kwargs"] = OrderedDict()
        d["_state_dict_hooks"] = OrderedDict()
        d["_state_dict_pre_hooks"] = OrderedDict()
        d["_load_state_dict_pre_hooks"] = OrderedDict()
        d["_load_state_dict_post_hooks"] = OrderedDict()
        d["_modules"] = {}

    forward = _forward_unimplemented

    # --- calling ---------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if self._ember_compiled is not None or AUTO_COMPILE[0]:
            return compiled_call(self, args, kwargs)
        if self._has_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _plain_call(self, *args, **kwargs):
        """The eager call (hooks included), as ``__call__`` makes it without the compiler."""
        if self._has_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def compile(self, *args, **kwargs):
        """Compile this module's forward in place, as ``torch.compile(self)`` would."""
        from ..._compile.auto import mark_compiled
        mark_compiled(self, **kwargs)

    def _call_impl(self, *args, **kwargs):
        return self.__call__(*args, **kwargs)

    _wrapped_call_impl = _call_impl

    def _call_with_hooks(self, args, kwargs):
        d = self.__dict__
        pre = list(_global_forward_pre_hooks.items()) + list(d["_forward_pre_hooks"].items())
        fwd = list(_global_forward_hooks.items()) + list(d["_forward_hooks"].items())
        bwd = list(_global_backward_hooks.values()) + list(d["_backward_hooks"].values())
        bpre = list(_global_backward_pre_hooks.values()) + list(d["_backward_pre_hooks"].values())
        if not (pre or fwd or bwd or bpre):
            if "_has_hooks" in d:
                del d["_has_hooks"]
            return self.forward(*args, **kwargs)
        pre_kw = d["_forward_pre_hooks_with_kwargs"]
        for key, hook in pre:
            if key in pre_kw:
                r = hook(self, args, kwargs)
                if r is not None:
                    if not (isinstance(r, tuple) and len(r) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {r}.")
                    args, kwargs = r
            else:
                r = hook(self, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)
        state = None
        if (bwd or bpre) and MODE.grad_enabled:
            state = _BackwardHookState(self, bwd, bpre)
            args = self._wrap_hook_inputs(state, args)
        try:
            result = self.forward(*args, **kwargs)
        except Exception:
            always = d["_forward_hooks_always_called"]
            for key, hook in fwd:
                if key in always:
                    try:
                        hook(self, args, None) if key not in d["_forward_hooks_with_kwargs"] \
                            else hook(self, args, kwargs, None)
                    except Exception:
                        pass
            raise
        fwd_kw = d["_forward_hooks_with_kwargs"]
        for key, hook in fwd:
            r = hook(self, args, kwargs, result) if key in fwd_kw else hook(self, args, result)
            if r is not None:
                result = r
        if state is not None:
            result = self._wrap_hook_outputs(state, result)
        return result

    @staticmethod
    def _wrap_hook_inputs(state, args):
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        state.n_inputs = len(idx)
        req = [i for i in idx if args[i].requires_grad]
        state.input_idx = [idx.index(i) for i in req]
        if not req:
            state.n_inputs = 0
            return args
        state.n_inputs = len(idx)
        outs = BackwardHookFunction.apply(*[args[i] for i in req], state=state, is_output=False)
        args = list(args)
        for i, o in zip(req, outs):
            args[i] = o
        return tuple(args)

    @staticmethod
    def _wrap_hook_outputs(state, result):
        single = isinstance(result, Tensor)
        outs = (result,) if single else result
        if not isinstance(outs, tuple):
            return result
        pos = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not pos:
            return result
        wrapped = BackwardHookFunction.apply(*[outs[i] for i in pos], state=state, is_output=True)
        outs = list(outs)
        for i, o in zip(pos, wrapped):
            outs[i] = o
        return outs[0] if single else tuple(outs)

    def _mark_hooks(self):
        self.__dict__["_has_hooks"] = True
        STRUCTURE[0] += 1

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        d = self.__dict__
        key = _add_hook(d["_forward_pre_hooks"], hook, prepend)
        if with_kwargs:
            d["_forward_pre_hooks_with_kwargs"][key] = True
        self._mark_hooks()
        return _Handle(d["_forward_pre_hooks"], key, (d["_forward_pre_hooks_with_kwargs"],))

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        d = self.__dict__
        key = _add_hook(d["_forward_hooks"], hook, prepend)
        if with_kwargs:
            d["_forward_hooks_with_kwargs"][key] = True
        if always_call:
            d["_forward_hooks_always_called"][key] = True
        self._mark_hooks()
        return _Handle(d["_forward_hooks"], key,
                       (d["_forward_hooks_with_kwargs"], d["_forward_hooks_always_called"]))

    def register_full_backward_hook(self, hook, prepend=False):
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a "
                               "single Module. Please use only one of them.")
        self.__dict__["_is_full_backward_hook"] = True
        key = _add_hook(self._backward_hooks, hook, prepend)
        self._mark_hooks()
        return _Handle(self._backward_hooks, key)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        key = _add_hook(self._backward_pre_hooks, hook, prepend)
        self._mark_hooks()
        return _Handle(self._backward_pre_hooks, key)

    def register_backward_hook(self, hook):
        # NOTE: the legacy (non-full) hook is served by the full-hook mechanism.
        key = _add_hook(self._backward_hooks, hook)
        self._mark_hooks()
        return _Handle(self._backward_hooks, key)

    def register_state_dict_pre_hook(self, hook):
        key = _add_hook(self._state_dict_pre_hooks, hook)
        return _Handle(self._state_dict_pre_hooks, key)

    def register_state_dict_post_hook(self, hook):
        key = _add_hook(self._state_dict_hooks, hook)
        return _Handle(self._state_dict_hooks, key)

    _register_state_dict_hook = register_state_dict_post_hook

    def register_load_state_dict_pre_hook(self, hook):
        key = _add_hook(self._load_state_dict_pre_hooks, _WithModule(hook, self))
        return _Handle(self._load_state_dict_pre_hooks, key)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        key = _add_hook(self._load_state_dict_pre_hooks, _WithModule(hook, self) if with_module else hook)
        return _Handle(self._load_state_dict_pre_hooks, key)

    def register_load_state_dict_post_hook(self, hook):
        key = _add_hook(self._load_state_dict_post_hooks, hook)
        return _Handle(self._load_state_dict_post_hooks, key)

    # --- registration ------------------------------------------------------------------------
    def register_buffer(self, name, tensor, persistent=True):
        STRUCTURE[0] += 1
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"buffer name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('buffer name can\'t contain "."')
        if name == "":
            raise KeyError('buffer name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        for hook in _global_buffer_registration_hooks.values():
            r = hook(self, name, tensor)
            if r is not None:
                tensor = r
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        STRUCTURE[0] += 1
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"parameter name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('parameter name can\'t contain "."')
        if name == "":
            raise KeyError('parameter name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is None:
            self._parameters[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model "
                             f"parameters must be created explicitly. To express '{name}' as a "
                             "function of another Tensor, compute the value in the forward() method.")
        for hook in _global_parameter_registration_hooks.values():
            r = hook(self, name, param)
            if r is not None:
                param = r
        self._parameters[name] = param

    def add_module(self, name, module):
        STRUCTURE[0] += 1
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        for hook in _global_module_registration_hooks.values():
            r = hook(self, name, module)
            if r is not None:
                module = r
        self._modules[name] = module

    def register_module(self, name, module):
        self.add_module(name, module)

    def get_submodule(self, target):
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + " has no attribute `" + item + "`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return mod

    def set_submodule(self, target, module, strict=False):
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        atoms = target.split(".")
        parent = self.get_submodule(".".join(atoms[:-1]))
        if strict and not hasattr(parent, atoms[-1]):
            raise AttributeError(parent._get_name() + " has no attribute `" + atoms[-1] + "`")
        setattr(parent, atoms[-1], module)

    def get_parameter(self, target):
        module_path, _, param_name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, param_name):
            raise AttributeError(mod._get_name() + " has no attribute `" + param_name + "`")
        param = getattr(mod, param_name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + param_name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target):
        module_path, _, buffer_name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, buffer_name):
            raise AttributeError(mod._get_name() + " has no attribute `" + buffer_name + "`")
        buffer = getattr(mod, buffer_name)
        if buffer_name not in mod._buffers:
            raise AttributeError("`" + buffer_name + "` is not a buffer")
        return buffer

    def get_extra_state(self):
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be "
                           "called.")

    def set_extra_state(self, state):
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be "
                           "called.")

    # --- attribute protocol ------------------------------------------------------------------
    def __getattr__(self, name):
        d = self.__dict__
        if "_parameters" in d:
            p = d["_parameters"]
            if name in p:
                return p[name]
        if "_buffers" in d:
            b = d["_buffers"]
            if name in b:
                return b[name]
        if "_modules" in d:
            m = d["_modules"]
            if name in m:
                return m[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__
        STRUCTURE[0] += 1   # compiled modules re-check their guards after any change
        if TRACERS:
            _traced("side_effect", f"assigning {type(self).__name__}.{name} inside the compiled region")

        def remove_from(*dicts_or_sets):
            for ds in dicts_or_sets:
                if name in ds:
                    if isinstance(ds, dict):
                        del ds[name]
                    else:
                        ds.discard(name)

        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            remove_from(d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        else:
            modules = d.get("_modules")
            if isinstance(value, Module):
                if modules is None:
                    raise AttributeError("cannot assign module before Module.__init__() call")
                remove_from(d, self._parameters, self._buffers, self._non_persistent_buffers_set)
                for hook in _global_module_registration_hooks.values():
                    r = hook(self, name, value)
                    if r is not None:
                        value = r
                modules[name] = value
            elif modules is not None and name in modules:
                if value is not None:
                    raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                    "(torch.nn.Module or None expected)")
                modules[name] = value
            else:
                buffers = d.get("_buffers")
                is_buf = isinstance(value, Tensor) and value.__dict__.get("_is_buffer", False)
                if is_buf or (buffers is not None and name in buffers):
                    if value is not None and not isinstance(value, Tensor):
                        raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                        "(torch.nn.Buffer, torch.Tensor or None expected)")
                    if is_buf:
                        persistent = value.__dict__.pop("_buffer_persistent", True)
                        del value.__dict__["_is_buffer"]
                    else:
                        persistent = name not in self._non_persistent_buffers_set
                    if is_buf:
                        remove_from(d, self._parameters, self._modules)
                    for hook in _global_buffer_registration_hooks.values():
                        r = hook(self, name, value)
                        if r is not None:
                            value = r
                    buffers[name] = value
                    if persistent:
                        self._non_persistent_buffers_set.discard(name)
                    else:
                        self._non_persistent_buffers_set.add(name)
                else:
                    object.__setattr__(self, name, value)

    def __delattr__(self, name):
        STRUCTURE[0] += 1
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        module_attrs = dir(self.__class__)
        attrs = list(self.__dict__.keys())
        parameters = list(self._parameters.keys())
        modules = list(self._modules.keys())
        buffers = list(self._buffers.keys())
        keys = module_attrs + attrs + parameters + modules + buffers
        keys = [key for key in keys if not key[0].isdigit()]
        return sorted(keys)

    def __getstate__(self):
        # A compiled cache (generated code, traced tensors) belongs to this process and this
        # object: pickling, torch.save and deepcopy leave it behind (the copy recompiles).
        state = self.__dict__
        if "_ember_compiled" in state:
            state = {k: v for k, v in state.items() if k != "_ember_compiled"}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        for k, v in (("_forward_pre_hooks", OrderedDict), ("_forward_hooks", OrderedDict),
                     ("_forward_hooks_with_kwargs", OrderedDict),
                     ("_forward_hooks_always_called", OrderedDict),
                     ("_forward_pre_hooks_with_kwargs", OrderedDict),
                     ("_state_dict_hooks", OrderedDict), ("_state_dict_pre_hooks", OrderedDict),
                     ("_load_state_dict_pre_hooks", OrderedDict),
                     ("_load_state_dict_post_hooks", OrderedDict),
                     ("_backward_pre_hooks", OrderedDict), ("_backward_hooks", OrderedDict),
                     ("_non_persistent_buffers_set", set)):
            if k not in self.__dict__:
                self.__dict__[k] = v()
        if "_is_full_backward_hook" not in self.__dict__:
            self.__dict__["_is_full_backward_hook"] = None

    # --- traversal ---------------------------------------------------------------------------
    def _named_members(self, get_members_fn, prefix="", recurse=True, remove_duplicate=True):
        memo = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for k, v in get_members_fn(module):
                if v is None or id(v) in memo:
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield module_prefix + ("." if module_prefix else "") + k, v

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members(lambda m: m._parameters.items(), prefix=prefix,
                                       recurse=recurse, remove_duplicate=remove_duplicate)

    def buffers(self, recurse=True):
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members(lambda m: m._buffers.items(), prefix=prefix,
                                       recurse=recurse, remove_duplicate=remove_duplicate)

    def children(self):
        for _, module in self.named_children():
            yield module

    def named_children(self):
        memo = set()
        for name, module in self._modules.items():
            if module is not None and module not in memo:
                memo.add(module)
                yield name, module

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        if memo is None:
            memo = set()
        if self not in memo:
            if remove_duplicate:
                memo.add(self)
            yield prefix, self
            for name, module in self._modules.items():
                if module is None:
                    continue
                yield from module.named_modules(memo, prefix + ("." if prefix else "") + name,
                                                remove_duplicate)

    # --- modes and grads ---------------------------------------------------------------------
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        for p in self.parameters():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    g = p.grad
                    if g.grad_fn is not None:
                        g = g.detach()
                        p.grad = g
                    else:
                        g.requires_grad = False
                    g._data.fill(0)

    def share_memory(self):
        return self

    def apply(self, fn):
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # --- device / dtype -----------------------------------------------------------------------
    def _apply(self, fn, recurse=True):
        if recurse:
            for module in self.children():
                module._apply(fn)
        for key, param in self._parameters.items():
            if param is None:
                continue
            with no_grad():
                new = fn(param)
            if new is not param:
                param._data = new._data
            g = param.grad
            if g is not None:
                with no_grad():
                    ng = fn(g)
                if ng is not g:
                    g._data = ng._data
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        dtype = kwargs.get("dtype")
        device = kwargs.get("device")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, _dtype.dtype):
                dtype = a
            else:
                device = a
        if device is not None:
            dev = str(device)
            if not (dev == "cpu" or dev.startswith("cpu:") or dev == "meta"):
                raise AssertionError("Torch not compiled with CUDA enabled" if "cuda" in dev else
                                     f"ember runs on the CPU only; cannot move a module to '{dev}'")
        if dtype is not None:
            dtype = _dtype.to_dtype(dtype)
            if not (dtype.is_floating_point or dtype.is_complex):
                raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got "
                                f"desired dtype={dtype}")

            def convert(t):
                # NOTE: as PyTorch, a complex dtype converts floating and complex tensors.
                if t.is_floating_point() or (dtype.is_complex and t.is_complex()):
                    return t.to(dtype)
                return t
            return self._apply(convert)
        return self

    def cpu(self):
        return self

    def cuda(self, device=None):
        raise AssertionError("Torch not compiled with CUDA enabled")

    def xpu(self, device=None):
        raise AssertionError("Torch not compiled with XPU enabled")

    def mps(self, device=None):
        raise AssertionError("MPS is not available")

    def type(self, dst_type):
        return self._apply(lambda t: t.type(dst_type))

    def float(self):
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self):
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)

    def to_empty(self, *, device=None, recurse=True):
        return self._apply(lambda t: _wrap(np.empty_like(t._data)), recurse=recurse)

    # --- state_dict --------------------------------------------------------------------------
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        npb = self._non_persistent_buffers_set
        for name, buf in self._buffers.items():
            if buf is not None and name not in npb:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        if getattr(self.__class__, "get_extra_state", Module.get_extra_state) is not Module.get_extra_state:
            destination[prefix + "_extra_state"] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        if args:
            # positional (destination, prefix, keep_vars), deprecated in PyTorch but accepted
            destination = args[0] if len(args) > 0 else destination
            prefix = args[1] if len(args) > 1 else prefix
            keep_vars = args[2] if len(args) > 2 else keep_vars
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            r = hook(self, destination, prefix, local_metadata)
            if r is not None:
                destination = r
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        npb = self._non_persistent_buffers_set
        local_state = {k: v for k, v in itertools.chain(
            self._parameters.items(), ((k, v) for k, v in self._buffers.items() if k not in npb))
            if v is not None}
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, param in local_state.items():
            key = prefix + name
            if key in state_dict:
                input_param = state_dict[key]
                if not isinstance(input_param, Tensor):
                    if isinstance(input_param, np.ndarray):
                        input_param = _wrap(input_param)
                    else:
                        error_msgs.append(f'While copying the parameter named "{key}", expected '
                                          "torch.Tensor or Tensor-like object from checkpoint but "
                                          f"received {type(input_param)}")
                        continue
                lazy = is_lazy(param)
                if not lazy and len(param.shape) == 0 and len(input_param.shape) == 1:
                    input_param = input_param[0]
                if not lazy and input_param.shape != param.shape:
                    error_msgs.append(f"size mismatch for {key}: copying a param with shape "
                                      f"{input_param.shape} from checkpoint, the shape in current "
                                      f"model is {param.shape}.")
                    continue
                try:
                    with no_grad():
                        if assign:
                            if isinstance(param, Parameter):
                                if not isinstance(input_param, Parameter):
                                    input_param = Parameter(input_param,
                                                            requires_grad=param.requires_grad)
                                else:
                                    input_param.requires_grad_(param.requires_grad)
                            setattr(self, name, input_param)
                        elif lazy:
                            param.materialize(input_param.shape, dtype=param.dtype)
                            param.copy_(input_param)
                        else:
                            param.copy_(input_param)
                except Exception as ex:
                    error_msgs.append(f'While copying the parameter named "{key}", whose dimensions '
                                      f"in the model are {param.size()} and whose dimensions in the "
                                      f"checkpoint are {input_param.size()}, an exception occurred : "
                                      f"{ex.args}.")
            elif strict:
                missing_keys.append(key)
        extra_key = prefix + "_extra_state"
        if getattr(self.__class__, "set_extra_state", Module.set_extra_state) is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict.keys():
                if key.startswith(prefix) and key != extra_key:
                    input_name = key[len(prefix):].split(".", 1)
                    if len(input_name) > 1:
                        if input_name[0] not in self._modules:
                            unexpected_keys.append(key)
                    elif input_name[0] not in local_state:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys, unexpected_keys, error_msgs = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)
        if metadata is not None:
            state_dict._metadata = metadata

        def load(module, local_state_dict, prefix=""):
            local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata["assign_to_params_buffers"] = assign
            module._load_from_state_dict(local_state_dict, prefix, local_metadata, True,
                                         missing_keys, unexpected_keys, error_msgs)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    child_sd = {k: v for k, v in local_state_dict.items() if k.startswith(child_prefix)}
                    load(child, child_sd, child_prefix)
            incompatible = _IncompatibleKeys(missing_keys, unexpected_keys)
            for hook in module._load_state_dict_post_hooks.values():
                out = hook(module, incompatible)
                assert out is None, ("Hooks registered with ``register_load_state_dict_post_hook`` "
                                     "are not expected to return new values, if incompatible_keys "
                                     "need to be modified, it should be done inplace.")

        load(self, state_dict)
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                self.__class__.__name__, "\n\t".join(error_msgs)))
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # --- printing ----------------------------------------------------------------------------
    def _get_name(self):
        return self.__class__.__name__

    def extra_repr(self):
        return ""

    def __repr__(self):
        extra_lines = []
        extra_repr = self.extra_repr()
        if extra_repr:
            extra_lines = extra_repr.split("\n")
        child_lines = []
        for key, module in self._modules.items():
            mod_str = _addindent(repr(module), 2)
            child_lines.append("(" + key + "): " + mod_str)
        lines = extra_lines + child_lines
        main_str = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main_str += extra_lines[0]
            else:
                main_str += "\n  " + "\n  ".join(lines) + "\n"
        return main_str + ")"


class _WithModule:
    """Calls a load_state_dict pre-hook with the module as the first argument."""

    def __init__(self, hook, module):
        self.hook = hook
        import weakref
        self.ref = weakref.ref(module)

    def __call__(self, *args, **kwargs):
        return self.hook(self.ref(), *args, **kwargs)
