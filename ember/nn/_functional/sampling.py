"""affine_grid and grid_sample (2-d bilinear/nearest/bicubic, 3-d trilinear/nearest; zeros,
border or reflection padding), composed from ember's differentiable ops: gradients reach both
the input and the grid."""
from ...ops.creation import linspace, arange
from ...ops.shape import stack

__all__ = ["affine_grid", "grid_sample"]


def _base_coords(n, align_corners, like):
    if align_corners:
        return linspace(-1.0, 1.0, n, dtype=like.dtype) if n > 1 else like.new_zeros((1,))
    return (arange(n, dtype=like.dtype) * 2 + 1) / n - 1


def affine_grid(theta, size, align_corners=None):
    """Sampling grid (N, H, W, 2) of the 2-d affine maps ``theta`` (N, 2, 3)."""
    align_corners = bool(align_corners)
    if len(size) != 4:
        raise NotImplementedError("affine_grid in ember supports 2-d (4-D size) grids only")
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3):
        raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {list(size)}. "
                         f"Got {list(theta.shape)}.")
    N, _, H, W = size
    xs = _base_coords(W, align_corners, theta)
    ys = _base_coords(H, align_corners, theta)
    gx = xs.reshape(1, W).expand(H, W)
    gy = ys.reshape(H, 1).expand(H, W)
    base = stack([gx, gy, gx.new_ones((H, W))], -1).reshape(1, H * W, 3)
    return (base @ theta.transpose(1, 2)).reshape(N, H, W, 2)


def _unnormalize(c, n, align_corners):
    return (c + 1) / 2 * (n - 1) if align_corners else ((c + 1) * n - 1) / 2


def _reflect(c, lo, hi):
    span = hi - lo
    if span <= 0:
        return c * 0 + lo
    c = (c - lo).abs()
    flips = (c / span).floor()
    extra = c - flips * span
    even = (flips % 2) == 0
    from ...ops.compare import where
    return where(even, extra + lo, hi - extra)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` (N, C, H, W) at ``grid`` (N, Ho, Wo, 2) holding (x, y) in [-1, 1]."""
    if input.ndim == 5:
        return _grid_sample_3d(input, grid, mode, padding_mode, align_corners)
    if input.ndim != 4:
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of "
                           f"dimensions, but got input with sizes {list(input.shape)} and grid with "
                           f"sizes {list(grid.shape)}")
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
                         f"'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', "
                         f"or 'reflection', but got: '{padding_mode}'")
    if grid.ndim != 4 or grid.shape[-1] != 2 or grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid of shape [{input.shape[0]}, H, W, 2], "
                           f"but got {list(grid.shape)}")
    align_corners = bool(align_corners)
    N, C, H, W = input.shape
    Ho, Wo = grid.shape[1], grid.shape[2]
    ix = _unnormalize(grid[..., 0], W, align_corners)
    iy = _unnormalize(grid[..., 1], H, align_corners)
    if mode == "bicubic":
        return _bicubic(input, ix, iy, padding_mode, align_corners)
    if padding_mode == "border":
        ix, iy = ix.clamp(0, W - 1), iy.clamp(0, H - 1)
    elif padding_mode == "reflection":
        if align_corners:
            ix, iy = _reflect(ix, 0, W - 1), _reflect(iy, 0, H - 1)
        else:
            ix, iy = _reflect(ix, -0.5, W - 0.5), _reflect(iy, -0.5, H - 0.5)
        ix, iy = ix.clamp(0, W - 1), iy.clamp(0, H - 1)
    flat = input.reshape(N, C, H * W)

    def tap(xi, yi):
        """input[n, :, yi, xi] for integer-valued coordinate tensors, zero outside."""
        valid = (xi >= 0) & (xi <= W - 1) & (yi >= 0) & (yi <= H - 1)
        idx = (yi.clamp(0, H - 1) * W + xi.clamp(0, W - 1)).long().reshape(N, 1, Ho * Wo)
        v = flat.gather(2, idx.expand(N, C, Ho * Wo)).reshape(N, C, Ho, Wo)
        return v * valid.unsqueeze(1).to(input.dtype)

    if mode == "nearest":
        # NOTE: rounding has a zero derivative; the zero-valued term gives the grid the zero
        # gradient PyTorch reports (rather than None).
        rx, ry = ix.round(), iy.round()
        return tap(rx, ry) + (rx.sum() + ry.sum()) * 0
    x0, y0 = ix.floor(), iy.floor()
    wx1, wy1 = ix - x0, iy - y0
    wx0, wy0 = 1 - wx1, 1 - wy1
    return (tap(x0, y0) * (wx0 * wy0).unsqueeze(1) + tap(x0 + 1, y0) * (wx1 * wy0).unsqueeze(1)
            + tap(x0, y0 + 1) * (wx0 * wy1).unsqueeze(1) + tap(x0 + 1, y0 + 1) * (wx1 * wy1).unsqueeze(1))


_A = -0.75      # the cubic convolution coefficient PyTorch (and OpenCV) use


def _cubic_weights(t):
    """Keys' cubic-convolution weights of the four taps at offsets -1, 0, 1, 2 from floor."""
    def near(x):            # |x| <= 1
        return ((_A + 2) * x - (_A + 3)) * x * x + 1

    def far(x):             # 1 < |x| < 2
        return ((_A * x - 5 * _A) * x + 8 * _A) * x - 4 * _A
    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _bicubic(input, ix, iy, padding_mode, align_corners):
    """grid_sample's bicubic mode: a 4 x 4 neighbourhood per point, each tap coordinate padded
    (border / reflection) on its own, zeros outside; differentiable in input and grid."""
    N, C, H, W = input.shape
    Ho, Wo = ix.shape[1], ix.shape[2]
    x0, y0 = ix.floor(), iy.floor()
    wx, wy = _cubic_weights(ix - x0), _cubic_weights(iy - y0)
    x0, y0 = x0.detach(), y0.detach()
    flat = input.reshape(N, C, H * W)

    def pad_coord(c, n):
        if padding_mode == "border":
            return c.clamp(0, n - 1)
        if padding_mode == "reflection":
            c = _reflect(c, 0, n - 1) if align_corners else _reflect(c, -0.5, n - 0.5)
            return c.clamp(0, n - 1)
        return c

    out = 0
    for j in range(4):
        yj = pad_coord(y0 + (j - 1), H)
        y_ok = (yj >= 0) & (yj <= H - 1)
        for i in range(4):
            xi = pad_coord(x0 + (i - 1), W)
            valid = (xi >= 0) & (xi <= W - 1) & y_ok
            idx = (yj.clamp(0, H - 1) * W + xi.clamp(0, W - 1)).long().reshape(N, 1, Ho * Wo)
            v = flat.gather(2, idx.expand(N, C, Ho * Wo)).reshape(N, C, Ho, Wo)
            v = v * valid.unsqueeze(1).to(input.dtype)
            out = out + v * (wx[i] * wy[j]).unsqueeze(1)
    return out


def _grid_sample_3d(input, grid, mode, padding_mode, align_corners):
    """Volumetric grid_sample: (N, C, D, H, W) at grid (N, Do, Ho, Wo, 3) holding (x, y, z);
    trilinear ('bilinear') or nearest."""
    if mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if mode not in ("bilinear", "nearest"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
                         f"'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', "
                         f"or 'reflection', but got: '{padding_mode}'")
    if grid.ndim != 5 or grid.shape[-1] != 3 or grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid of shape [{input.shape[0]}, D, H, W, 3], "
                           f"but got {list(grid.shape)}")
    align_corners = bool(align_corners)
    N, C, D, H, W = input.shape
    out_sp = tuple(grid.shape[1:4])
    M = out_sp[0] * out_sp[1] * out_sp[2]
    sizes = (W, H, D)
    coords = []
    for k, n in enumerate(sizes):
        c = _unnormalize(grid[..., k], n, align_corners)
        if padding_mode == "border":
            c = c.clamp(0, n - 1)
        elif padding_mode == "reflection":
            c = _reflect(c, 0, n - 1) if align_corners else _reflect(c, -0.5, n - 0.5)
            c = c.clamp(0, n - 1)
        coords.append(c)
    flat = input.reshape(N, C, D * H * W)

    def tap(xi, yi, zi):
        valid = (xi >= 0) & (xi <= W - 1) & (yi >= 0) & (yi <= H - 1) & (zi >= 0) & (zi <= D - 1)
        idx = ((zi.clamp(0, D - 1) * H + yi.clamp(0, H - 1)) * W + xi.clamp(0, W - 1)).long()
        v = flat.gather(2, idx.reshape(N, 1, M).expand(N, C, M)).reshape((N, C) + out_sp)
        return v * valid.unsqueeze(1).to(input.dtype)

    ix, iy, iz = coords
    if mode == "nearest":
        rx, ry, rz = ix.round(), iy.round(), iz.round()
        return tap(rx, ry, rz) + (rx.sum() + ry.sum() + rz.sum()) * 0
    x0, y0, z0 = ix.floor(), iy.floor(), iz.floor()
    fx, fy, fz = ix - x0, iy - y0, iz - z0
    out = 0
    for dz in (0, 1):
        wz = fz if dz else 1 - fz
        for dy in (0, 1):
            wy = fy if dy else 1 - fy
            for dx in (0, 1):
                wx = fx if dx else 1 - fx
                out = out + tap(x0 + dx, y0 + dy, z0 + dz) * (wx * wy * wz).unsqueeze(1)
    return out
