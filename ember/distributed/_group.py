"""Process groups: init_process_group, new_group, ranks, and the waiting every operation does.

A process group is an MPI communicator plus the global ranks it holds. The world is the MPI
job that ``mpiexec`` (or ``ember run --nproc-per-node N``) started; the env:// variables that
torchrun sets are checked against it, and ranks are renumbered to match them.

Every operation waits by polling, with the group's timeout (ember/distributed/_work.py).
"""
import enum
import os

from . import _mpi
from ._work import (DistBackendError, DistError, DistNetworkError, DistStoreError,  # noqa: F401
                    Work, _timeout_seconds, _wait, default_pg_timeout)

__all__ = ["Backend", "ReduceOp", "ProcessGroup", "Work", "GroupMember", "group", "DistError",
           "DistBackendError", "DistNetworkError", "DistStoreError", "default_pg_timeout",
           "init_process_group", "destroy_process_group", "new_group", "is_initialized",
           "is_available", "is_mpi_available", "is_gloo_available", "is_nccl_available",
           "is_ucc_available", "is_backend_available", "is_torchelastic_launched", "get_rank",
           "get_world_size", "get_backend", "get_global_rank", "get_group_rank",
           "get_process_group_ranks", "get_node_local_rank", "get_pg_count", "new_subgroups",
           "new_subgroups_by_enumeration", "get_default_backend_for_device",
           "get_backend_config", "is_xccl_available"]


class Backend(str):
    """Backend names. "mpi" and "gloo" (PyTorch's CPU backend) both run on MPI here."""
    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"
    XCCL = "xccl"
    backend_list = [UNDEFINED, GLOO, NCCL, UCC, MPI, XCCL]
    default_device_backend_map = {"cpu": GLOO}

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: {type(name)}")
        value = name.lower()
        if value not in cls.backend_list and ":" not in value:
            raise ValueError(f"Invalid backend: '{name}'")
        return str.__new__(cls, value)


class _RedOpType(enum.IntEnum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8
    UNUSED = 9

    def __str__(self):
        return f"RedOpType.{self.name}"

    __format__ = object.__format__


_RedOpType.__name__ = _RedOpType.__qualname__ = "RedOpType"


class ReduceOp:
    """``dist.ReduceOp.SUM`` and friends (AVG divides the sum by the group size)."""
    RedOpType = _RedOpType
    SUM = _RedOpType.SUM
    AVG = _RedOpType.AVG
    PRODUCT = _RedOpType.PRODUCT
    MIN = _RedOpType.MIN
    MAX = _RedOpType.MAX
    BAND = _RedOpType.BAND
    BOR = _RedOpType.BOR
    BXOR = _RedOpType.BXOR
    PREMUL_SUM = _RedOpType.PREMUL_SUM
    UNUSED = _RedOpType.UNUSED

    def __new__(cls, op):
        return _RedOpType(op)


class ProcessGroup:
    """A set of ranks that run collectives together: an MPI communicator underneath."""

    def __init__(self, comm, ranks, backend, timeout, name=""):
        self._comm = comm
        self._ranks = list(ranks)               # global rank of each group rank
        self._rank = comm.Get_rank()
        self._size = comm.Get_size()
        self._backend = backend
        self._timeout = timeout
        self._name = name

    def rank(self):
        return self._rank

    def size(self):
        return self._size

    def name(self):
        return self._backend

    @property
    def group_name(self):
        return self._name

    @property
    def group_desc(self):
        return self._name

    @property
    def bound_device_id(self):
        return None

    def __repr__(self):
        return f"<ember.distributed.ProcessGroup {self._backend} ranks={self._ranks} rank={self._rank}>"


class GroupMember:
    WORLD = None
    NON_GROUP_MEMBER = -100


class group:
    """``dist.group.WORLD``: the default process group once initialized."""
    WORLD = None


class _State:
    world = None            # the default ProcessGroup
    groups = []             # every group made, the world first
    mpi_world = None        # the MPI world communicator (COMM_WORLD or the job's own)


_STATE = _State()


# --- availability -----------------------------------------------------------------------
def is_available():
    """True when the MPI engine (mpi4py) is installed: ``pip install 'ember[distributed]'``."""
    return _mpi.available()


def is_mpi_available():
    return _mpi.available()


def is_gloo_available():
    # "gloo" runs on the same MPI engine.
    return _mpi.available()


def is_nccl_available():
    return False


def is_ucc_available():
    return False


def is_backend_available(backend):
    return Backend(backend) in (Backend.MPI, Backend.GLOO) and _mpi.available()


def is_torchelastic_launched():
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def is_initialized():
    return _STATE.world is not None


# --- init ---------------------------------------------------------------------------------
def _parse_backend(backend):
    if backend is None:
        return Backend.GLOO
    name = str(backend).lower()
    if ":" in name:         # "cpu:gloo,cuda:nccl": the CPU entry is the one that runs here
        pairs = dict(p.split(":", 1) for p in name.split(",") if ":" in p)
        name = pairs.get("cpu", name)
    if name in (Backend.MPI, Backend.GLOO):
        return Backend(name)
    if name in (Backend.NCCL, Backend.UCC, Backend.XCCL):
        raise RuntimeError(f"Distributed package doesn't have {name.upper()} built in: ember is "
                           "CPU only; use backend='gloo' or 'mpi' (both run on MPI).")
    raise ValueError(f"Invalid backend: '{backend}'")


def _env_int(name):
    v = os.environ.get(name)
    return int(v) if v not in (None, "") else None


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Join the default process group of an MPI job.

    Start the ranks with ``ember run --nproc-per-node 2 train.py`` (or ``mpiexec -n 2 ember
    run train.py``); each then calls::

        import ember.distributed as dist
        dist.init_process_group("gloo")          # "mpi" is the same engine
        print(dist.get_rank(), dist.get_world_size())

    ``rank``/``world_size`` and the env:// variables (RANK, WORLD_SIZE) are checked against
    the MPI job, whose ranks are renumbered to match them. ``tcp://`` and ``file://``
    init_methods are accepted for compatibility: the MPI launcher already did the rendezvous.
    """
    if _STATE.world is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = _parse_backend(backend)
    limit = _timeout_seconds(timeout)
    init_method = init_method or "env://"
    if world_size is None or world_size < 0:
        world_size = _env_int("WORLD_SIZE") if init_method.startswith("env://") else None
    if rank is None or rank < 0:
        rank = _env_int("RANK") if init_method.startswith("env://") else None
    MPI = _mpi.load(lambda M: _rendezvous_if_needed(M, init_method, rank, world_size, limit))
    comm_world = MPI.COMM_WORLD
    size = comm_world.Get_size()
    if world_size is not None and world_size != size:
        raise ValueError(
            f"init_process_group: world_size={world_size} was asked for, but this process's MPI "
            f"world has {size} process(es) (MPI was started before, by mpiexec or by an earlier "
            f"init_process_group). Start the ranks with `ember run --nproc-per-node "
            f"{world_size} SCRIPT`, or as separate processes that each call init_process_group "
            f"with env:// (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) before anything starts MPI.")
    if rank is not None and not 0 <= rank < size:
        raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {size - 1}]")
    key = comm_world.Get_rank() if rank is None else rank
    probe = ProcessGroup(comm_world, range(size), name, limit)
    # Wait (with the timeout) until every rank has arrived before the blocking Split.
    _wait([comm_world.Ibarrier()], probe, "init_process_group")
    comm = comm_world.Split(0, key)
    if rank is not None and comm.Get_rank() != rank:
        comm.Free()
        raise ValueError(f"init_process_group: rank {rank} was asked for by more than one process")
    pg = ProcessGroup(comm, range(size), name, limit, group_name or "0")
    _STATE.world = pg
    _STATE.groups = [pg]
    GroupMember.WORLD = group.WORLD = pg


def _launched_by_mpi():
    e = os.environ
    return any(e.get(k) for k in ("PMI_FD", "PMI_PORT", "PMI_RANK", "PMIX_RANK",
                                  "OMPI_COMM_WORLD_RANK", "PMI_SIZE"))


def _rendezvous_if_needed(MPI, init_method, rank, world_size, limit):
    """Before MPI_Init: ranks that no MPI launcher started meet at MASTER_ADDR:MASTER_PORT."""
    if world_size is None or world_size <= 1 or _launched_by_mpi():
        return
    if rank is None:
        raise ValueError("init_process_group: rank is needed to join a world of processes that "
                         "no MPI launcher started (pass rank= or set RANK)")
    if init_method.startswith("tcp://"):
        addr, _, port = init_method[len("tcp://"):].partition("?")[0].rpartition(":")
    elif init_method.startswith("env://"):
        addr, port = os.environ.get("MASTER_ADDR"), os.environ.get("MASTER_PORT")
        if not addr or not port:
            missing = "MASTER_ADDR" if not addr else "MASTER_PORT"
            raise ValueError(f"Error initializing torch.distributed using env:// rendezvous: "
                             f"environment variable {missing} expected, but not set")
    else:
        raise ValueError(f"init_process_group: init_method {init_method!r} cannot bring together "
                         "processes that no MPI launcher started; use env:// or tcp://, or start "
                         f"them with `ember run --nproc-per-node {world_size} SCRIPT`")
    if _mpi.vendor(MPI) != "mpich":
        raise RuntimeError("init_process_group: joining processes that no MPI launcher started "
                           "needs MPICH (pip install mpich); with this MPI start them with "
                           f"`ember run --nproc-per-node {world_size} SCRIPT` or mpiexec")
    port = int(port)
    if os.environ.get("TORCHELASTIC_USE_AGENT_STORE") == "True":
        port += 1           # PyTorch's torchrun agent keeps its own store on MASTER_PORT
    from . import _rendezvous
    _rendezvous.prepare(rank, world_size, addr.strip("[]"), port, limit)
    grace = float(os.environ.get("EMBER_DIST_EXIT_GRACE", "2"))
    _mpi.exit_vote = lambda: _rendezvous.exit_vote(rank, grace)
    if rank == 0:
        _mpi.after_finalize.append(lambda: _rendezvous.finish(limit))


def _free_all():
    for pg in _STATE.groups:
        _free(pg)


_mpi.before_finalize.append(_free_all)


def destroy_process_group(group=None):
    """Free a group's communicator; with no argument, every group and the default one."""
    if group is None or group is _STATE.world:
        if _STATE.world is None:
            raise ValueError("Default process group has not been initialized, please make sure "
                             "to call init_process_group.")
        for pg in _STATE.groups:
            _free(pg)
        _STATE.world = None
        _STATE.groups = []
        GroupMember.WORLD = globals()["group"].WORLD = None
        return
    if group == GroupMember.NON_GROUP_MEMBER:
        return
    _free(group)
    if group in _STATE.groups:
        _STATE.groups.remove(group)


def _free(pg):
    if pg._comm is not None:
        try:
            pg._comm.Free()
        except Exception:   # the engine may already be finalizing
            pass
        pg._comm = None


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization=False, group_desc=None, device_id=None):
    """A process group over some global ranks (all of them by default).

    Ranks outside ``ranks`` get ``GroupMember.NON_GROUP_MEMBER``; group ranks follow the
    sorted global ranks, as in PyTorch."""
    world = _default("new_group")
    if ranks is None:
        ranks = list(range(world._size))
    ranks = sorted(set(int(r) for r in ranks))
    for r in ranks:
        if not 0 <= r < world._size:
            raise ValueError(f"The new group's rank should be within the world_size set by "
                             f"init_process_group, got {r}")
    name = world._backend if backend is None else _parse_backend(backend)
    limit = world._timeout if timeout is None else _timeout_seconds(timeout)
    if world._rank not in ranks:
        return GroupMember.NON_GROUP_MEMBER
    # Create_group is collective over the members only, so non-members need not take part.
    mpi_group = world._comm.Get_group().Incl(ranks)
    comm = world._comm.Create_group(mpi_group)
    mpi_group.Free()
    pg = ProcessGroup(comm, ranks, name, limit, group_desc or str(len(_STATE.groups)))
    _STATE.groups.append(pg)
    return pg


def new_subgroups_by_enumeration(ranks_per_subgroup_list, timeout=None, backend=None,
                                 pg_options=None, group_desc=None):
    """One group per list of ranks; returns (this rank's group, all of them)."""
    me, cur, subgroups = get_rank(), None, []
    for ranks in ranks_per_subgroup_list:
        pg = new_group(ranks, timeout, backend, group_desc=group_desc)
        subgroups.append(pg)
        if me in ranks:
            cur = pg
    return cur, subgroups


def new_subgroups(group_size=None, group=None, timeout=None, backend=None, pg_options=None,
                  group_desc=None):
    """Split the world into groups of ``group_size`` consecutive ranks."""
    world = get_world_size()
    group_size = group_size or world
    if group_size <= 0 or world % group_size:
        raise ValueError(f"The world size ({world}) must be divisible by group_size={group_size}")
    lists = [list(range(i, i + group_size)) for i in range(0, world, group_size)]
    return new_subgroups_by_enumeration(lists, timeout, backend, group_desc=group_desc)


def get_default_backend_for_device(device):
    return Backend.GLOO


def get_backend_config(group=None):
    return f"cpu:{get_backend(group)}"


def is_xccl_available():
    return False


def get_pg_count():
    return len(_STATE.groups)


# --- queries ------------------------------------------------------------------------------
def _default(what=None):
    if _STATE.world is None:
        raise ValueError("Default process group has not been initialized, please make sure to "
                         "call init_process_group.")
    return _STATE.world


def _resolve(group):
    """The ProcessGroup to run on, or None when this rank is not a member."""
    if group is None or group is GroupMember.WORLD:
        return _default()
    if group == GroupMember.NON_GROUP_MEMBER:
        return None
    _default()
    if group._comm is None:
        raise ValueError("The given group has been destroyed")
    return group


def get_rank(group=None):
    """This process's rank in ``group`` (the default group unless given); -1 for a non-member."""
    pg = _resolve(group)
    return -1 if pg is None else pg._rank


def get_world_size(group=None):
    """The number of ranks in ``group``; -1 for a non-member."""
    pg = _resolve(group)
    return -1 if pg is None else pg._size


def get_backend(group=None):
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return pg._backend


def get_global_rank(group, group_rank):
    pg = _resolve(group)
    if pg is None or not 0 <= group_rank < pg._size:
        raise ValueError(f"Group rank {group_rank} is not part of group {group}")
    return pg._ranks[group_rank]


def get_group_rank(group, global_rank):
    pg = _resolve(group)
    if pg is None or global_rank not in pg._ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {group}")
    return pg._ranks.index(global_rank)


def get_process_group_ranks(group):
    pg = _resolve(group)
    return [] if pg is None else list(pg._ranks)


def get_node_local_rank(fallback_rank=None):
    v = os.environ.get("LOCAL_RANK")
    if v is not None:
        return int(v)
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError("LOCAL_RANK is not in the environment. Consider passing fallback_rank "
                       "to allow `get_node_local_rank` to work, assuming you are not running "
                       "in a multi-device context and want the code to run locally instead.")
