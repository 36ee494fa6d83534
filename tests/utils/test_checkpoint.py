import numpy as np
import torch

import ember
from ember.utils.checkpoint import checkpoint, checkpoint_sequential


def _models():
    rng = np.random.default_rng(0)
    ws = [rng.uniform(-0.5, 0.5, size=(8, 8)).astype(np.float32) for _ in range(4)]
    out = []
    for m in (ember, torch):
        layers = []
        for w in ws:
            lin = m.nn.Linear(8, 8)
            with m.no_grad():
                lin.weight.copy_(m.from_numpy(w))
                lin.bias.zero_()
            layers += [lin, m.nn.Tanh()]
        out.append(m.nn.Sequential(*layers))
    return out


def test_checkpoint_gradients_equal_plain_and_torch():
    em, tm = _models()
    x = np.random.default_rng(1).uniform(-1, 1, size=(5, 8)).astype(np.float32)
    xe = ember.from_numpy(x.copy()).requires_grad_()
    ye = checkpoint(lambda z: em[4:](em[:4](z)), xe, use_reentrant=True)
    assert ye.grad_fn is not None
    (ye ** 2).sum().backward()
    xt = torch.from_numpy(x.copy()).requires_grad_()
    (tm(xt) ** 2).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    for pe, pt in zip(em.parameters(), tm.parameters()):
        np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_checkpoint_sequential_and_dropout_mask_replayed():
    em, _ = _models()
    x = ember.randn(5, 8, requires_grad=True)
    y = checkpoint_sequential(em, 2, x)
    y.sum().backward()
    g1 = x.grad.clone()
    x.grad = None
    for p in em.parameters():
        p.grad = None
    em(x).sum().backward()
    np.testing.assert_allclose(g1.numpy(), x.grad.numpy(), rtol=1e-5, atol=1e-6)
    drop = ember.nn.Dropout(0.5)
    z = ember.ones(4, 6, requires_grad=True)
    ember.manual_seed(3)
    out = checkpoint(drop, z)
    out.sum().backward()
    np.testing.assert_array_equal((out.detach().numpy() != 0), (z.grad.numpy() != 0))


def test_checkpoint_without_grad_inputs_still_trains_parameters():
    em, _ = _models()
    x = ember.randn(5, 8)
    checkpoint(em, x).sum().backward()
    assert all(p.grad is not None for p in em.parameters())
