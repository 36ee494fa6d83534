"""Keep freed NumPy buffers in the process heap instead of returning them to the OS.

glibc hands allocations above ~128 KiB to mmap and gives them back on free, so every
activation and gradient of a training step page-faults fresh, zeroed memory (measured: a
2-layer transformer step 87 ms -> 70 ms without it).  PyTorch avoids the same cost with its
caching allocator; ember asks glibc, once at import, to keep such blocks (mallopt).  Skipped
off glibc, and when the user already tuned malloc through its environment variables.
"""
import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def tune(mmap_threshold=64 << 20, trim_threshold=256 << 20):
    if not sys.platform.startswith("linux"):
        return False
    if any(k.startswith("MALLOC_") for k in os.environ):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and \
            bool(libc.mallopt(_M_TRIM_THRESHOLD, trim_threshold))
    except (OSError, AttributeError):
        return False
