"""DistributedDataParallel: each rank trains a replica; gradients are averaged during backward.

At construction rank 0's parameters and buffers are broadcast to every rank. Gradients go
into buckets of about ``bucket_cap_mb`` (the first one 1 MB, as PyTorch), filled in reverse
order of ``parameters()`` (the order in which backward produces them). A post-accumulate-grad
hook on each parameter counts down the uses the forward made of it; when a bucket's
parameters are all ready its flat buffer is all-reduced without waiting (buckets start in
one order on every rank, as MPI requires), and the last one waits for all and writes the
averages back into ``.grad``. ``no_sync()`` skips that, so gradients accumulate locally.
"""
import contextlib

import numpy as np

from ..._tensor import _wrap
from ...autograd.grad_mode import is_grad_enabled
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1024 * 1024
_BROADCAST_BYTES = 250 * 1024 * 1024


def _dist():
    from ... import distributed
    return distributed


def _tensors_in(obj, out):
    """Every tensor inside a forward's output (tensors, lists, tuples, dicts, dataclasses)."""
    from ..._tensor import Tensor
    if isinstance(obj, Tensor):
        out.append(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _tensors_in(o, out)
    elif isinstance(obj, dict):
        for o in obj.values():
            _tensors_in(o, out)
    elif hasattr(obj, "__dataclass_fields__"):
        for name in obj.__dataclass_fields__:
            _tensors_in(getattr(obj, name), out)
    return out


def _leaf_uses(outputs):
    """How many gradient edges reach each leaf (by id) from these outputs' graph."""
    uses, seen, stack = {}, set(), []
    for t in outputs:
        if t.grad_fn is not None:
            if t.grad_fn not in seen:
                seen.add(t.grad_fn)
                stack.append(t.grad_fn)
        elif t.requires_grad:
            uses[id(t)] = uses.get(id(t), 0) + 1
    while stack:
        node = stack.pop()
        for e in node._edges:
            if e is None:
                continue
            m, nr = e
            if nr < 0:
                uses[id(m)] = uses.get(id(m), 0) + 1
            elif m not in seen:
                seen.add(m)
                stack.append(m)
    return uses


def _broadcast_coalesced(pg, tensors, src_rank=0):
    """Broadcast tensors from group rank ``src_rank`` in a few flat buffers (one per dtype)."""
    from ...distributed._work import Work
    groups = {}
    for t in tensors:
        groups.setdefault(t._data.dtype, []).append(t)
    for dtype, ts in groups.items():
        chunk, size = [], 0
        for t in ts + [None]:
            if t is not None and (size + t._data.nbytes <= _BROADCAST_BYTES or not chunk):
                chunk.append(t)
                size += t._data.nbytes
                continue
            if chunk:
                buf = np.concatenate([c._data.reshape(-1) for c in chunk])
                Work([pg._comm.Ibcast(buf, root=src_rank)], pg, "broadcast (DDP)").wait()
                off = 0
                for c in chunk:
                    n = c._data.size
                    np.copyto(c._data, buf[off:off + n].reshape(c._data.shape))
                    c._vbox[0] += 1
                    off += n
            chunk, size = ([t], t._data.nbytes) if t is not None else ([], 0)


class _Bucket:
    __slots__ = ("index", "members", "slots", "buf")

    def __init__(self, index, members, params):
        self.index = index
        self.members = members                  # parameter indices
        self.slots, off = [], 0
        for i in members:
            n = params[i]._data.size
            self.slots.append((params[i], off, n))
            off += n
        self.buf = np.empty(off, params[members[0]]._data.dtype)


class GradBucket:
    """What a DDP communication hook gets: one bucket's flat gradient buffer and its
    parameters (``hook(state, bucket) -> future`` of the reduced buffer)."""

    def __init__(self, bucket, last):
        self._bucket = bucket
        self._last = last
        self._buffer = _wrap(bucket.buf)

    def index(self):
        return self._bucket.index

    def buffer(self):
        return self._buffer

    def set_buffer(self, tensor):
        np.copyto(self._bucket.buf, tensor._data.reshape(-1))

    def gradients(self):
        return [_wrap(self._bucket.buf[off:off + k].reshape(p._data.shape))
                for p, off, k in self._bucket.slots]

    def parameters(self):
        return [p for p, _, _ in self._bucket.slots]

    def is_last(self):
        return self._last


class _Reducer:
    """Bucketed, ordered all-reduce of gradients as backward produces them."""

    def __init__(self, params, pg, bucket_bytes, as_view=False, static_graph=False):
        self.params = params
        self.pg = pg
        self.as_view = as_view
        self.static_graph = static_graph
        self.static_counts = None
        self.buckets = self._assign(bucket_bytes)
        self.bucket_of = [0] * len(params)
        for b in self.buckets:
            for i in b.members:
                self.bucket_of[i] = b.index
        self.armed = False
        self.started = False
        self.comm_hook = None           # (state, hook) from register_comm_hook
        self.reduced = False            # this backward's buckets are reduced (until a forward)
        self.extra = {}                 # param index -> gradient that arrived after its bucket left
        self.handles = [p.register_post_accumulate_grad_hook(self._hook(i))
                        for i, p in enumerate(params)]
        self.handles += [p.register_hook(self._early(i)) for i, p in enumerate(params)]

    def _assign(self, cap):
        buckets, open_ = [], {}          # open_: dtype -> (members, bytes)
        limit = {}
        for i in reversed(range(len(self.params))):
            p = self.params[i]
            dt = p._data.dtype
            members, size = open_.get(dt, ([], 0))
            members.append(i)
            size += p._data.nbytes
            if size >= limit.get(dt, min(_FIRST_BUCKET_BYTES, cap)):
                buckets.append(members)
                limit[dt] = cap
                members, size = [], 0
            open_[dt] = (members, size)
        buckets += [m for m, _ in open_.values() if m]
        return [_Bucket(k, m, self.params) for k, m in enumerate(buckets)]

    def _hook(self, i):
        def hook(param):
            if self.armed:
                self._ready(i)
            elif self.reduced and i in self.extra:
                self._correct([i])
        return hook

    def _early(self, i):
        # NOTE: the forward's graph tells how many gradients each parameter gets; one that
        # arrives after its bucket was sent (a second forward before this backward, a term
        # of the loss computed outside the module) is kept aside instead of accumulated, and
        # averaged on its own once the buckets are done (_correct), so .grad still ends up
        # the average of everything backward produced, as in PyTorch.
        def hook(grad):
            late = (self.armed and self.bucket_of[i] < self.next) or (not self.armed and self.reduced)
            if not late:
                return None
            held = self.extra.get(i)
            self.extra[i] = grad._data.copy() if held is None else held + grad._data
            return _wrap(np.zeros_like(grad._data))
        return hook

    def _correct(self, indices):
        from ...distributed._work import _wait
        MPI = _dist()._mpi.MPI
        for i in indices:
            extra = self.extra.pop(i)
            np.divide(extra, self.pg._size, out=extra)
            _wait([self.pg._comm.Iallreduce(MPI.IN_PLACE, extra.reshape(-1), op=MPI.SUM)],
                  self.pg, "all_reduce of a late gradient (DDP)")
            p = self.params[i]
            if p.grad is None:
                p.grad = _wrap(extra)
            else:
                np.add(p.grad._data, extra, out=p.grad._data)
                p.grad._vbox[0] += 1

    def prepare(self, outputs):
        """Arm for the backward of this forward's outputs."""
        if self.armed and self.started:
            self.armed = False
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a "
                "new one. This error indicates that your module has parameters that were not "
                "used in producing loss. You can enable unused parameter detection by passing "
                "the keyword argument `find_unused_parameters=True` to "
                "`torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` "
                "function outputs participate in calculating loss.")
        if self.static_counts is not None:
            self.pending = list(self.static_counts)
        else:
            uses = _leaf_uses(outputs)
            self.pending = [uses.get(id(p), 0) for p in self.params]
            if self.static_graph:       # the same graph every iteration: count once
                self.static_counts = tuple(self.pending)
        self.left = [sum(1 for i in b.members if self.pending[i] > 0) for b in self.buckets]
        self.next = 0
        self.inflight = []
        self.started = False
        self.reduced = False
        self.extra = {}
        self.armed = True

    def disarm(self):
        self.armed = False
        self.reduced = False
        self.extra = {}

    def _ready(self, i):
        c = self.pending[i] - 1
        self.pending[i] = c
        if c != 0:
            return
        self.started = True
        b = self.bucket_of[i]
        self.left[b] -= 1
        if self.left[b] == 0:
            self._launch_ready()
        elif self.inflight and self.comm_hook is None:
            self.inflight[0][1].Test()      # let MPI move the buckets already posted

    def _launch_ready(self):
        MPI = _dist()._mpi.MPI
        n = self.pg._size
        while self.next < len(self.buckets) and self.left[self.next] == 0:
            b = self.buckets[self.next]
            buf = b.buf
            # NOTE: divided by the world size on the way in (one pass over the gradients,
            # in place when .grad is already a view of the bucket), before the sum, as
            # PyTorch does, so that both round alike.
            hook = self.comm_hook
            for p, off, k in b.slots:
                g = p.grad
                if g is None:
                    buf[off:off + k] = 0
                elif hook is None:
                    np.divide(g._data.reshape(-1), n, out=buf[off:off + k])
                else:
                    buf[off:off + k] = g._data.reshape(-1)
            if hook is None:
                req = self.pg._comm.Iallreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
            else:       # register_comm_hook: the hook reduces, and returns a future
                req = hook[1](hook[0], GradBucket(b, self.next == len(self.buckets) - 1))
            self.inflight.append((b, req))
            self.next += 1
        if self.next == len(self.buckets):
            self._finish()

    def _finish(self):
        from ...distributed._work import Work
        self.armed = False
        if self.comm_hook is None:
            Work([r for _, r in self.inflight], self.pg, "all_reduce of gradients (DDP)").wait()
        else:
            for b, fut in self.inflight:
                out = fut.wait()
                out = out[0] if isinstance(out, (list, tuple)) else out
                if out._data is not b.buf:
                    np.copyto(b.buf, out._data.reshape(-1))
        for b, _ in self.inflight:
            for p, off, k in b.slots:
                avg = b.buf[off:off + k]
                g = p.grad
                if g is None:
                    # A parameter unused here keeps no gradient if no rank used it.
                    if avg.any():
                        avg = avg.reshape(p._data.shape)
                        p.grad = _wrap(avg if self.as_view else avg.copy())
                    continue
                if self.as_view:
                    # gradient_as_bucket_view: .grad becomes a view of the bucket, so the next
                    # backward accumulates in place and nothing is copied back.
                    if g._data.base is not b.buf:
                        p.grad = _wrap(avg.reshape(p._data.shape))
                        continue
                else:
                    # NOTE: a ufunc, not np.copyto: with MPI loaded, copyto from the bucket
                    # into .grad measured ten times slower (330 vs 32 us for the mlp's 1 MB).
                    np.multiply(avg.reshape(g._data.shape), 1, out=g._data)
                g._vbox[0] += 1
        self.inflight = []
        self.reduced = True
        if self.extra:
            self._correct(sorted(self.extra))

    def remove(self):
        for h in self.handles:
            h.remove()


class DistributedDataParallel(Module):
    """Data parallelism across the ranks of a process group.

        dist.init_process_group("gloo")
        model = DistributedDataParallel(nn.Linear(10, 1))
        loss = model(x).pow(2).mean()
        loss.backward()            # .grad now holds the average over ranks

    The wrapped model is ``model.module``; state_dict keys carry the ``module.`` prefix.
    ``device_ids``/``output_device`` are accepted for compatibility (CPU only).
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 init_sync=True, process_group=None, bucket_cap_mb=None,
                 find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None, skip_all_reduce_unused_params=False):
        super().__init__()
        dist = _dist()
        pg = dist._group._resolve(process_group)
        if pg is None:
            raise ValueError("DistributedDataParallel: this rank is not in the process group")
        params = [p for p in dict.fromkeys(module.parameters()) if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have "
                               "any parameter that requires a gradient.")
        self.module = module
        self.process_group = pg
        self.device_ids = list(device_ids) if device_ids else None
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        if init_sync:
            _broadcast_coalesced(pg, list(module.parameters()) + list(module.buffers()))
        self.reducer = _Reducer(params, pg, self.bucket_bytes_cap, gradient_as_bucket_view,
                                static_graph)

    def forward(self, *inputs, **kwargs):
        if self.require_forward_param_sync and self.broadcast_buffers:
            buffers = list(self.module.buffers())
            if buffers:
                _broadcast_coalesced(self.process_group, buffers)
        out = self.module(*inputs, **kwargs)
        if is_grad_enabled() and self.require_backward_grad_sync:
            self.reducer.prepare(_tensors_in(out, []))
        else:
            self.reducer.disarm()
        return out

    @contextlib.contextmanager
    def no_sync(self):
        """Inside, forward+backward accumulate gradients locally (no all-reduce); the first
        backward after it averages the accumulated gradients.

            with ddp.no_sync():
                ddp(x1).sum().backward()      # local only
            ddp(x2).sum().backward()          # averages x1's and x2's gradients
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def _set_static_graph(self):
        self.static_graph = self.reducer.static_graph = True

    def register_comm_hook(self, state, hook):
        """``hook(state, bucket)`` reduces each bucket instead of the built-in average and
        returns a future whose value is the reduced flat tensor, e.g. with
        ``torch.distributed.algorithms.ddp_comm_hooks.default_hooks.allreduce_hook``."""
        if not callable(hook):
            raise TypeError("Communication hook must be callable.")
        if self.reducer.comm_hook is not None:
            raise RuntimeError("register_comm_hook or register_builtin_comm_hook can only be "
                               "called once.")
        self.reducer.comm_hook = (state, hook)

    def join(self, divide_by_initial_world_size=True, enable=True, throw_on_early_termination=False):
        if enable:
            raise NotImplementedError("DistributedDataParallel.join (uneven inputs) is not "
                                      "implemented in ember")
        return contextlib.nullcontext()
