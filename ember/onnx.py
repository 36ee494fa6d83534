"""torch.onnx: importable so scripts that only mention it run; exporting is not in ember yet."""


def export(model, args, f=None, *a, **k):
    """ONNX export is not implemented in ember (it is planned with the static graph): this
    raises instead of writing a wrong file."""
    raise RuntimeError("torch.onnx.export is not implemented in ember")


def is_in_onnx_export():
    return False
