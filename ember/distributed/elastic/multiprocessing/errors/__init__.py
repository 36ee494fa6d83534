"""``@record``: torchrun's decorator that records a rank's error. ember's launcher prints each
rank's traceback itself, so the decorator only calls the function."""
import functools

__all__ = ["record"]


def record(fn=None, error_handler=None):
    if fn is None:
        return lambda f: record(f, error_handler)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


from ember import _missing; _missing.install(__name__)  # noqa: E402,E702
