"""Op coverage beyond the model families: each small model is exported (compared with eager at
two batch sizes through the dynamic batch dim) and written as ONNX (checker + onnxruntime)."""
import io

import numpy as np
import pytest

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember._compile.api import _flatten
from ember.export import Dim, export


def R(*s):
    return torch.tensor(np.random.default_rng(len(s)).standard_normal(s).astype(np.float32))


class L(nn.Module):
    def __init__(s, f, mods=()):
        super().__init__(); s.f = f; s.m = nn.ModuleList(mods)
    def forward(s, x): return s.f(s, x)
CASES = {
 "acts": (L(lambda s,x: F.leaky_relu(x,0.2)+F.elu(x)+F.silu(x)+F.softplus(x)+F.hardswish(x)+torch.sigmoid(x)+F.relu6(x)+F.hardtanh(x)+F.selu(x)+F.gelu(x, approximate="tanh")+F.mish(x)+F.hardsigmoid(x)+F.logsigmoid(x)), R(3,5)),
 "logsm": (L(lambda s,x: F.log_softmax(x, 1) + F.softmax(x, -1)), R(3,5)),
 "convs": (L(lambda s,x: s.m[1](s.m[0](x)), [nn.Conv2d(4,6,3,stride=2,padding=2,dilation=2,groups=2), nn.Conv2d(6,3,(1,3),padding="same")]), R(2,4,11,11)),
 "pools": (L(lambda s,x: F.max_pool2d(x,3,2,1,ceil_mode=True).sum((2,3)) + F.avg_pool2d(x,3,2,1,ceil_mode=True,count_include_pad=False).sum((2,3)) + F.avg_pool2d(x, 2).mean((2,3))), R(2,3,9,9)),
 "bn1d": (L(lambda s,x: s.m[0](x), [nn.BatchNorm1d(4)]), R(3,4,7)),
 "gn": (L(lambda s,x: s.m[0](x)+s.m[1](x), [nn.GroupNorm(2,4), nn.InstanceNorm1d(4, affine=True)]), R(3,4,7)),
 "ln_noaff": (L(lambda s,x: s.m[0](x), [nn.LayerNorm((4,7), elementwise_affine=False)]), R(3,4,7)),
 "shape": (L(lambda s,x: torch.cat([x.unsqueeze(1).squeeze(1), x.transpose(0,1).transpose(0,1)], 1).flatten(1)[:, 1:-1:2] + 0), R(3,4,5)),
 "index": (L(lambda s,x: x[:, -1] + x[:, 0, :] + x[..., 2:4].sum(-1, keepdim=True)[:, 1]), R(3,4,5)),
 "stack": (L(lambda s,x: torch.stack([x, x*2], 1).reshape(x.size(0), -1)), R(3,4)),
 "chunk": (L(lambda s,x: sum(x.chunk(2, 1)) + sum(x.split([1,3], 1)[1:]).sum(1, keepdim=True)), R(3,4)),
 "reduce": (L(lambda s,x: x.max(1)[0] + x.min(1).values + x.amax(1) + x.mean(1) + x.sum(1) + x.argmax(1).float() + x.var(1) + x.std(1)), R(3,6)),
 "cmp": (L(lambda s,x: torch.where(x > 0.1, x, x.clamp(-0.5, 0.5)) + (x <= 0).float() + (x != x).float() + x.masked_fill(x < 0, 0.)), R(3,4)),
 "cast": (L(lambda s,x: (x * 10).long().float() + x.to(torch.float64).float()), R(3,4)),
 "pad": (L(lambda s,x: F.pad(x, (1,2,0,1)) .sum((2,3)) + F.pad(x, (1,1,1,1), mode="reflect").mean((2,3))), R(2,3,5,5)),
 "prelu": (L(lambda s,x: s.m[0](x), [nn.PReLU(4)]), R(3,4,5)),
 "emb_pad": (L(lambda s,x: s.m[0](x).sum(1), [nn.Embedding(10, 4, padding_idx=0)]), torch.randint(0,10,(3,5))),
 "rnn_relu": (L(lambda s,x: s.m[0](x)[0], [nn.RNN(4, 3, nonlinearity="relu", num_layers=2, batch_first=True, bias=False)]), R(3,5,4)),
 "lstm_proj": (L(lambda s,x: s.m[0](x)[0], [nn.LSTM(4, 6, proj_size=3, batch_first=True)]), R(3,5,4)),
 "convT": (L(lambda s,x: s.m[0](x), [nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1)]), R(2,3,4,4)),
 "convT1": (L(lambda s,x: s.m[0](x), [nn.ConvTranspose1d(3, 2, 4, stride=2)]), R(2,3,5)),
 "math": (L(lambda s,x: x.exp() + x.abs().sqrt() + x.abs().add(1).log() + x.pow(2) + x.neg() + x.reciprocal().clamp(-3,3) + x.sin() + x.cos() + x.tanh() + x.floor() + x.ceil() + x.rsqrt().nan_to_num(0.) + 2 ** x + 1 / (x.abs()+1) + x.log1p().nan_to_num(0.) + torch.erf(x)), R(3,4)),
 "matmul": (L(lambda s,x: x @ x.transpose(-1, -2) + torch.bmm(x, x.transpose(1,2)) + torch.einsum("bij,bkj->bik", x, x)), R(3,4,5)),
 "maxunit": (L(lambda s,x: torch.maximum(x, x*0.5) + torch.minimum(x, -x)), R(3,4)),
 "mlp_tuple": (L(lambda s,x: (s.m[0](x), {"a": s.m[0](x).relu()}), [nn.Linear(4, 2)]), R(3,4)),
 "pixel": (L(lambda s,x: F.pixel_shuffle(x, 2)), R(2,8,3,3)),
 "flip": (L(lambda s,x: x.flip(1) + x.roll(1, 1)), R(3,4)),
 "mpool1d": (L(lambda s,x: F.max_pool1d(x, 2, 1) + 0), R(2,3,6)),
 "reduce2": (L(lambda s,x: x.cumsum(1) + x.prod(1, keepdim=True) + x.norm(dim=1, keepdim=True) + x.norm(p=1, dim=1, keepdim=True) + torch.linalg.vector_norm(x, 3, dim=1, keepdim=True)), R(3,4)),
 "repeat_tri": (L(lambda s,x: x.repeat(1, 2)[:, :4] + x.triu(1) + x.tril(-1) + x.unsqueeze(0).repeat(2, 1, 1).sum(0)), R(3,4)),
 "gather": (L(lambda s,x: x.gather(1, x.argmax(1, keepdim=True).expand(-1, 4)) + x.clamp(min=x.mean(1, keepdim=True)) + torch.lerp(x, x.flip(1), 0.3)), R(3,4)),
 "divmod": (L(lambda s,x: x.floor_divide(0.7) + x.remainder(0.6) + x.fmod(0.5) + torch.remainder(x, x.abs() + 1) + 2.0 // (x.abs() + 1)), R(3,4)),
 "math2": (L(lambda s,x: torch.exp2(x) + torch.log2(x.abs() + 1) + torch.log10(x.abs() + 1) + torch.special.erfc(x) + F.threshold(x, 0.1, -2.0) + F.hardshrink(x, 0.3) + F.softshrink(x, 0.3)), R(3,4)),
 "adamax": (L(lambda s,x: F.adaptive_max_pool2d(x, 1).flatten(1) + F.adaptive_max_pool2d(x, (2,2)).flatten(1).sum(1, keepdim=True)), R(2,3,6,6)),
}


def _like(x, n):
    rng = np.random.default_rng(n)
    if x.dtype == torch.int64:
        return torch.tensor(rng.integers(0, 10, (n,) + tuple(x.shape[1:])))
    return torch.tensor(rng.standard_normal((n,) + tuple(x.shape[1:])).astype(np.float32))


def _eager(m, x):
    with torch.no_grad():
        return [t.numpy() for t in _flatten(m(x), [])]


@pytest.mark.parametrize("name", sorted(CASES))
def test_export(name):
    m, x = CASES[name]
    m.eval()
    ep = export(m, (x,), dynamic_shapes=({0: Dim("batch")},))
    for n in (1, 5):
        xx = _like(x, n)
        out = [t.numpy() for t in _flatten(ep.module()(xx), [])]
        for o, r in zip(out, _eager(m, xx), strict=True):
            np.testing.assert_allclose(o, r, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_onnx(name):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    m, x = CASES[name]
    m.eval()
    f = io.BytesIO()
    torch.onnx.export(m, (x,), f, input_names=["x"], dynamic_axes={"x": {0: "batch"}},
                      opset_version=18)
    onnx.checker.check_model(onnx.load_from_string(f.getvalue()), full_check=True)
    sess = ort.InferenceSession(f.getvalue(), providers=["CPUExecutionProvider"])
    for n in (1, 5):
        xx = _like(x, n)
        for o, r in zip(sess.run(None, {"x": xx.numpy()}), _eager(m, xx), strict=True):
            np.testing.assert_allclose(o, r, rtol=1e-4, atol=1e-5)
