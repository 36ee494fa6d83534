"""``torch._dynamo.mark_dynamic``, ``maybe_mark_dynamic``, ``mark_static``: per-tensor hints.

The marks are kept on the tensor under PyTorch's attribute names; a compiled callable reads
them when a call misses its cache and remembers them (by input position and dim) from then
on, so a mark on the first batch steers later batches too.  ember builds a symbolic graph
by comparing traces at several sizes (ember/_compile/dynamic.py), so a mark cannot make the
first graph symbolic: ``mark_dynamic`` lets that dim become symbolic even with
``dynamic=False`` (and warns when the program forces it to a constant, where PyTorch raises),
``mark_static`` keeps it one graph per size.
"""


def _dims(t, index):
    dims = index if isinstance(index, (list, tuple)) else [index]
    out = []
    for d in dims:
        if type(d) is not int or not -t.dim() <= d < max(t.dim(), 1):
            raise IndexError(f"mark: dim {d!r} is out of range for a tensor of {t.dim()} dims")
        out.append(d % t.dim())
    return out


def mark_dynamic(t, index, *, min=None, max=None, specialize_on=None):
    """Mark dim ``index`` (an int or a list) of ``t`` dynamic.

    >>> x = torch.randn(8, 16)
    >>> torch._dynamo.mark_dynamic(x, 0)
    """
    d = t.__dict__
    d.setdefault("_dynamo_dynamic_indices", set()).update(_dims(t, index))


def maybe_mark_dynamic(t, index):
    """Like ``mark_dynamic``, but a program that forces the size to a constant is fine."""
    d = t.__dict__
    d.setdefault("_dynamo_weak_dynamic_indices", set()).update(_dims(t, index))


def mark_static(t, index=None):
    """Keep dim ``index`` (all dims when None) of ``t`` one graph per size."""
    from .._tensor import Tensor
    if not isinstance(t, Tensor):
        return t          # (PyTorch also marks nn.Modules static: ember guards modules anyway)
    dims = range(t.dim()) if index is None else _dims(t, index)
    t.__dict__.setdefault("_dynamo_static_indices", set()).update(dims)
    return t
