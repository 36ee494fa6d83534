"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

The flag lives in a one-element list so that hot paths read it with one index, no call.
"""
import functools

GRAD_ENABLED = [True]


def is_grad_enabled():
    return GRAD_ENABLED[0]


class _Mode:
    """Base for the grad-mode context managers; each also works as a decorator."""
    _value = True

    def __enter__(self):
        self._prev = GRAD_ENABLED[0]
        GRAD_ENABLED[0] = self._value
        return self

    def __exit__(self, *exc):
        GRAD_ENABLED[0] = self._prev
        return False

    def __call__(self, fn):
        value = self._value

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = GRAD_ENABLED[0]
            GRAD_ENABLED[0] = value
            try:
                return fn(*args, **kwargs)
            finally:
                GRAD_ENABLED[0] = prev
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
        self._prev = GRAD_ENABLED[0]
        GRAD_ENABLED[0] = self._value

    def __enter__(self):
        return self


class inference_mode(_Mode):
    """Like ``no_grad`` (ember has no separate inference tensors)."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self._value = False
            return self(mode)
        self._value = not mode
        return self

    def __init__(self, mode=True):
        pass


def is_inference_mode_enabled():
    return False
