"""Benchmark workloads, written once against the PyTorch API.

Each ``setup_<name>(torch)`` receives the library under test (real ``torch``, or ``ember``
imported as torch), builds its model and data, and returns ``step``: a function of no
arguments that performs one iteration (a training step, a forward pass, one op chain).
``run.py`` times ``step`` in a fresh process per (workload, library, repetition).
"""
import math

# What each workload measures, in the order the table lists them.
TIMED = ["op_overhead", "tiny_mlp", "mlp", "cnn", "gpt", "lstm", "mlp_infer_b1"]

# How the library runs the workload: eager, with the model compiled (torch.compile(model)),
# or with the whole step compiled (torch.compile(step)); run.py sets it in the child.
MODE = {"compile": None}


def _model(torch, model):
    return torch.compile(model) if MODE["compile"] == "model" else model


def setup_op_overhead(torch):
    """14 small array ops forward + backward: what the Python layer costs per op."""
    a = torch.randn(16, 16, requires_grad=True)

    def chain(a):
        return ((a * 2 + 1).relu() - a.tanh()).sum()
    chain = _model(torch, chain)

    def step():
        y = chain(a)
        y.backward()
    return step


def _mlp(torch, sizes):
    nn = torch.nn
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _train_step(torch, model, opt, x, y):
    F = torch.nn.functional
    model = _model(torch, model)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return step


def setup_tiny_mlp(torch):
    """32-64-64-10 MLP, batch 32, SGD with momentum: bound by Python overhead."""
    model = _mlp(torch, [32, 64, 64, 10])
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return _train_step(torch, model, opt, torch.randn(32, 32), torch.randint(0, 10, (32,)))


def setup_mlp(torch):
    """784-256-256-10 MLP, batch 128, SGD with momentum: bound by BLAS."""
    model = _mlp(torch, [784, 256, 256, 10])
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return _train_step(torch, model, opt, torch.randn(128, 784), torch.randint(0, 10, (128,)))


def setup_mlp_infer_b1(torch):
    """Batch-1 inference of the mlp model under no_grad: latency."""
    model = _model(torch, _mlp(torch, [784, 256, 256, 10]).eval())
    x = torch.randn(1, 784)

    def step():
        with torch.no_grad():
            return model(x)
    return step


def setup_cnn(torch):
    """Two conv3x3(pad 1)+ReLU+maxpool2 blocks (1->16->32) on 28x28, linear to 10, batch 64, Adam."""
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return _train_step(torch, model, opt, torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,)))


def setup_gpt(torch):
    """A 2-layer character transformer (d=128, 4 heads, block 64, batch 16), AdamW."""
    nn, F = torch.nn, torch.nn.functional
    vocab, d, heads, block, batch = 65, 128, 4, 64, 16

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
            self.register_buffer("mask", torch.tril(torch.ones(block, block)).view(1, 1, block, block))

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
            q = q.view(B, T, heads, C // heads).transpose(1, 2)
            k = k.view(B, T, heads, C // heads).transpose(1, 2)
            v = v.view(B, T, heads, C // heads).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // heads))
            att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            x = x + self.proj(y)
            return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(block, d)
            self.blocks = nn.Sequential(Block(), Block())
            self.ln_f, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)

        def forward(self, idx):
            T = idx.shape[1]
            x = self.tok(idx) + self.pos(torch.arange(T))
            return self.head(self.ln_f(self.blocks(x)))

    model = GPT()
    cmodel = _model(torch, model)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": no_decay, "weight_decay": 0.0}], lr=3e-4)
    x = torch.randint(0, vocab, (batch, block))
    y = torch.randint(0, vocab, (batch, block))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(cmodel(x).view(-1, vocab), y.view(-1))
        loss.backward()
        opt.step()
    return step


def setup_lstm(torch):
    """Embedding(1000,64) -> LSTM(64,128) -> Linear over 35x20 tokens, SGD."""
    nn, F = torch.nn, torch.nn.functional

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb, self.rnn, self.out = nn.Embedding(1000, 64), nn.LSTM(64, 128), nn.Linear(128, 1000)

        def forward(self, x):
            h, _ = self.rnn(self.emb(x))
            return self.out(h)

    model = LM()
    cmodel = _model(torch, model)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randint(0, 1000, (35, 20))
    y = torch.randint(0, 1000, (35, 20))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(cmodel(x).view(-1, 1000), y.view(-1))
        loss.backward()
        opt.step()
    return step


def matmul_gflops(torch, seconds=1.0, n=1024):
    """GFLOP/s of an n x n float32 matmul through the library, and through NumPy in the same process."""
    import time

    import numpy as np
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n), dtype=np.float32)
    B = rng.standard_normal((n, n), dtype=np.float32)
    a, b = torch.from_numpy(A), torch.from_numpy(B)
    flop = 2.0 * n ** 3

    def rate(fn):
        fn()
        reps, t0 = 0, time.perf_counter()
        best = float("inf")
        while time.perf_counter() - t0 < seconds or reps < 3:
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
            reps += 1
        return flop / best / 1e9

    lib, ref = [], []
    for _ in range(3):                          # interleave the two inside the process too
        lib.append(rate(lambda: torch.mm(a, b)))
        ref.append(rate(lambda: A @ B))
    return max(lib), max(ref)


def mlp_rss(torch, steps=100):
    """Peak resident memory (MiB) of a process that imports the library and trains mlp 100 steps."""
    import resource
    step = setup_mlp(torch)
    for _ in range(steps):
        step()
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
