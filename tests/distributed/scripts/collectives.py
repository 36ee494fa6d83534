"""Every collective on 2+ ranks, checked against NumPy on each rank; prints "ok NAME" lines.

Run with `ember run --nproc-per-node 2 collectives.py`. Each rank's input is a function of its
rank, so each rank can compute every expected result itself.
"""
import sys

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DistributedSampler

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and dist.get_backend() == "mpi"


def data(r, shape=(2, 3), dtype=np.float32):
    return (np.arange(np.prod(shape)).reshape(shape) + 10 * r + 1).astype(dtype)


def check(name, got, want):
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6, err_msg=name)
    print(f"ok {name}")


everyone = [data(r) for r in range(world)]
reductions = {dist.ReduceOp.SUM: np.sum, dist.ReduceOp.PRODUCT: np.prod,
              dist.ReduceOp.MIN: np.min, dist.ReduceOp.MAX: np.max, dist.ReduceOp.AVG: np.mean}
for op, f in reductions.items():
    t = torch.from_numpy(data(rank))
    dist.all_reduce(t, op=op)
    check(f"all_reduce {op.name}", t.numpy(), f(np.stack(everyone), axis=0))

t = torch.from_numpy(data(rank, dtype=np.int64))
work = dist.all_reduce(t, async_op=True)
assert work.wait() is True and work.is_completed()
check("all_reduce async int64", t.numpy(), np.sum([data(r, dtype=np.int64) for r in range(world)], 0))

base = torch.from_numpy(data(rank, (4, 3)))
view = base.t()                         # not contiguous: the result must land in base
dist.all_reduce(view)
check("all_reduce view", base.numpy(), np.sum([data(r, (4, 3)) for r in range(world)], 0))

t = torch.from_numpy(data(rank))
dist.broadcast(t, src=world - 1)
check("broadcast", t.numpy(), everyone[-1])

t = torch.from_numpy(data(rank))
dist.reduce(t, dst=0, op=dist.ReduceOp.MAX)
check("reduce", t.numpy(), np.max(everyone, 0) if rank == 0 else data(rank))

outs = [torch.zeros(2, 3) for _ in range(world)]
dist.all_gather(outs, torch.from_numpy(data(rank)))
check("all_gather", np.stack([o.numpy() for o in outs]), np.stack(everyone))

out = torch.zeros(world * 2, 3)
dist.all_gather_into_tensor(out, torch.from_numpy(data(rank)))
check("all_gather_into_tensor", out.numpy(), np.concatenate(everyone))

big = [data(r, (world * 2, 3)) for r in range(world)]
out = torch.zeros(2, 3)
dist.reduce_scatter_tensor(out, torch.from_numpy(big[rank]))
check("reduce_scatter_tensor", out.numpy(), np.sum(big, 0)[2 * rank:2 * rank + 2])

out = torch.zeros(2, 3)
dist.reduce_scatter(out, [torch.from_numpy(b) for b in np.split(big[rank], world)])
check("reduce_scatter", out.numpy(), np.sum(big, 0)[2 * rank:2 * rank + 2])

gl = [torch.zeros(2, 3) for _ in range(world)] if rank == 0 else None
dist.gather(torch.from_numpy(data(rank)), gl, dst=0)
if rank == 0:
    check("gather", np.stack([g.numpy() for g in gl]), np.stack(everyone))

t = torch.zeros(2, 3)
dist.scatter(t, [torch.from_numpy(data(r) * 2) for r in range(world)] if rank == 0 else None, src=0)
check("scatter", t.numpy(), data(rank) * 2)

ins = [torch.full((r + 1,), float(10 * rank + r)) for r in range(world)]
outs = [torch.zeros(rank + 1) for _ in range(world)]
dist.all_to_all(outs, ins)
check("all_to_all", np.concatenate([o.numpy() for o in outs]),
      np.concatenate([np.full(rank + 1, 10 * s + rank) for s in range(world)]))

x = torch.arange(world * 2, dtype=torch.float32) + 100 * rank
y = torch.zeros(world * 2)
dist.all_to_all_single(y, x)
check("all_to_all_single", y.numpy(),
      np.concatenate([np.arange(world * 2)[2 * rank:2 * rank + 2] + 100 * s for s in range(world)]))

peer = (rank + 1) % world
src = (rank - 1) % world
send = torch.from_numpy(data(rank))
recv = torch.zeros(2, 3)
works = dist.batch_isend_irecv([dist.P2POp(dist.isend, send, peer), dist.P2POp(dist.irecv, recv, src)])
for w in works:
    w.wait()
check("isend/irecv ring", recv.numpy(), data(src))

if rank == 0:
    dist.send(torch.from_numpy(data(0)), dst=1, tag=7)
elif rank == 1:
    t = torch.zeros(2, 3)
    sender = dist.recv(t, tag=7)
    assert sender == 0
    check("send/recv", t.numpy(), data(0))

dist.barrier()
objs = [{"rank": rank, "name": "x" * rank}] if rank == 0 else [None]
dist.broadcast_object_list(objs, src=0)
assert objs[0] == {"rank": 0, "name": ""}
gathered = [None] * world
dist.all_gather_object(gathered, ("r", rank))
assert gathered == [("r", r) for r in range(world)]
out = [None] * world if rank == 0 else None
dist.gather_object({"r": rank}, out, dst=0)
assert rank != 0 or out == [{"r": r} for r in range(world)]
got = [None]
dist.scatter_object_list(got, [f"for {r}" for r in range(world)] if rank == 0 else None, src=0)
assert got == [f"for {rank}"]
if rank == 0:
    dist.send_object_list([{"a": 1}, [2, 3]], dst=1)
elif rank == 1:
    objs = [None, None]
    assert dist.recv_object_list(objs) == 0 and objs == [{"a": 1}, [2, 3]]
print("ok objects")

evens = dist.new_group([r for r in range(world) if r % 2 == 0])
if rank % 2 == 0:
    t = torch.ones(1)
    dist.all_reduce(t, group=evens)
    assert t.item() == len(range(0, world, 2)) and dist.get_rank(evens) == rank // 2
else:
    assert evens == dist.GroupMember.NON_GROUP_MEMBER and dist.get_rank(evens) == -1
cur, subs = dist.new_subgroups(group_size=1)
assert len(subs) == world and dist.get_rank(cur) == 0 and dist.get_world_size(cur) == 1
out = torch.zeros(world * 2, 3)
dist.all_gather_single(out, torch.from_numpy(data(rank)))
assert np.array_equal(out.numpy(), np.concatenate(everyone))
print("ok new_group")

# DDP: rank 0's parameters and buffers everywhere after construction.
torch.manual_seed(rank)
net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
with torch.no_grad():
    net[1].running_mean.fill_(float(rank))
ddp = DDP(net)
for name, v in ddp.state_dict().items():
    assert name.startswith("module."), name
    mine = v.detach().clone().float()
    ref = mine.clone()
    dist.broadcast(ref, src=0)
    assert torch.equal(mine, ref), name
print("ok ddp broadcast")

# DistributedSampler: the shards partition the dataset (padded to equal length).
for n, shuffle, drop_last in [(10, True, False), (11, True, False), (11, False, True)]:
    s = DistributedSampler(range(n), shuffle=shuffle, drop_last=drop_last, seed=5)
    s.set_epoch(1)
    shards = [None] * world
    dist.all_gather_object(shards, list(s))
    flat = sum(shards, [])
    assert len(set(len(x) for x in shards)) == 1
    if drop_last:
        assert len(set(flat)) == len(flat) == n - n % world
    else:
        assert set(flat) == set(range(n)) and len(flat) == -(-n // world) * world
    s.set_epoch(2)
    assert not shuffle or list(s) != shards[rank] or n < 3
print("ok sampler")

dist.destroy_process_group()
assert not dist.is_initialized()
print("ok done", file=sys.stderr)
