"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

Mode state is per thread, as in PyTorch: a thread that enters ``no_grad`` switches recording
off for itself only, and a new thread starts with grad enabled.  The state lives on one
``threading.local`` whose class attributes are the defaults, so hot paths read it with one
attribute lookup (about 30 ns more than a global list, measured), no call.
"""
import functools
import threading


class _ModeState(threading.local):
    grad_enabled = True   # NOTE: class attributes are every new thread's defaults
    inference = False
    anomaly = False
    anomaly_check_nan = True


MODE = _ModeState()


def is_grad_enabled():
    return MODE.grad_enabled


class _Mode:
    """Base for the grad-mode context managers; each also works as a decorator."""
    _value = True

    def __enter__(self):
        self._prev = MODE.grad_enabled
        MODE.grad_enabled = self._value
        return self

    def __exit__(self, *exc):
        MODE.grad_enabled = self._prev
        return False

    def __call__(self, fn):
        value = self._value

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = MODE.grad_enabled
            MODE.grad_enabled = value
            try:
                return fn(*args, **kwargs)
            finally:
                MODE.grad_enabled = prev
        return wrapper

    def clone(self):
        return self


class no_grad(_Mode):
    """Disable gradient recording: ``with torch.no_grad(): w -= lr * w.grad``."""
    _value = False

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        # `@torch.no_grad` without parentheses decorates directly, as in PyTorch.
        return self(orig_func) if callable(orig_func) else self

    def __init__(self, orig_func=None):
        pass


class enable_grad(no_grad):
    """Enable gradient recording inside a ``no_grad`` block."""
    _value = True


class set_grad_enabled(_Mode):
    """Set grad mode on or off; works as a function, a context manager or a decorator."""

    def __init__(self, mode):
        self._value = bool(mode)
        self._prev = MODE.grad_enabled
        MODE.grad_enabled = self._value

    def __enter__(self):
        return self


class inference_mode(_Mode):
    """Like ``no_grad``, and ``torch.is_inference_mode_enabled()`` says so (per thread;
    ember has no separate inference tensors)."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self._value, self._inference = False, True
            return self(mode)
        self._value, self._inference = not mode, bool(mode)
        return self

    def __init__(self, mode=True):
        pass

    def __enter__(self):
        self._prev_inference = MODE.inference
        MODE.inference = self._inference
        return super().__enter__()

    def __exit__(self, *exc):
        MODE.inference = self._prev_inference
        return super().__exit__(*exc)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(self._inference):
                return fn(*args, **kwargs)
        return wrapper


def is_inference_mode_enabled():
    return MODE.inference
