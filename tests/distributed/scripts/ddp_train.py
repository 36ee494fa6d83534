"""A plain PyTorch DDP program: runs under `torchrun`, `ember run --nproc-per-node 2`, and as
one process on the concatenated batch (no RANK in the environment), with the same numbers.

    python ddp_train.py OUT.npz [--shuffle] [--accumulate] [--tiny-buckets] [--hook]

Weights and data come from NumPy; rank 1 perturbs its weights before wrapping, so the
broadcast at construction matters. With --accumulate every other step runs under no_sync().
Rank 0 (or the single process) prints the losses and saves the final state_dict to OUT.npz.
"""
import os
import sys

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

out_path = sys.argv[1]
shuffle = "--shuffle" in sys.argv
accumulate = "--accumulate" in sys.argv
bucket_mb = 1e-4 if "--tiny-buckets" in sys.argv else None       # several small buckets
distributed = int(os.environ.get("RANK", -1)) != -1
WORLD, BATCH, EPOCHS = 2, 4, 2

rng = np.random.default_rng(0)
X = rng.standard_normal((40, 6)).astype(np.float32)
Y = (X @ rng.standard_normal((6, 2)) + 0.1).astype(np.float32)
data = TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))

model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 2))
init = np.random.default_rng(1)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(init.standard_normal(tuple(p.shape)).astype(np.float32) * 0.3))

if distributed:
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    assert dist.get_world_size() == WORLD
    if rank == 1:      # DDP must replace these with rank 0's weights
        with torch.no_grad():
            for p in model.parameters():
                p.add_(1.0)
    net = DDP(model) if bucket_mb is None else DDP(model, bucket_cap_mb=bucket_mb)
    if "--hook" in sys.argv:        # the built-in average, as a communication hook
        from torch.distributed.algorithms.ddp_comm_hooks import default_hooks
        net.register_comm_hook(None, default_hooks.allreduce_hook)
    samplers = [DistributedSampler(data, shuffle=shuffle, seed=3)]
else:
    rank = 0
    net = model
    samplers = [DistributedSampler(data, num_replicas=WORLD, rank=r, shuffle=shuffle, seed=3)
                for r in range(WORLD)]

opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.MSELoss()
step = 0
for epoch in range(EPOCHS):
    for s in samplers:
        s.set_epoch(epoch)
    loaders = [DataLoader(data, batch_size=BATCH, sampler=s) for s in samplers]
    for batches in zip(*loaders):
        x = torch.cat([b[0] for b in batches])
        y = torch.cat([b[1] for b in batches])
        sync = not accumulate or step % 2 == 1
        if distributed and not sync:
            with net.no_sync():
                loss = loss_fn(net(x), y)
                loss.backward()
        else:
            loss = loss_fn(net(x), y)
            loss.backward()
        if sync:
            opt.step()
            opt.zero_grad()
        report = loss.detach().clone()
        if distributed:
            dist.all_reduce(report)
            report /= WORLD
        if rank == 0:
            print(f"step {step} loss {report.item():.6f}")
        step += 1

if rank == 0:
    state = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    np.savez(out_path, **state)
    print("keys", " ".join(sorted(state)))
if distributed:
    dist.destroy_process_group()
