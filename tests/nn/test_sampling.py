import numpy as np
import pytest
import torch

from oracle import check, make


def _F(t):
    import ember
    return torch.nn.functional if isinstance(t, torch.Tensor) else ember.nn.functional


@pytest.mark.parametrize("align", [False, True])
def test_affine_grid(align):
    theta = make((2, 2, 3), np.float64, 1, -1, 1)
    f = lambda t: _F(t).affine_grid(t, (2, 3, 4, 5), align_corners=align)  # noqa: E731
    check(f, f, theta)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample(mode, padding, align):
    x = make((2, 3, 5, 6), np.float64, 1)
    g = make((2, 4, 3, 2), np.float64, 2, -1.3, 1.3)
    f = lambda a, b: _F(a).grid_sample(a, b, mode=mode, padding_mode=padding, align_corners=align)  # noqa: E731
    check(f, f, x, g)
