"""DDP with a weight used twice in forward, a parameter forward never uses, and BatchNorm
buffers: 2 ranks (half the batch each) must match one process on the whole batch."""
import os

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Linear(4, 4, bias=False)
        self.mid = nn.Linear(4, 4)
        self.unused = nn.Linear(4, 4)
        self.bn = nn.BatchNorm1d(4)
    def forward(self, x):
        h = torch.tanh(self.emb(x))
        h = self.bn(self.mid(h))
        return h @ self.emb.weight      # tied: emb.weight used twice


distributed = int(os.environ.get("RANK", -1)) != -1
rng = np.random.default_rng(0)
X = rng.standard_normal((16, 4)).astype(np.float32)
net = Net()
init = np.random.default_rng(1)
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.from_numpy(init.standard_normal(tuple(p.shape)).astype(np.float32) * 0.5))
if distributed:
    dist.init_process_group("gloo")
    r = dist.get_rank()
    model = DDP(net, find_unused_parameters=True)
    xs = [torch.from_numpy(X[r * 8:(r + 1) * 8])]
else:
    r = 0
    model = net
    xs = [torch.from_numpy(X)]
net.eval()   # BN in eval: running stats, identical across batch splits
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(4):
    opt.zero_grad()
    loss = model(xs[0]).pow(2).mean()
    loss.backward()
    opt.step()
if r == 0:
    params = dict(net.named_parameters())
    for k, v in net.state_dict().items():
        no_grad = params[k].grad is None if k in params else None
        print(k, f"{v.double().sum().item():.6f}", "no grad" if no_grad else "")
