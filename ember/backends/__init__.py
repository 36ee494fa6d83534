"""torch.backends: flags scripts read; ember answers for a CPU-only NumPy build."""
from . import mps, cudnn, cuda, mkldnn, openmp  # noqa: F401
