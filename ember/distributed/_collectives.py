"""Collectives and point-to-point on tensors, in place, as ``torch.distributed`` has them.

Each call posts one non-blocking MPI operation on the tensors' own arrays (a contiguous copy
only when a tensor is not contiguous) and returns a ``Work``; ``async_op=False`` waits for it
at once. Ranks named by ``src``/``dst``/``peer`` are global ranks, as in PyTorch;
``group_src``/``group_dst``/``group_peer`` are ranks within ``group``.
"""
import numpy as np

from .._tensor import Tensor
from . import _mpi
from ._group import ReduceOp, Work, _resolve, _wait

__all__ = ["all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor",
           "reduce_scatter", "reduce_scatter_tensor", "gather", "scatter", "all_to_all",
           "all_to_all_single", "send", "recv", "isend", "irecv", "barrier", "monitored_barrier",
           "P2POp", "batch_isend_irecv", "all_reduce_coalesced", "reduce_op", "all_gather_single",
           "reduce_scatter_single"]

reduce_op = ReduceOp            # the deprecated spelling


def _check(t, name="tensor"):
    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type "
                        f"torch.Tensor but got {type(t)} instead.")
    return t


def _flat(t):
    """A flat array over the tensor's memory, and what copies it back (None if shared)."""
    a = t._data
    if a.flags.c_contiguous and a.flags.writeable:
        return a.reshape(-1), None
    buf = np.ascontiguousarray(a).reshape(-1)
    return buf, lambda: np.copyto(a, buf.reshape(a.shape))


def _bump(*tensors):
    def f():
        for t in tensors:
            t._vbox[0] += 1
    return f


_TABLES = None       # (ops for numbers, ops for bool), built once MPI is loaded


def _tables():
    global _TABLES
    MPI = _mpi.MPI
    numbers = {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
               ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
               ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}
    # NOTE: MPI has no arithmetic on bool; SUM/MAX of bools is "any", PRODUCT/MIN is "all".
    bools = {ReduceOp.SUM: MPI.LOR, ReduceOp.MAX: MPI.LOR, ReduceOp.BOR: MPI.LOR,
             ReduceOp.AVG: MPI.LOR, ReduceOp.PRODUCT: MPI.LAND, ReduceOp.MIN: MPI.LAND,
             ReduceOp.BAND: MPI.LAND, ReduceOp.BXOR: MPI.LXOR}
    _TABLES = (numbers, bools)
    return _TABLES


def _mpi_op(op, dtype, size):
    """The MPI operation for ``op`` on ``dtype`` and what runs after it (AVG's division)."""
    is_bool = dtype == np.bool_
    try:
        mop = (_TABLES or _tables())[is_bool][op]
    except KeyError:
        raise ValueError(f"ReduceOp {op} is not supported by ember's MPI backend") from None
    if op == ReduceOp.AVG and not is_bool:
        if np.issubdtype(dtype, np.inexact):
            return mop, lambda buf: np.divide(buf, size, out=buf)
        return mop, lambda buf: np.floor_divide(buf, size, out=buf)
    return mop, None


def _root(pg, rank, group_rank, what):
    """A global rank (or a group rank) -> the rank within ``pg``."""
    if group_rank is not None:
        if not 0 <= group_rank < pg._size:
            raise ValueError(f"{what}: group rank {group_rank} is not part of the group")
        return group_rank
    if rank is None:
        rank = 0
    try:
        return pg._ranks.index(rank)
    except ValueError:
        raise ValueError(f"Global rank {rank} is not part of group {pg}") from None


def _steps(*fs):
    return tuple(f for f in fs if f is not None)


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` across ranks, in place on every rank.

        t = torch.ones(3) * (dist.get_rank() + 1)
        dist.all_reduce(t, op=dist.ReduceOp.SUM)     # with 2 ranks: tensor([3., 3., 3.])
    """
    _check(tensor)
    pg = _resolve(group)
    if pg is None:
        return None
    a = tensor._data
    mop, post = _mpi_op(op, a.dtype, pg._size)
    if post is None and not async_op and a.flags.c_contiguous and a.flags.writeable:
        # the common case (a loss or a gradient, summed) without the Work bookkeeping
        _wait([pg._comm.Iallreduce(_mpi.MPI.IN_PLACE, a.reshape(-1), op=mop)], pg, "all_reduce")
        tensor._vbox[0] += 1
        return None
    buf, back = _flat(tensor)
    req = pg._comm.Iallreduce(_mpi.MPI.IN_PLACE, buf, op=mop)
    finish = _steps(post and (lambda: post(buf)), back, _bump(tensor))
    return Work([req], pg, "all_reduce", finish, [tensor])._run(async_op)


def all_reduce_coalesced(tensors, op=ReduceOp.SUM, group=None, async_op=False):
    """All-reduce a list of tensors of one dtype as one flat buffer."""
    tensors = [_check(t) for t in tensors]
    pg = _resolve(group)
    if pg is None or not tensors:
        return None
    buf = np.concatenate([t._data.reshape(-1) for t in tensors])
    mop, post = _mpi_op(op, buf.dtype, pg._size)
    req = pg._comm.Iallreduce(_mpi.MPI.IN_PLACE, buf, op=mop)

    def unpack():
        if post:
            post(buf)
        off = 0
        for t in tensors:
            n = t._data.size
            np.copyto(t._data, buf[off:off + n].reshape(t._data.shape))
            t._vbox[0] += 1
            off += n
    return Work([req], pg, "all_reduce_coalesced", (unpack,), tensors)._run(async_op)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``src``'s tensor into every rank's ``tensor``."""
    _check(tensor)
    pg = _resolve(group)
    if pg is None:
        return None
    root = _root(pg, src, group_src, "broadcast")
    buf, back = _flat(tensor)
    req = pg._comm.Ibcast(buf, root=root)
    return Work([req], pg, "broadcast", _steps(back, _bump(tensor)), [tensor])._run(async_op)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` across ranks into ``dst``'s tensor (the others keep theirs)."""
    _check(tensor)
    pg = _resolve(group)
    if pg is None:
        return None
    root = _root(pg, dst, group_dst, "reduce")
    buf, back = _flat(tensor)
    mop, post = _mpi_op(op, buf.dtype, pg._size)
    MPI = _mpi.MPI
    if pg._rank == root:
        req = pg._comm.Ireduce(MPI.IN_PLACE, buf, op=mop, root=root)
        finish = _steps(post and (lambda: post(buf)), back, _bump(tensor))
    else:
        req = pg._comm.Ireduce(buf, None, op=mop, root=root)
        finish = ()
    return Work([req], pg, "reduce", finish, [tensor])._run(async_op)


def _gathered(pg, like):
    return np.empty((pg._size,) + like.shape, like.dtype)


def _check_list(tensor_list, pg, what, name="tensor_list"):
    if not isinstance(tensor_list, (list, tuple)):
        raise TypeError(f"Invalid function argument: {name} should be a list")
    for t in tensor_list:
        _check(t, name)
    if len(tensor_list) != pg._size:
        raise ValueError(f"{what}: {name} has {len(tensor_list)} tensors, expected one per "
                         f"rank ({pg._size})")


def _copy_rows(big, tensors):
    def f():
        for row, t in zip(big, tensors):
            np.copyto(t._data, row.reshape(t._data.shape), casting="unsafe")
            t._vbox[0] += 1
    return f


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Every rank's ``tensor`` into ``tensor_list[rank]`` on every rank."""
    _check(tensor)
    pg = _resolve(group)
    if pg is None:
        return None
    _check_list(tensor_list, pg, "all_gather")
    send = np.ascontiguousarray(tensor._data)
    big = _gathered(pg, send)
    req = pg._comm.Iallgather(send.reshape(-1), big.reshape(-1))
    return Work([req], pg, "all_gather", (_copy_rows(big, tensor_list),),
                list(tensor_list))._run(async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Every rank's ``input_tensor`` concatenated (or stacked) into ``output_tensor``."""
    _check(output_tensor, "output_tensor")
    _check(input_tensor, "input_tensor")
    pg = _resolve(group)
    if pg is None:
        return None
    if output_tensor._data.size != input_tensor._data.size * pg._size:
        raise ValueError("all_gather_into_tensor: output tensor size must be equal to "
                         "world_size times input tensor size")
    send = np.ascontiguousarray(input_tensor._data, dtype=output_tensor._data.dtype).reshape(-1)
    out, back = _flat(output_tensor)
    req = pg._comm.Iallgather(send, out)
    return Work([req], pg, "all_gather_into_tensor", _steps(back, _bump(output_tensor)),
                [output_tensor])._run(async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` across ranks and keep this rank's slice (dim 0) in ``output``."""
    _check(output, "output")
    _check(input, "input")
    pg = _resolve(group)
    if pg is None:
        return None
    if input._data.size != output._data.size * pg._size:
        raise ValueError("reduce_scatter_tensor: input tensor must be the same size as "
                         "output size times world size")
    send = np.ascontiguousarray(input._data, dtype=output._data.dtype).reshape(-1)
    out, back = _flat(output)
    mop, post = _mpi_op(op, out.dtype, pg._size)
    req = pg._comm.Ireduce_scatter_block(send, out, op=mop)
    finish = _steps(post and (lambda: post(out)), back, _bump(output))
    return Work([req], pg, "reduce_scatter_tensor", finish, [output])._run(async_op)


def all_gather_single(output_tensor, input_tensor, group=None, async_op=False):
    """PyTorch 2.13's name for ``all_gather_into_tensor``."""
    return all_gather_into_tensor(output_tensor, input_tensor, group, async_op)


def reduce_scatter_single(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """PyTorch 2.13's name for ``reduce_scatter_tensor``."""
    return reduce_scatter_tensor(output, input, op, group, async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list[i]`` across ranks into rank i's ``output``."""
    _check(output, "output")
    pg = _resolve(group)
    if pg is None:
        return None
    _check_list(input_list, pg, "reduce_scatter", "input_list")
    send = np.concatenate([np.asarray(t._data, output._data.dtype).reshape(-1) for t in input_list])
    out, back = _flat(output)
    mop, post = _mpi_op(op, out.dtype, pg._size)
    req = pg._comm.Ireduce_scatter_block(send, out, op=mop)
    finish = _steps(post and (lambda: post(out)), back, _bump(output))
    return Work([req], pg, "reduce_scatter", finish, [output])._run(async_op)


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Every rank's ``tensor`` into ``gather_list`` on ``dst`` (None elsewhere)."""
    _check(tensor)
    pg = _resolve(group)
    if pg is None:
        return None
    root = _root(pg, dst, group_dst, "gather")
    send = np.ascontiguousarray(tensor._data).reshape(-1)
    if pg._rank == root:
        if gather_list is None:
            raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
        _check_list(gather_list, pg, "gather", "gather_list")
        big = _gathered(pg, tensor._data)
        req = pg._comm.Igather(send, big.reshape(-1), root=root)
        finish = (_copy_rows(big, gather_list),)
    else:
        if gather_list:
            raise ValueError("Argument ``gather_list`` must NOT be specified on "
                             "non-destination ranks.")
        req = pg._comm.Igather(send, None, root=root)
        finish = ()
    return Work([req], pg, "gather", finish, list(gather_list or []))._run(async_op)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """``scatter_list[i]`` on ``src`` into rank i's ``tensor``."""
    _check(tensor)
    pg = _resolve(group)
    if pg is None:
        return None
    root = _root(pg, src, group_src, "scatter")
    out, back = _flat(tensor)
    if pg._rank == root:
        if scatter_list is None:
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        _check_list(scatter_list, pg, "scatter", "scatter_list")
        send = np.concatenate([np.asarray(t._data, out.dtype).reshape(-1) for t in scatter_list])
        req = pg._comm.Iscatter(send, out, root=root)
    else:
        if scatter_list:
            raise ValueError("Argument ``scatter_list`` must NOT be specified on "
                             "non-source ranks.")
        req = pg._comm.Iscatter(None, out, root=root)
    return Work([req], pg, "scatter", _steps(back, _bump(tensor)), [tensor])._run(async_op)


def _alltoallv(pg, send, send_counts, recv, recv_counts, what, finish, result, async_op):
    sdispl = np.concatenate([[0], np.cumsum(send_counts)[:-1]]).astype(int).tolist()
    rdispl = np.concatenate([[0], np.cumsum(recv_counts)[:-1]]).astype(int).tolist()
    req = pg._comm.Ialltoallv([send, (list(send_counts), sdispl)],
                              [recv, (list(recv_counts), rdispl)])
    return Work([req, ], pg, what, finish, result)._run(async_op)


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """``input_tensor_list[j]`` of rank i lands in ``output_tensor_list[i]`` of rank j."""
    pg = _resolve(group)
    if pg is None:
        return None
    _check_list(output_tensor_list, pg, "all_to_all", "output_tensor_list")
    _check_list(input_tensor_list, pg, "all_to_all", "input_tensor_list")
    dtype = output_tensor_list[0]._data.dtype
    send = np.concatenate([np.asarray(t._data, dtype).reshape(-1) for t in input_tensor_list])
    recv_counts = [t._data.size for t in output_tensor_list]
    recv = np.empty(sum(recv_counts), dtype)

    def unpack():
        off = 0
        for t, n in zip(output_tensor_list, recv_counts):
            np.copyto(t._data, recv[off:off + n].reshape(t._data.shape))
            t._vbox[0] += 1
            off += n
    return _alltoallv(pg, send, [t._data.size for t in input_tensor_list], recv, recv_counts,
                      "all_to_all", (unpack,), list(output_tensor_list), async_op)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op=False):
    """Split ``input`` along dim 0 (evenly, or by ``input_split_sizes``), exchange the pieces,
    and concatenate what arrives in ``output``."""
    _check(output, "output")
    _check(input, "input")
    pg = _resolve(group)
    if pg is None:
        return None
    n = pg._size

    def counts(t, splits):
        rows = t._data.shape[0] if t._data.ndim else 1
        row = t._data.size // rows if rows else 0
        if splits is None:
            if rows % n:
                raise ValueError("all_to_all_single: dim 0 must divide evenly by the world size")
            return [rows // n * row] * n
        if len(splits) != n or sum(splits) != rows:
            raise ValueError("all_to_all_single: split sizes must have one entry per rank and "
                             "sum to the size of dim 0")
        return [int(s) * row for s in splits]
    send = np.ascontiguousarray(input._data, output._data.dtype).reshape(-1)
    out, back = _flat(output)
    return _alltoallv(pg, send, counts(input, input_split_sizes), out,
                      counts(output, output_split_sizes), "all_to_all_single",
                      _steps(back, _bump(output)), [output], async_op)


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank of the group has reached the barrier."""
    pg = _resolve(group)
    if pg is None:
        return None
    return Work([pg._comm.Ibarrier()], pg, "barrier")._run(async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    """A barrier that fails after ``timeout`` (the group's by default)."""
    pg = _resolve(group)
    if pg is None:
        return None
    Work([pg._comm.Ibarrier()], pg, "monitored_barrier").wait(timeout)


# --- point to point -----------------------------------------------------------------------
def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to ``dst`` without waiting; returns a Work."""
    _check(tensor)
    pg = _resolve(group)
    if pg is None:
        return None
    peer = _root(pg, dst, group_dst, "send")
    buf = np.ascontiguousarray(tensor._data).reshape(-1)
    work = Work([pg._comm.Isend(buf, dest=peer, tag=tag)], pg, "send", (), [tensor])
    work._keep = buf        # a copy (non-contiguous tensor) must outlive the send
    return work


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from ``src`` (any rank when None) without waiting."""
    _check(tensor)
    pg = _resolve(group)
    if pg is None:
        return None
    MPI = _mpi.MPI
    peer = MPI.ANY_SOURCE if src is None and group_src is None else _root(pg, src, group_src, "recv")
    buf, back = _flat(tensor)
    status = MPI.Status()
    req = pg._comm.Irecv(buf, source=peer, tag=tag)
    return Work([req], pg, "recv", _steps(back, _bump(tensor)), [tensor], status)


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to ``dst`` and wait until it has gone."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor``; returns the sender's global rank (-1 for a non-member)."""
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    return work.source_rank()


class P2POp:
    """One send or receive for ``batch_isend_irecv``: ``P2POp(dist.isend, tensor, peer)``."""

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv, send, recv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type ``torch.distributed."
                             "isend`` or ``torch.distributed.irecv``.")
        self.op = isend if op in (isend, send) else irecv
        self.tensor, self.peer, self.group, self.tag, self.group_peer = tensor, peer, group, tag, group_peer

    def __repr__(self):
        return f"P2POp(op={self.op.__name__}, peer={self.peer}, tag={self.tag})"


def batch_isend_irecv(p2p_op_list):
    """Post every send and receive of the list; returns their Works."""
    if not p2p_op_list or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise ValueError("Invalid ``p2p_op_list``. Each op is expected to to be of type "
                         "``torch.distributed.P2POp``.")
    works = []
    for p in p2p_op_list:
        if p.op is isend:
            works.append(isend(p.tensor, p.peer, p.group, p.tag, p.group_peer))
        else:
            works.append(irecv(p.tensor, p.peer, p.group, p.tag, p.group_peer))
    return works
