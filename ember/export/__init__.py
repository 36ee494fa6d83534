"""``torch.export``: capture a model as one graph, save it as one file, run it without its code.

Interface (what ``ember serve`` and other tools rely on)::

    ep = ember.export.export(model, args, kwargs=None, dynamic_shapes=None, input_names=None)
    ember.export.save(ep, path)             # one file (zip of JSON + safetensors)
    ep = ember.export.load(path)            # -> ExportedProgram; never unpickles
    out = ep.module()(*tensors)             # positional input tensors (or by name as kwargs);
                                            # returns a Tensor, or the tuple/list/dict the
                                            # model returned; NumPy arrays are accepted too
    ep.input_specs, ep.output_specs         # [{"name": str, "dtype": "float32"|"int64"|...,
                                            #   "shape": [int, or None for a dynamic dim],
                                            #   "dynamic": {dim_index: {"name": str,
                                            #               "min": int, "max": int}}}]
    ep.sample_outputs                       # [np.ndarray]: the outputs of ep.example_inputs

A call whose input has the wrong dtype, rank or size raises ``ValueError`` naming the input,
the expected spec and what it got.  Output specs are in the order the outputs are flattened
(a tuple's items, a dict's values); a single output is named ``output``.

PyTorch's names around it: ``Dim("batch", min=1, max=4096)``, ``Dim.AUTO``, ``Dim.DYNAMIC``,
``Dim.STATIC``; ``ep.graph``, ``ep.graph_module``, ``ep.graph_signature``, ``ep.state_dict``,
``ep.range_constraints``, ``ep.example_inputs``.

>>> batch = Dim("batch", min=1, max=1024)
>>> ep = export(model, (torch.randn(4, 8),), dynamic_shapes={"x": {0: batch}})  # doctest: +SKIP
>>> save(ep, "model.pt2"); load("model.pt2").module()(torch.randn(17, 8))       # doctest: +SKIP
"""
from ._capture import Dim, capture
from ._file import ExportFileError, load, save
from ._opset import OPSET_VERSION, ExportError
from ._program import ExportedProgram, ExportGraphSignature

__all__ = [
    "OPSET_VERSION",
    "Dim",
    "ExportError",
    "ExportFileError",
    "ExportGraphSignature",
    "ExportedProgram",
    "dims",
    "export",
    "load",
    "save",
]


def export(mod, args, kwargs=None, *, dynamic_shapes=None, strict=False,
           preserve_module_call_signature=(), input_names=None):
    """``torch.export.export``: trace ``mod`` in eval mode into an ``ExportedProgram``.

    ``dynamic_shapes`` marks dimensions that may vary (``{"x": {0: Dim("batch")}}`` or a tuple
    aligned with ``args``); each is checked by tracing at other sizes.  ``input_names``
    (ember's) renames the inputs, which otherwise come from ``forward``'s signature.

    >>> ep = export(nn.Linear(4, 2), (torch.randn(3, 4),))      # doctest: +SKIP
    """
    if not isinstance(args, tuple):
        raise ValueError(f"Expecting `args` to be a tuple of example positional inputs, got "
                         f"{type(args)}")
    return ExportedProgram(capture(mod, args, kwargs, dynamic_shapes, input_names))


def dims(*names, min=None, max=None):
    """``torch.export.dims``: several Dims with the same range."""
    return tuple(Dim(n, min=min, max=max) for n in names)

from .. import _missing  # noqa: E402
_missing.install(__name__)   # torch.export.X that ember lacks: "... is not implemented in ember"
