"""torch.random: the default generator's seed and state, and ``fork_rng``.

>>> with torch.random.fork_rng():
...     torch.rand(3)          # draws here leave the outer stream where it was
"""
import contextlib

from .ops.random import (default_generator, get_rng_state, initial_seed, manual_seed, seed,
                         set_rng_state)

__all__ = ["default_generator", "fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed",
           "set_rng_state"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Run the block on a copy of the CPU generator's state and restore the state after it
    (ember has no accelerator streams, so ``devices`` only needs to name none)."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
