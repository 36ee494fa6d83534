"""Graphs drawn by the real torchviz in both libraries (imported by tests/utils/test_torchviz.py).

Each case takes the library (``torch`` or ember) and returns ``(output, params)``. Run as a script
under ``ember run`` it prints ember's drawings as JSON: torchviz does ``import torch``, which
``ember run`` resolves to ember.
"""
import json
import re
import sys

import numpy as np


def _x(torch, *shape, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def mlp(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))
    loss = nn.functional.mse_loss(model(_x(torch, 5, 4)), _x(torch, 5, 3, seed=1))
    return loss, dict(model.named_parameters())


def mlp_output(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 2))
    return model(_x(torch, 3, 4)), dict(model.named_parameters())


def cnn(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4 * 4 * 4, 10))
    logits = model(_x(torch, 2, 1, 8, 8))
    loss = nn.functional.cross_entropy(logits, torch.tensor([3, 7]))
    return loss, dict(model.named_parameters())


def rnn(torch):
    nn = torch.nn
    model = nn.RNN(3, 5)
    out, h = model(_x(torch, 4, 2, 3))
    return out.sum(), dict(model.named_parameters())


def custom_function(torch):
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * x ** 2

    class ScaledMul(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, scale):
            ctx.scale = scale
            out = a * b * scale
            ctx.save_for_backward(a, b, out)
            return out

        @staticmethod
        def backward(ctx, g):
            a, b, _ = ctx.saved_tensors
            return g * b * ctx.scale, g * a * ctx.scale, None

    w = torch.nn.Parameter(_x(torch, 3))
    v = torch.nn.Parameter(_x(torch, 3, seed=1))
    y = ScaledMul.apply(Cube.apply(w), v, 2.0).mean()
    return y, {"w": w, "v": v}


# --- single ops and other layers ---------------------------------------------------------
def _p(torch, *shape, seed=0):
    return torch.nn.Parameter(_x(torch, *shape, seed=seed))


def ops_arith(torch):
    a, b = _p(torch, 3, 4), _p(torch, 3, 4, seed=1)
    y = ((a * b + a) / (b - 2.0) - a * 3.0 + 1.0) ** 2
    return y.sum(), {"a": a, "b": b}


def ops_unary(torch):
    a = _p(torch, 3, 4)
    y = a.exp() + a.sin() + a.cos() + a.abs().log() * a.sigmoid() + a.tanh()
    return y.mean(), {"a": a}


def ops_reduce(torch):
    a = _p(torch, 3, 4)
    return a.sum(1).mean(0, keepdim=True).sum() + a.max() + a.mean(dim=0).sum(), {"a": a}


def ops_matmul(torch):
    a, b = _p(torch, 3, 4), _p(torch, 4, 5, seed=1)
    return (a @ b).sum(), {"a": a, "b": b}


def ops_index(torch):
    a = _p(torch, 4, 5)
    return a[1].sum() + a[:, 1:3].sum() + a[0, 2], {"a": a}


def ops_cat(torch):
    a, b = _p(torch, 2, 3), _p(torch, 2, 3, seed=1)
    return torch.cat([a, b], 0).sum() + torch.stack([a, b], 1).sum(), {"a": a, "b": b}


def softmax_nll(torch):
    a = _p(torch, 4, 5)
    F = torch.nn.functional
    return F.nll_loss(F.log_softmax(a, dim=1), torch.tensor([0, 1, 2, 3])) + F.softmax(a, 1).sum(), {"a": a}


def dropout(torch):
    nn = torch.nn
    m = nn.Sequential(nn.Linear(4, 6), nn.Dropout(0.5), nn.Linear(6, 2))
    return m(_x(torch, 5, 4)).sum(), dict(m.named_parameters())


def cnn_avg(torch):
    nn = torch.nn
    m = nn.Sequential(nn.Conv2d(1, 2, 3, bias=False), nn.AvgPool2d(2), nn.MaxPool2d(2, stride=1), nn.Flatten(),
                      nn.Linear(8, 2, bias=False))
    return m(_x(torch, 2, 1, 8, 8)).sum(), dict(m.named_parameters())


def layernorm_gelu(torch):
    nn = torch.nn
    m = nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.GELU(), nn.Linear(6, 2))
    return m(_x(torch, 5, 4)).sum(), dict(m.named_parameters())


def linear3d(torch):
    nn = torch.nn
    m = nn.Linear(4, 3)
    return m(_x(torch, 2, 5, 4)).sum(), dict(m.named_parameters())


def embedding(torch):
    nn = torch.nn
    m = nn.Embedding(10, 4)
    return m(torch.tensor([[1, 2], [3, 4]])).sum(), dict(m.named_parameters())


def rnn_2layer(torch):
    m = torch.nn.RNN(3, 4, num_layers=2)
    out, h = m(_x(torch, 3, 2, 3))
    return out[-1].sum(), dict(m.named_parameters())


def mse_sum(torch):
    m = torch.nn.Linear(3, 1)
    loss = torch.nn.functional.mse_loss(m(_x(torch, 4, 3)), _x(torch, 4, 1, seed=2), reduction="sum")
    return loss, dict(m.named_parameters())


def bce(torch):
    m = torch.nn.Linear(3, 1)
    F = torch.nn.functional
    y = torch.ones(4, 1)
    loss = F.binary_cross_entropy_with_logits(m(_x(torch, 4, 3)), y) + \
        F.binary_cross_entropy(torch.sigmoid(m(_x(torch, 4, 3))), y)
    return loss, dict(m.named_parameters())


def view_output(torch):
    a = _p(torch, 3, 4)
    return (a * 2)[0], {"a": a}


def leaky_relu_etc(torch):
    a = _p(torch, 3, 4)
    F = torch.nn.functional
    y = F.leaky_relu(a, 0.1) + F.elu(a) + F.softplus(a) + F.relu6(a) + F.silu(a) + F.hardtanh(a)
    return y.sum(), {"a": a}


def lstm(torch):
    m = torch.nn.LSTM(3, 4)
    out, (h, c) = m(_x(torch, 3, 2, 3))
    return out.sum(), dict(m.named_parameters())


def lstm_2layer(torch):
    m = torch.nn.LSTM(3, 4, num_layers=2)
    out, (h, c) = m(_x(torch, 3, 2, 3))
    return out.sum(), dict(m.named_parameters())

def course_loop(torch):
    """The course's `while (A < B)[0]` loop: the dynamic graph it unrolls into."""
    A = torch.tensor([0.0], requires_grad=True)
    B = torch.tensor([10.0], requires_grad=True)
    a, b = A, B
    while (a < b)[0]:
        a = a + 2
        b = b + 1
    return a + b, {"A": A, "B": B}


def neg_rsub(torch):
    a = _p(torch, 3)
    return (-a + (2.0 - a) + 1.0 / a.exp()).sum(), {"a": a}


def clamp_where(torch):
    a = _p(torch, 3, 4)
    return (a.clamp(-0.5, 0.5) + torch.where(a > 0, a, a * 2)).sum(), {"a": a}


def pow_tensor(torch):
    a, b = _p(torch, 3), _p(torch, 3, seed=1)
    return (a.abs() ** b).sum() + (a ** 3).sum() + a.pow(0.5).sum(), {"a": a, "b": b}


def linear_nobias(torch):
    m = torch.nn.Linear(3, 2, bias=False)
    return m(_x(torch, 4, 3)).sum(), dict(m.named_parameters())


def mlp_root(torch):
    m = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2))
    return m(_x(torch, 4, 3)), dict(m.named_parameters())


def conv_stride(torch):
    m = torch.nn.Conv2d(2, 3, 3, stride=2, padding=1, dilation=1, groups=1)
    return m(_x(torch, 1, 2, 7, 7)).mean(), dict(m.named_parameters())


def log_softmax_ce_sum(torch):
    m = torch.nn.Linear(3, 4)
    loss = torch.nn.functional.cross_entropy(m(_x(torch, 5, 3)), torch.tensor([0, 1, 2, 3, 0]), reduction="sum")
    return loss, dict(m.named_parameters())


def sigmoid_bce(torch):
    m = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Sigmoid())
    return torch.nn.BCELoss()(m(_x(torch, 4, 3)), torch.ones(4, 1)), dict(m.named_parameters())


def attention(torch):
    # NOTE: dims written as positive numbers: ember keeps dims normalised, PyTorch as written.
    q, k, v = _p(torch, 2, 2, 3, 4), _p(torch, 2, 2, 3, 4, seed=1), _p(torch, 2, 2, 3, 4, seed=2)
    att = torch.softmax(q @ k.transpose(2, 3) / 2.0, dim=3)
    return (att @ v).sum(), {"q": q, "k": k, "v": v}


def bmm_one_grad(torch):
    q = _p(torch, 2, 3, 4)
    return (q @ _x(torch, 2, 4, 5)).sum(), {"q": q}


def conv1d(torch):
    m = torch.nn.Sequential(torch.nn.Conv1d(2, 3, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool1d(2))
    return m(_x(torch, 2, 2, 6)).sum(), dict(m.named_parameters())


def gru(torch):
    m = torch.nn.GRU(3, 4)
    out, h = m(_x(torch, 2, 2, 3))
    return out.sum(), dict(m.named_parameters())


def gru_2layer_nobias(torch):
    m = torch.nn.GRU(3, 4, num_layers=2, bias=False)
    out, h = m(_x(torch, 3, 2, 3))
    return out.sum(), dict(m.named_parameters())


def rnn_relu_nobias(torch):
    m = torch.nn.RNN(3, 4, nonlinearity="relu", bias=False)
    out, h = m(_x(torch, 3, 2, 3))
    return out.sum(), dict(m.named_parameters())


def ops_shape(torch):
    a = _p(torch, 2, 3, 4)
    y = a.view(6, 4).t().reshape(4, 2, 3).permute(2, 0, 1).transpose(0, 1).flatten()
    return y.sum(), {"a": a}

def minmax(torch):
    a = _p(torch, 3, 4)
    return a.min() + a.max() + a.amax(1).sum() + a.amin(dim=0, keepdim=True).sum(), {"a": a}


def vae(torch):
    nn, F = torch.nn, torch.nn.functional
    enc, mu_l, lv_l, dec = nn.Linear(6, 4), nn.Linear(4, 2), nn.Linear(4, 2), nn.Linear(2, 6)
    x = torch.sigmoid(_x(torch, 3, 6))
    h = F.relu(enc(x))
    mu, logvar = mu_l(h), lv_l(h)
    z = mu + torch.exp(0.5 * logvar) * _x(torch, 3, 2, seed=5)
    rec = torch.sigmoid(dec(z))
    bce = F.binary_cross_entropy(rec, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    ps = {}
    for n, m in (("enc", enc), ("mu", mu_l), ("lv", lv_l), ("dec", dec)):
        ps.update({n + "." + k: v for k, v in m.named_parameters()})
    return bce + kld, ps


def gan_step(torch):
    nn = torch.nn
    G = nn.Sequential(nn.Linear(2, 4), nn.LeakyReLU(0.2), nn.Linear(4, 3), nn.Tanh())
    D = nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(0.2), nn.Linear(4, 1), nn.Sigmoid())
    out = D(G(_x(torch, 5, 2)))
    loss = nn.BCELoss()(out, torch.ones(5, 1))
    ps = {"G." + k: v for k, v in G.named_parameters()}
    ps.update({"D." + k: v for k, v in D.named_parameters()})
    return loss, ps


def char_rnn(torch):
    nn, F = torch.nn, torch.nn.functional
    emb, rnn, fc = nn.Embedding(10, 4), nn.GRU(4, 5), nn.Linear(5, 10)
    x = torch.tensor([[1, 2], [3, 4], [5, 6]])
    out, h = rnn(emb(x))
    logits = fc(out)
    loss = F.cross_entropy(logits.view(-1, 10), torch.tensor([1, 2, 3, 4, 5, 6]))
    params = {}
    for name, mod in (("emb", emb), ("rnn", rnn), ("fc", fc)):
        params.update({name + "." + k: v for k, v in mod.named_parameters()})
    return loss, params


def lenet_like(torch):
    nn, F = torch.nn, torch.nn.functional

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1, self.c2 = nn.Conv2d(1, 2, 5, padding=2), nn.Conv2d(2, 4, 5)
            self.f1, self.f2 = nn.Linear(4 * 5 * 5, 8), nn.Linear(8, 10)

        def forward(self, x):
            x = nn.MaxPool2d(2)(torch.relu(self.c1(x)))
            x = F.avg_pool2d(torch.tanh(self.c2(x)), 2, 2)
            x = x.view(x.size(0), -1)
            return F.log_softmax(self.f2(F.relu(self.f1(x))), dim=1)
    m = LeNet()
    return F.nll_loss(m(_x(torch, 2, 1, 28, 28)), torch.tensor([1, 2])), dict(m.named_parameters())


def rnn_batch_first(torch):
    m = torch.nn.RNN(3, 4, batch_first=True)
    out, h = m(_x(torch, 2, 3, 3))
    return out.sum(), dict(m.named_parameters())


def gru_batch_first_2layer(torch):
    m = torch.nn.GRU(3, 4, batch_first=True, num_layers=2)
    out, h = m(_x(torch, 2, 3, 3))
    return out.sum(), dict(m.named_parameters())


def lstm_batch_first_2layer(torch):
    m = torch.nn.LSTM(3, 4, batch_first=True, num_layers=2)
    out, h = m(_x(torch, 2, 5, 3))
    return out.sum(), dict(m.named_parameters())


def split_chunk(torch):
    a = _p(torch, 4, 6)
    x, y = a.chunk(2, dim=1)
    p, q, r = a.split([1, 1, 2], dim=0)
    return (x * y).sum() + (p + q).sum() + r.sum(), {"a": a}


def masked_gather_pad(torch):
    a = _p(torch, 3, 4)
    mask = torch.from_numpy(np.arange(12).reshape(3, 4) % 2 == 0)
    y = a.masked_fill(mask, 0.0).sum() + a.gather(1, torch.tensor([[0], [1], [2]])).sum()
    y = y + a.index_select(0, torch.tensor([0, 2])).sum() + a[torch.tensor([0, 1])].sum()
    return y + torch.nn.functional.pad(a, (1, 2)).sum(), {"a": a}


def rnn_given_state(torch):
    m = torch.nn.RNN(3, 4, num_layers=2)
    h0 = _p(torch, 2, 2, 4, seed=3)
    out, h = m(_x(torch, 3, 2, 3), h0)
    return out.sum() + h.sum(), dict(m.named_parameters(), h0=h0)


def seq2seq(torch):
    """An encoder GRU's final state starts a decoder GRU."""
    enc, dec = torch.nn.GRU(3, 4), torch.nn.GRU(2, 4)
    _, h = enc(_x(torch, 3, 2, 3))
    out, _ = dec(_x(torch, 2, 2, 2, seed=1), h)
    ps = {"enc." + k: v for k, v in enc.named_parameters()}
    ps.update({"dec." + k: v for k, v in dec.named_parameters()})
    return out.sum(), ps


def conv_transpose(torch):
    nn = torch.nn
    m = nn.Sequential(nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                      nn.ConvTranspose2d(3, 1, 2, bias=False))
    return m(_x(torch, 1, 2, 4, 4)).sum(), dict(m.named_parameters())


def var_std_norm(torch):
    a = _p(torch, 2, 3, 4)
    y = a.var() + a.var(1).sum() + a.var(dim=(1, 2), keepdim=True, correction=0).sum()
    return y + a.std() + a.std(1).sum() + a.norm() + a.norm(dim=1).sum(), {"a": a}


CASES = {f.__name__: f for f in (
    mlp, mlp_output, cnn, rnn, custom_function, course_loop, ops_arith, ops_unary, ops_reduce,
    ops_matmul, ops_shape, ops_index, ops_cat, neg_rsub, clamp_where, pow_tensor, view_output,
    softmax_nll, dropout, cnn_avg, conv_stride, conv1d, layernorm_gelu, linear3d, linear_nobias,
    mlp_root, attention, bmm_one_grad, embedding, rnn_2layer, rnn_relu_nobias, lstm, lstm_2layer, gru,
    gru_2layer_nobias, mse_sum, bce, sigmoid_bce, log_softmax_ce_sum, leaky_relu_etc, minmax, vae,
    gan_step, char_rnn, lenet_like, split_chunk, masked_gather_pad, rnn_batch_first,
    gru_batch_first_2layer, lstm_batch_first_2layer, rnn_given_state, seq2seq, conv_transpose,
    var_std_norm)}


def canonical(dot):
    """The DOT body with node ids (``id()`` of Python objects) numbered by first appearance."""
    ids = {}

    def num(m):
        return str(ids.setdefault(m.group(0), len(ids)))

    lines = []
    for line in dot.body:
        m = re.match(r"^(\t)(\d+)( -> )?(\d+)?(.*)$", line, re.S)
        if m is None:
            lines.append(line)
            continue
        tab, a, arrow, b, rest = m.groups()
        out = tab + str(ids.setdefault(a, len(ids)))
        if arrow:
            out += arrow + str(ids.setdefault(b, len(ids)))
        lines.append(out + rest)
    return lines


def draw(torch, make_dot, name, **kw):
    y, params = CASES[name](torch)
    opts = dict(params=params, show_attrs=True, show_saved=True)
    opts.update(kw)
    return canonical(make_dot(y, **opts))


if __name__ == "__main__":
    import torch
    from torchviz import make_dot
    names = sys.argv[1:] or list(CASES)
    out = {}
    for n in names:
        try:
            out[n] = draw(torch, make_dot, n)
        except Exception as e:  # reported, compared by the test
            out[n] = f"{type(e).__name__}: {e}"
    json.dump(out, sys.stdout)
