"""DDP communication hooks: ``ddp.register_comm_hook(state, hook)``.

    # (import default_hooks from torch.distributed.algorithms.ddp_comm_hooks)
    ddp.register_comm_hook(None, default_hooks.fp16_compress_hook)

A hook gets a ``GradBucket`` and returns a future of the reduced flat buffer; ``state`` is
the process group to use (None: the default one).
"""
import numpy as np

from ...._tensor import _wrap
from ... import _collectives
from ..._group import _resolve

__all__ = ["allreduce_hook", "fp16_compress_hook", "bf16_compress_hook"]


def allreduce_hook(process_group, bucket):
    """The built-in behaviour: average the bucket over the group's ranks."""
    pg = _resolve(process_group)
    tensor = bucket.buffer()
    np.divide(tensor._data, pg._size, out=tensor._data)
    return _collectives.all_reduce(tensor, group=pg, async_op=True).get_future().then(
        lambda fut: fut.value()[0])


def _compressed(process_group, bucket, dtype):
    pg = _resolve(process_group)
    buf = bucket.buffer()
    small = _wrap((buf._data / pg._size).astype(dtype))
    work = _collectives.all_reduce(small, group=pg, async_op=True)

    def decompress(fut):
        out = fut.value()[0]
        np.copyto(buf._data, out._data.astype(buf._data.dtype))
        return buf
    return work.get_future().then(decompress)


def fp16_compress_hook(process_group, bucket):
    """Average in float16: half the bytes on the wire, float16's rounding."""
    return _compressed(process_group, bucket, np.float16)


def bf16_compress_hook(process_group, bucket):
    """ember stores bfloat16 as float32, so this is the plain average."""
    return _compressed(process_group, bucket, np.float32)
