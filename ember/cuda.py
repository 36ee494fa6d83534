"""torch.cuda, answering truthfully: ember here has no CUDA device."""


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    pass


def manual_seed_all(seed):
    pass


def synchronize(device=None):
    pass


def empty_cache():
    pass


def is_bf16_supported():
    return False


def current_device():
    raise AssertionError("Torch not compiled with CUDA enabled")


def get_device_name(device=None):
    raise AssertionError("Torch not compiled with CUDA enabled")


def memory_allocated(device=None):
    return 0


def max_memory_allocated(device=None):
    return 0


class amp:
    class GradScaler:
        def __init__(self, *a, enabled=True, **k):
            self.enabled = False

        def scale(self, loss):
            return loss

        def step(self, optimizer):
            optimizer.step()

        def update(self):
            pass

        def unscale_(self, optimizer):
            pass

    class autocast:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False
