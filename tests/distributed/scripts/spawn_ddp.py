"""PyTorch's DDP tutorial pattern: no launcher; mp.spawn starts the ranks, which meet through
MASTER_ADDR/MASTER_PORT and init_process_group(rank=..., world_size=...).

    python spawn_ddp.py PORT [fail]
"""
import os
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP


def worker(rank, world_size, port, fail):
    os.environ["MASTER_ADDR"] = "localhost"
    os.environ["MASTER_PORT"] = port
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    if fail and rank == 1:
        raise RuntimeError("worker 1 fails on purpose")
    model = nn.Linear(3, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(float(rank + 1))       # rank 0's weights win at construction
    ddp = DDP(model)
    x = torch.full((2, 3), float(rank + 1))
    ddp(x).sum().backward()                       # grads: rank 0 has 2s, rank 1 has 4s
    total = torch.tensor([float(rank)])
    dist.all_reduce(total)
    if rank == 0:
        print("weight", model.weight.tolist(), "grad", model.weight.grad.tolist(),
              "sum", total.item(), "world", dist.get_world_size(), "lib", torch.__name__)
    dist.destroy_process_group()


if __name__ == "__main__":
    mp.spawn(worker, args=(2, sys.argv[1], "fail" in sys.argv), nprocs=2, join=True)
    print("all done")
