"""Collectives on picklable Python objects (``broadcast_object_list``, ``all_gather_object``...).

.. warning::
    These functions use the ``pickle`` module implicitly, which is known to be insecure: it
    is possible to construct malicious pickle data which will execute arbitrary code during
    unpickling. Only call them with data you trust, that is, with peers you trust. Calling one
    is the opt-in: the tensor collectives never unpickle anything.

Objects travel as the bytes of ``pickle.dumps`` through the same non-blocking MPI
operations as tensors, so the group's timeout applies to them too.
"""
import pickle

import numpy as np

from . import _mpi
from ._collectives import _root
from ._group import Work, _resolve

__all__ = ["broadcast_object_list", "all_gather_object", "gather_object", "scatter_object_list",
           "send_object_list", "recv_object_list"]

_WARNING = """
    .. warning::
        Uses ``pickle`` implicitly, which is known to be insecure: malicious pickle data can
        execute arbitrary code during unpickling. Only call this function with data you trust.
"""


def _dumps(obj):
    return np.frombuffer(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL), np.uint8)


def _loads(buf):
    return pickle.loads(buf.tobytes())


def _wait(pg, what, *reqs):
    Work(list(reqs), pg, what).wait()


def _displs(counts):
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64).tolist()


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    pg = _resolve(group)
    if pg is None:
        return
    root = _root(pg, src, group_src, "broadcast_object_list")
    mine = pg._rank == root
    parts = [_dumps(o) for o in object_list] if mine else []
    sizes = np.array([p.size for p in parts] if mine else [0] * len(object_list), np.int64)
    _wait(pg, "broadcast_object_list", pg._comm.Ibcast(sizes, root=root))
    data = np.concatenate(parts) if mine and parts else np.empty(int(sizes.sum()), np.uint8)
    _wait(pg, "broadcast_object_list", pg._comm.Ibcast(data, root=root))
    if not mine:
        off = 0
        for i, n in enumerate(sizes.tolist()):
            object_list[i] = _loads(data[off:off + n])
            off += n


def all_gather_object(object_list, obj, group=None):
    pg = _resolve(group)
    if pg is None:
        return
    if len(object_list) != pg._size:
        raise ValueError(f"all_gather_object: object_list has {len(object_list)} entries, "
                         f"expected one per rank ({pg._size})")
    data = _dumps(obj)
    sizes = np.zeros(pg._size, np.int64)
    _wait(pg, "all_gather_object", pg._comm.Iallgather(np.array([data.size], np.int64), sizes))
    counts = sizes.tolist()
    out = np.empty(sum(counts), np.uint8)
    _wait(pg, "all_gather_object", pg._comm.Iallgatherv(data, [out, (counts, _displs(counts))]))
    off = 0
    for i, n in enumerate(counts):
        object_list[i] = _loads(out[off:off + n])
        off += n


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    pg = _resolve(group)
    if pg is None:
        return
    root = _root(pg, dst, group_dst, "gather_object")
    mine = pg._rank == root
    if mine and (object_gather_list is None or len(object_gather_list) != pg._size):
        raise ValueError("gather_object: object_gather_list must have one entry per rank on "
                         "the destination rank")
    data = _dumps(obj)
    sizes = np.zeros(pg._size, np.int64) if mine else None
    _wait(pg, "gather_object", pg._comm.Igather(np.array([data.size], np.int64), sizes, root=root))
    if mine:
        counts = sizes.tolist()
        out = np.empty(sum(counts), np.uint8)
        _wait(pg, "gather_object",
              pg._comm.Igatherv(data, [out, (counts, _displs(counts))], root=root))
        off = 0
        for i, n in enumerate(counts):
            object_gather_list[i] = _loads(out[off:off + n])
            off += n
    else:
        _wait(pg, "gather_object", pg._comm.Igatherv(data, None, root=root))


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None,
                        group=None, group_src=None):
    pg = _resolve(group)
    if pg is None:
        return
    root = _root(pg, src, group_src, "scatter_object_list")
    mine = pg._rank == root
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at "
                         "least 1.")
    size = np.zeros(1, np.int64)
    if mine:
        parts = [_dumps(o) for o in scatter_object_input_list]
        counts = [p.size for p in parts]
        _wait(pg, "scatter_object_list",
              pg._comm.Iscatter(np.array(counts, np.int64), size, root=root))
        send = [np.concatenate(parts), (counts, _displs(counts))]
    else:
        _wait(pg, "scatter_object_list", pg._comm.Iscatter(None, size, root=root))
        send = None
    out = np.empty(int(size[0]), np.uint8)
    _wait(pg, "scatter_object_list", pg._comm.Iscatterv(send, out, root=root))
    scatter_object_output_list[0] = _loads(out)


_TAG = 0x3b1      # object sends use their own tag, apart from users' tensor sends


def send_object_list(object_list, dst=None, group=None, device=None, group_dst=None):
    pg = _resolve(group)
    if pg is None:
        return
    peer = _root(pg, dst, group_dst, "send_object_list")
    parts = [_dumps(o) for o in object_list]
    sizes = np.array([p.size for p in parts], np.int64)
    data = np.concatenate(parts) if parts else np.empty(0, np.uint8)
    _wait(pg, "send_object_list", pg._comm.Isend(sizes, dest=peer, tag=_TAG),
          pg._comm.Isend(data, dest=peer, tag=_TAG + 1))


def recv_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Returns the sender's global rank."""
    pg = _resolve(group)
    if pg is None:
        return -1
    MPI = _mpi.MPI
    if src is None and group_src is None:
        peer = MPI.ANY_SOURCE
    else:
        peer = _root(pg, src, group_src, "recv_object_list")
    sizes = np.zeros(len(object_list), np.int64)
    status = MPI.Status()
    Work([pg._comm.Irecv(sizes, source=peer, tag=_TAG)], pg, "recv_object_list",
         status=status).wait()
    peer = status.Get_source()
    data = np.empty(int(sizes.sum()), np.uint8)
    _wait(pg, "recv_object_list", pg._comm.Irecv(data, source=peer, tag=_TAG + 1))
    off = 0
    for i, n in enumerate(sizes.tolist()):
        object_list[i] = _loads(data[off:off + n])
        off += n
    return pg._ranks[peer]


for _f in (broadcast_object_list, all_gather_object, gather_object, scatter_object_list,
           send_object_list, recv_object_list):
    _f.__doc__ = (_f.__doc__ or f"``{_f.__name__}``: the object version of the tensor "
                  "collective of that name.\n") + _WARNING
del _f
