"""torch.distributed on MPI: process groups, collectives, and the launcher.

    ember run --nproc-per-node 2 train.py            # or: ember torchrun --nproc-per-node 2 ...

    import ember.distributed as dist
    dist.init_process_group("gloo")                   # "gloo" and "mpi" both run on MPI
    t = ember.ones(3) * (dist.get_rank() + 1)
    dist.all_reduce(t)                                # tensor([3., 3., 3.]) on both ranks
    dist.destroy_process_group()

The engine is MPI through mpi4py (``pip install 'ember[distributed]'``); it is imported only
when a process group is made, never by ``import ember``. Without it ``is_available()`` is
False and ``init_process_group`` says how to install it.
"""
from ._group import *  # noqa: F401,F403
from ._group import __all__ as _group_all
from ._collectives import *  # noqa: F401,F403
from ._collectives import __all__ as _coll_all
from ._objects import *  # noqa: F401,F403
from ._objects import __all__ as _obj_all
from . import distributed_c10d  # noqa: F401

__all__ = _group_all + _coll_all + _obj_all

from ember import _missing; _missing.install(__name__)  # noqa: E402,E702
