"""``repr`` of tensors in PyTorch's format: ``tensor([ 1.0000, -2.5000], requires_grad=True)``."""
import math

import numpy as np

PRINT_OPTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    if profile == "default":
        PRINT_OPTS.update(precision=4, threshold=1000, edgeitems=3, linewidth=80)
    elif profile == "short":
        PRINT_OPTS.update(precision=2, threshold=1000, edgeitems=2, linewidth=80)
    elif profile == "full":
        PRINT_OPTS.update(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)
    for k, v in dict(precision=precision, threshold=threshold, edgeitems=edgeitems,
                     linewidth=linewidth).items():
        if v is not None:
            PRINT_OPTS[k] = v
    PRINT_OPTS["sci_mode"] = sci_mode


class _Formatter:
    """Chooses one format for all elements (as PyTorch does) from their magnitudes."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        p = PRINT_OPTS["precision"]
        self.p = p
        if not floating:
            self.width = max((len(str(v)) for v in values.tolist()), default=1) if values.size else 1
            return
        finite = values[np.isfinite(values)]
        nz = np.abs(finite[finite != 0]).astype(np.float64)
        self.width = 1
        if nz.size == 0:
            self.int_mode = True
            for v in values:
                self.width = max(self.width, len(self._fmt_plain(v)))
            return
        mx, mn = nz.max(), nz.min()
        if np.all(finite == np.ceil(finite)):
            self.int_mode = True
            if mx / mn > 1000.0 or mx > 1.0e8:
                self.sci_mode = True
        else:
            self.int_mode = False
            if mx / mn > 1000.0 or mx > 1.0e8 or mn < 1.0e-4:
                self.sci_mode = True
        if PRINT_OPTS["sci_mode"] is not None:
            self.sci_mode = PRINT_OPTS["sci_mode"]
        for v in finite:  # PyTorch sizes the columns by the finite values only
            self.width = max(self.width, len(self._fmt_plain(v)))

    def _fmt_plain(self, v):
        if not self.floating:
            return str(v)
        v = float(v)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if self.sci_mode:
            return f"{v:.{self.p}e}"
        if self.int_mode:
            return f"{v:.0f}."
        return f"{v:.{self.p}f}"

    def format(self, v):
        return self._fmt_plain(v).rjust(self.width)


class _ComplexFormatter:
    """PyTorch's complex layout: the real parts share one format, the imaginary parts another,
    joined as ``1.5000-2.0000j`` (the imaginary part unpadded, its sign as the joint)."""
    floating = True

    def __init__(self, values):
        self.re = _Formatter(values.real, True)
        self.im = _Formatter(values.imag, True)
        self.width = self.re.width + self.im.width + 1

    def format(self, v):
        v = complex(v)
        imag = (self.im.format(v.imag) + "j").lstrip()
        return self.re.format(v.real) + (imag if imag[0] in "+-" else "+" + imag)


def _summarize(a, edge):
    if a.ndim == 0:
        return a.reshape(-1)
    if a.shape[0] > 2 * edge:
        parts = [_summarize(a[:edge], edge), _summarize(a[-edge:], edge)]
    else:
        parts = [a]
    out = []
    for p in parts:
        if p.ndim == 1:
            out.append(p.reshape(-1))
        else:
            out.extend(_summarize(r, edge) for r in p)
    return np.concatenate(out) if out else np.zeros(0, a.dtype)


def _tensor_str(a, indent, fmt, summarize):
    edge = PRINT_OPTS["edgeitems"]
    if a.ndim == 0:
        return fmt.format(a.item() if not fmt.floating else a)
    if a.ndim == 1:
        elems = [fmt.format(v) for v in (a.tolist() if not fmt.floating else a)]
        if summarize and a.shape[0] > 2 * edge:
            elems = elems[:edge] + [" ..."] + elems[-edge:]
        per_line = max(1, int(math.floor((PRINT_OPTS["linewidth"] - indent) / (fmt.width + 2))))
        lines = [", ".join(elems[i:i + per_line]) for i in range(0, len(elems), per_line)]
        return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(a.shape[0])
    if summarize and a.shape[0] > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(a.shape[0] - edge, a.shape[0]))
    parts = [("..." if i is None else _tensor_str(a[i], indent + 1, fmt, summarize)) for i in rows]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def tensor_repr(t):
    a = t._data
    floating = a.dtype.kind == "f"
    summarize = a.size > PRINT_OPTS["threshold"]
    vals = _summarize(a, PRINT_OPTS["edgeitems"]) if summarize else a.reshape(-1)
    if a.dtype.kind == "b":
        vals_fmt = vals
        fmt = _Formatter(np.array([str(bool(v)) for v in vals_fmt]) if vals.size else vals, False)
        fmt.format = lambda v: str(bool(v)).rjust(fmt.width)
        fmt.width = max((len(str(bool(v))) for v in vals.tolist()), default=1)
    elif a.dtype.kind == "c":
        fmt = _ComplexFormatter(vals)
    else:
        fmt = _Formatter(vals, floating)
    suffix = []
    from ._dtype import default_complex, get_default_dtype
    default_dtypes = (get_default_dtype().name, "int64", "bool", default_complex().name)
    if a.size == 0 and a.shape != (0,):
        body = "[]"
        suffix.append(f"size={tuple(a.shape)}")
    elif a.size == 0:
        body = "[]"
    else:
        body = _tensor_str(a, len("tensor("), fmt, summarize)
    if t.dtype.name not in default_dtypes:
        suffix.append(f"dtype=torch.{t.dtype.name}")
    if t.grad_fn is not None:
        suffix.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffix.append("requires_grad=True")
    prefix = "Parameter containing:\n" if type(t).__name__ == "Parameter" else ""
    return prefix + "tensor(" + body + "".join(", " + s for s in suffix) + ")"
