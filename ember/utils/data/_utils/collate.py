"""default_collate / default_convert: samples -> batches, as torch.utils.data does."""
import collections.abc
import copy
import re

import numpy as np

from ...._tensor import Tensor, _wrap
from .... import _dtype

_np_str_obj = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}")


def _stack(batch):
    """One stack for a field; plain NumPy when nothing requires grad (the common case)."""
    for t in batch:
        if t.requires_grad:
            from .... import stack
            return stack(batch, 0)
    shape = batch[0]._data.shape
    for t in batch:
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} "
                               f"at entry 0 and {list(t._data.shape)} at entry {batch.index(t)}")
    return _wrap(np.stack([t._data for t in batch]))


def default_collate(batch):
    """Stack a list of samples into a batch, recursing into dicts, tuples, lists and named tuples.

    >>> default_collate([(torch.ones(2), 1), (torch.zeros(2), 0)])
    [tensor([[1., 1.], [0., 0.]]), tensor([1, 0])]
    """
    elem = batch[0]
    elem_type = type(elem)
    if isinstance(elem, Tensor):
        return _stack(batch)
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ in ("ndarray", "memmap"):
            if _np_str_obj.search(elem.dtype.str) is not None:
                raise TypeError(default_collate_err_msg_format.format(elem.dtype))
            return _wrap(np.stack([np.asarray(b) for b in batch]))
        if elem.shape == ():  # NumPy scalar
            _dtype.from_np(elem.dtype)
            return _wrap(np.array(batch, dtype=elem.dtype))
    elif isinstance(elem, bool):
        return _wrap(np.array(batch, dtype=np.bool_))
    elif isinstance(elem, float):
        return _wrap(np.array(batch, dtype=np.float64))
    elif isinstance(elem, int):
        return _wrap(np.array(batch, dtype=np.int64))
    elif isinstance(elem, (str, bytes)):
        return batch
    elif isinstance(elem, collections.abc.Mapping):
        if elem_type is dict:
            return {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({key: default_collate([d[key] for d in batch]) for key in elem})
                return clone
            return elem_type({key: default_collate([d[key] for d in batch]) for key in elem})
        except TypeError:
            return {key: default_collate([d[key] for d in batch]) for key in elem}
    elif isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(default_collate(samples) for samples in zip(*batch)))
    elif isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple) or elem_type is list:
            return [default_collate(samples) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = default_collate(samples)
                return clone
            return elem_type([default_collate(s) for s in transposed])
        except TypeError:
            return [default_collate(s) for s in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def default_convert(data):
    """Turn NumPy arrays into tensors, recursing into containers; used when batching is off."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and _np_str_obj.search(data.dtype.str) is not None:
            return data
        return _wrap(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        try:
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
