import numpy as np
import pytest
import torch

import ember
from oracle import check, make

CASES = {
    "view": lambda t: t.view(4, -1) if hasattr(t, "view") else None,
    "reshape": lambda t: t.reshape(2, 6),
    "permute": lambda t: t.permute(2, 0, 1) if t.ndim == 3 else t.permute(1, 0),
    "transpose": lambda t: t.transpose(0, -1),
    "t": lambda t: t.reshape(3, 4).t(),
    "mT": lambda t: t.reshape(3, 4).mT,
    "squeeze": lambda t: t.reshape(1, 3, 1, 4).squeeze(),
    "squeeze_dim": lambda t: t.reshape(1, 3, 1, 4).squeeze(2),
    "unsqueeze": lambda t: t.unsqueeze(-1),
    "flatten": lambda t: t.flatten(),
    "unflatten": lambda t: t.reshape(12).unflatten(0, (3, -1)),
    "expand": lambda t: t.reshape(1, 12).expand(3, -1),
    "repeat": lambda t: t.reshape(3, 4).repeat(2, 1, 3),
    "tile": lambda t: t.reshape(3, 4).tile((2,)),
    "flip": lambda t: t.flip(0),
    "roll": lambda t: t.roll(2, 0),
    "roll_flat": lambda t: t.roll(5),
    "movedim": lambda t: t.reshape(2, 3, 2).movedim(0, -1),
    "narrow": lambda t: t.reshape(3, 4).narrow(1, 1, 2),
    "tril": lambda t: t.reshape(3, 4).tril(),
    "triu": lambda t: t.reshape(3, 4).triu(1),
    "diag": lambda t: t.reshape(3, 4).diag(),
    "diag1d": lambda t: t.reshape(12)[:4].diag(),
    "repeat_interleave": lambda t: t.reshape(3, 4).repeat_interleave(2, dim=0),
    "select": lambda t: t.reshape(3, 4).select(1, 2),
    "split": lambda t: t.reshape(12).split([5, 7]),
    "chunk": lambda t: t.reshape(3, 4).chunk(3, 1),
    "unbind": lambda t: t.reshape(3, 4).unbind(1),
    "unfold": lambda t: t.reshape(3, 4).unfold(1, 2, 1),
    "unfold_step": lambda t: t.reshape(12).unfold(0, 3, 2),
    "as_strided": lambda t: t.reshape(12).as_strided((3, 3), (2, 1), 1),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shape_ops(name, dtype):
    a = make((3, 4), dtype, 0) if name != "permute" else make((2, 3, 2), dtype, 0)
    check(CASES[name], CASES[name], a)


def test_cat_stack_variants():
    a, b = make((2, 3), np.float64, 1), make((2, 3), np.float64, 2)
    for fe, ft in ((lambda x, y: ember.cat([x, y], 1), lambda x, y: torch.cat([x, y], 1)),
                   (lambda x, y: ember.stack([x, y], -1), lambda x, y: torch.stack([x, y], -1)),
                   (lambda x, y: ember.hstack([x, y]), lambda x, y: torch.hstack([x, y])),
                   (lambda x, y: ember.vstack([x, y]), lambda x, y: torch.vstack([x, y]))):
        check(fe, ft, a, b)


def test_cat_errors_name_shapes():
    with pytest.raises(RuntimeError, match="Sizes of tensors must match"):
        ember.cat([ember.ones(2, 3), ember.ones(2, 4)], 0)
    with pytest.raises(RuntimeError, match="invalid for input of size"):
        ember.ones(2, 3).view(4, 2)
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        ember.ones(2, 3).t().view(6)
    with pytest.raises(RuntimeError, match="expanded size"):
        ember.ones(2, 3).expand(4, 3)


def test_views_share_memory_and_versions():
    x = ember.arange(6.0)
    v = x.view(2, 3)
    v[0, 0] = 10.0
    assert x[0].item() == 10.0
    assert x._version == v._version == 1
    assert x.data_ptr() == v.data_ptr()
    assert x.t().is_contiguous() if x.ndim < 2 else True
    assert not v.t().is_contiguous()
    assert v.t().contiguous().is_contiguous()


def test_meshgrid():
    a, b = np.arange(3.0), np.arange(4.0)
    for idx in ("ij", "xy"):
        check(lambda x, y: ember.meshgrid(x, y, indexing=idx), lambda x, y: torch.meshgrid(x, y, indexing=idx),
              a, b)


def test_strides_match_torch():
    for f in (lambda m: m.zeros(2, 3, 4), lambda m: m.zeros(2, 3, 4).transpose(0, 2),
              lambda m: m.ones(2, 1).expand(2, 3)):
        assert tuple(f(ember).stride()) == tuple(f(torch).stride())
