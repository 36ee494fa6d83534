"""torch.distributed on MPI: 2 ranks on this machine, each launch bounded by a timeout.

Collectives are checked against NumPy inside the ranks (scripts/collectives.py); DDP training
is compared with one process on the concatenated batch and with PyTorch's own torchrun + gloo
(scripts/ddp_train.py is a plain PyTorch program).
"""
import importlib.util
import os
import re
import socket
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts")
HAVE_MPI = importlib.util.find_spec("mpi4py") is not None
needs_mpi = pytest.mark.skipif(not HAVE_MPI, reason="mpi4py is not installed "
                               "(pip install -r requirements-test.txt)")


def _env():
    env = dict(os.environ, OMP_NUM_THREADS="1",
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "PMI_RANK",
              "PMI_SIZE", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "EMBER_RANK_FROM_MPI"):
        env.pop(k, None)
    return env


def run(cmd, timeout=60, cwd=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env(),
                          cwd=cwd or SCRIPTS)


def ember(*args, timeout=60, cwd=None):
    return run([sys.executable, "-m", "ember", "run", *args], timeout, cwd)


def ok(p):
    assert p.returncode == 0, f"exit {p.returncode}\nstdout:\n{p.stdout[-3000:]}\nstderr:\n{p.stderr[-3000:]}"
    return p


def losses(text):
    return [float(x) for x in re.findall(r"step \d+ loss ([-\d.e]+)", text)]


def test_import_ember_never_imports_mpi4py():
    code = ("import sys, ember, ember.distributed, ember.nn.parallel, ember.utils.data\n"
            "from ember.nn.parallel import DistributedDataParallel\n"
            "assert 'mpi4py' not in sys.modules, 'mpi4py imported'\n")
    ok(run([sys.executable, "-c", code]))


def test_without_the_engine_is_available_is_false_and_init_says_how_to_install():
    code = textwrap.dedent("""
        import sys
        class Block:                      # as if mpi4py were not installed
            def find_spec(self, name, path=None, target=None):
                if name == "mpi4py" or name.startswith("mpi4py."):
                    raise ModuleNotFoundError(name)
        sys.meta_path.insert(0, Block())
        import ember.distributed as dist
        assert dist.is_available() is False
        try:
            dist.init_process_group("gloo")
        except RuntimeError as e:
            assert "pip install" in str(e) and "ember[distributed]" in str(e), e
            print("said", e)
        else:
            raise AssertionError("init_process_group did not fail")
    """)
    assert "said" in ok(run([sys.executable, "-c", code])).stdout


@needs_mpi
def test_single_process_group_api():
    code = textwrap.dedent("""
        import ember as torch
        import ember.distributed as dist
        try:
            dist.get_rank()
        except ValueError as e:
            assert "has not been initialized" in str(e)
        assert not dist.is_initialized() and dist.is_available()
        assert repr(dist.ReduceOp.SUM) == "<RedOpType.SUM: 0>" and str(dist.ReduceOp.MAX) == "RedOpType.MAX"
        assert dist.Backend("GLOO") == "gloo" and dist.Backend.MPI == "mpi"
        try:
            dist.init_process_group("nccl")
        except RuntimeError as e:
            assert "NCCL" in str(e)
        from datetime import timedelta
        try:                        # rank 1 of 2, and nobody serves as rank 0
            dist.init_process_group("gloo", init_method="tcp://127.0.0.1:%d" % PORT, rank=1,
                                    world_size=2, timeout=timedelta(seconds=0.5))
        except RuntimeError as e:
            assert "found no rank 0" in str(e), e
        dist.init_process_group("gloo", init_method="tcp://127.0.0.1:1", rank=0, world_size=1)
        assert (dist.get_rank(), dist.get_world_size(), dist.get_backend()) == (0, 1, "gloo")
        try:
            dist.init_process_group("gloo")
        except ValueError as e:
            assert "twice" in str(e)
        t = torch.tensor([1.0, 2.0])
        w = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
        assert w.wait() and w.get_future().wait()[0] is t and t.tolist() == [1.0, 2.0]
        assert t._version == 1
        objs = [None]
        dist.all_gather_object(objs, {"a": 1})
        assert objs == [{"a": 1}]
        dist.destroy_process_group()
        assert not dist.is_initialized() and dist.group.WORLD is None
        print("fine")
    """).replace("PORT", str(_free_port()))
    assert "fine" in ok(run([sys.executable, "-c", code])).stdout


@needs_mpi
def test_collectives_on_two_ranks_match_numpy():
    p = ok(ember("--nproc-per-node", "2", "collectives.py"))
    for rank in (0, 1):
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith(f"[rank{rank}]: ok")]
        assert len(lines) >= 21, p.stdout
    assert "ok all_reduce AVG" in p.stdout and "ok send/recv" in p.stdout


@needs_mpi
@pytest.mark.parametrize("flags", [["--shuffle"], ["--accumulate", "--tiny-buckets"],
                                   ["--tiny-buckets", "--hook"]],
                         ids=["shuffle", "no_sync+buckets", "comm_hook"])
def test_ddp_matches_one_process_on_the_concatenated_batch(tmp_path, flags):
    two, one = str(tmp_path / "two.npz"), str(tmp_path / "one.npz")
    p2 = ok(ember("--nproc-per-node", "2", "ddp_train.py", two, *flags))
    p1 = ok(ember("ddp_train.py", one, *flags))
    assert len(losses(p2.stdout)) == 10
    np.testing.assert_allclose(losses(p2.stdout), losses(p1.stdout), rtol=1e-5, atol=1e-6)
    a, b = np.load(two), np.load(one)
    assert sorted(a.files) == sorted("module." + k for k in b.files)
    for k in b.files:
        np.testing.assert_allclose(a["module." + k], b[k], rtol=1e-5, atol=1e-6, err_msg=k)


@needs_mpi
def test_ddp_tied_weight_and_unused_parameter():
    two = ok(ember("--nproc-per-node", "2", "--no-prefix", "ddp_tied.py")).stdout
    one = ok(ember("ddp_tied.py")).stdout
    assert two == one and "unused.weight" in one, (two, one)


@needs_mpi
def test_ddp_gradients_the_forward_did_not_announce():
    # two forwards before one backward, and a penalty on a weight outside the module
    one = ok(ember("ddp_late.py")).stdout
    for flags in ([], ["--buckets"]):
        two = ok(ember("--nproc-per-node", "2", "--no-prefix", "ddp_late.py", *flags)).stdout
        assert two == one, (flags, two, one)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@needs_mpi
def test_ddp_same_numbers_as_torchrun_with_gloo(tmp_path):
    torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
    if importlib.util.find_spec("torch") is None or not os.path.exists(torchrun):
        pytest.skip("PyTorch's torchrun is not installed")
    ref, got = str(tmp_path / "torch.npz"), str(tmp_path / "ember.npz")
    for attempt in range(2):    # PyTorch's gloo sometimes crashes at exit ("terminate called")
        pt = run([torchrun, "--nproc-per-node", "2", "--master-addr", "127.0.0.1",
                  "--master-port", str(_free_port()), "ddp_train.py", ref, "--accumulate",
                  "--hook"], timeout=150)
        if pt.returncode == 0 or "terminate called" not in pt.stderr:
            break
    ok(pt)
    pe = ok(ember("--nproc-per-node", "2", "ddp_train.py", got, "--accumulate", "--hook"))
    np.testing.assert_allclose(losses(pe.stdout), losses(pt.stdout), rtol=1e-4, atol=1e-6)
    assert len(losses(pt.stdout)) == 10
    a, b = np.load(got), np.load(ref)
    assert sorted(a.files) == sorted(b.files)
    for k in b.files:
        np.testing.assert_allclose(a[k], b[k], rtol=1e-4, atol=1e-5, err_msg=k)


@needs_mpi
def test_ranks_started_by_multiprocessing_spawn_meet_through_master_addr():
    p = ok(ember("spawn_ddp.py", str(_free_port()), timeout=40))
    # "lib ember": the spawned children run ember too, not an installed PyTorch
    assert ("weight [[1.0, 1.0, 1.0]] grad [[3.0, 3.0, 3.0]] sum 1.0 world 2 lib ember"
            in p.stdout), p.stdout
    assert "all done" in p.stdout
    p = ember("spawn_ddp.py", str(_free_port()), "fail", timeout=40)
    assert p.returncode != 0 and "worker 1 fails on purpose" in p.stderr, p.stderr[-2000:]


FAILING = """
import os, sys
import torch
from datetime import timedelta
from torch.distributed import init_process_group, destroy_process_group, all_reduce, get_rank
mode = sys.argv[1]
init_process_group("gloo", timeout=timedelta(seconds=2))
if get_rank() == 1:
    if mode == "raise":
        raise ValueError("rank 1 gives up")
    if mode == "exit":
        sys.exit(3)
    if mode == "quit":
        sys.exit(0)                 # done early, cleanly: rank 0 waits and must time out
    if mode == "leave":
        os._exit(0)                 # gone without shutting MPI down
t = torch.ones(2)
all_reduce(t)
destroy_process_group()
print("finished")
"""


@needs_mpi
@pytest.mark.parametrize("mode,code", [("raise", 1), ("exit", 3), ("quit", 1), ("leave", 1)])
def test_a_failing_rank_stops_the_job_with_a_nonzero_exit(tmp_path, mode, code):
    script = tmp_path / "fail.py"
    script.write_text(FAILING)
    t = time.monotonic()
    p = ember("--nproc-per-node", "2", str(script), mode, timeout=40)
    took = time.monotonic() - t
    assert p.returncode != 0, p.stdout + p.stderr
    assert p.returncode == code, p.stderr[-2000:]
    assert took < 30
    out = p.stdout + p.stderr
    if mode == "raise":
        assert "[rank1]: ValueError: rank 1 gives up" in out
    if mode == "quit":
        assert "[rank0]: ember.distributed.DistBackendError: [rank 0] all_reduce timed out after 2 s" in out
    if mode == "leave":
        assert "did not finish" in out
    assert "finished" not in out


@needs_mpi
def test_launcher_spellings_and_env(tmp_path):
    script = tmp_path / "env.py"
    script.write_text(textwrap.dedent("""
        import os, torch.distributed as dist
        keys = ["RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"]
        print(" ".join(f"{k}={os.environ[k]}" for k in keys), dist.is_torchelastic_launched())
    """))
    p = ok(run([sys.executable, "-m", "ember", "torchrun", "--standalone", "--nnodes=1",
                "--nproc_per_node=2", "--master_port=29999", "--no-prefix", str(script)]))
    lines = sorted(p.stdout.splitlines())
    assert lines == [f"RANK={r} LOCAL_RANK={r} WORLD_SIZE=2 LOCAL_WORLD_SIZE=2 "
                     f"MASTER_ADDR=127.0.0.1 MASTER_PORT=29999 True" for r in (0, 1)], p.stdout
    p = ok(ember("-m", "torch.distributed.run", "--nproc-per-node", "2", str(script)))
    assert sorted(p.stdout.splitlines())[1].startswith("[rank1]: RANK=1 LOCAL_RANK=1"), p.stdout
    p = ok(ember("--nproc-per-node", "1", str(script)))
    assert p.stdout.startswith("[rank0]: RANK=0"), p.stdout
    p = ember("--nproc-per-node", "2", "--nnodes", "2", str(script))
    assert p.returncode != 0 and "mpiexec" in p.stderr
