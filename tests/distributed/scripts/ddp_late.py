"""Gradients that the forward's graph does not announce: two forwards before one backward
(a siamese loss) and a penalty on the weights computed outside the module. 2 ranks (half
the batch each) must match one process on the whole batch.

    python ddp_late.py [--buckets]
"""
import os
import sys

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP

distributed = int(os.environ.get("RANK", -1)) != -1
rng = np.random.default_rng(0)
A = torch.from_numpy(rng.standard_normal((8, 5)).astype(np.float32))
B = torch.from_numpy(rng.standard_normal((8, 5)).astype(np.float32))
net = nn.Sequential(nn.Linear(5, 6), nn.Tanh(), nn.Linear(6, 3))
init = np.random.default_rng(1)
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.from_numpy(init.standard_normal(tuple(p.shape)).astype(np.float32) * 0.5))
if distributed:
    dist.init_process_group("gloo")
    r = dist.get_rank()
    model = DDP(net, bucket_cap_mb=1e-4 if "--buckets" in sys.argv else None)
    a, b = A[r * 4:(r + 1) * 4], B[r * 4:(r + 1) * 4]
else:
    r, model, a, b = 0, net, A, B
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(3):
    opt.zero_grad()
    za, zb = model(a), model(b)                      # two forwards, one backward
    loss = (za - zb).pow(2).mean() + za.pow(2).mean()
    loss = loss + 0.1 * net[0].weight.pow(2).sum()   # a penalty outside the module
    loss.backward()
    opt.step()
if r == 0:
    print(" ".join(f"{p.detach().double().sum().item():.6f}" for p in net.parameters()))
