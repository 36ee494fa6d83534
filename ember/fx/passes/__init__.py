"""``torch.fx.passes``: graph passes users import from torch.fx (shape_prop)."""
