"""Internals of ember.utils.data, at PyTorch's paths (``torch.utils.data._utils.collate``)."""
from . import collate, worker  # noqa: F401
