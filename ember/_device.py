"""torch.device and layouts.  ember computes on the CPU (NumPy); 'cuda' is refused clearly."""


class device:
    """``torch.device('cpu')``; ``torch.device('cuda')`` can be named but not used for data."""
    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            type, index = "cuda", type
        if ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx)
        if type not in ("cpu", "cuda", "mps", "meta", "xpu"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta device type at start of "
                               f"device string: {type}")
        self.type, self.index = type, index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


cpu_device = device("cpu")


class layout:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name


strided = layout("strided")
sparse_coo = layout("sparse_coo")


class memory_format:
    """``torch.contiguous_format`` and friends: accepted everywhere PyTorch takes one; ember's
    arrays are always laid out C-contiguous (or as a NumPy view), so they change nothing."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_memory_format, (self.name,))


def _memory_format(name):
    return globals()[name]


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


def check_device(d, op="to"):
    """Accept cpu; refuse cuda/mps with PyTorch's message, since ember has no GPU here."""
    if d is None:
        return
    dv = d if isinstance(d, device) else device(d)
    if dv.type == "cpu" or dv.type == "meta":
        return
    if dv.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled (ember runs on the CPU; "
                             "torch.cuda.is_available() is False)")
    raise RuntimeError(f"{dv.type} device is not available in ember (CPU only)")
