"""Every workload in ../shared/workloads prints the same numbers under ember as under PyTorch.

The workloads are real PyTorch programs; ../shared/workloads/compare.py runs each one under
PyTorch and under ember (with `import torch` resolving to ember) and compares every number
printed. The folder sits beside the repository (a CI checkout has ../shared next to it); when
it is absent these tests are skipped with a message saying where they looked.
"""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = os.environ.get("EMBER_WORKLOADS_DIR",
                           os.path.normpath(os.path.join(ROOT, "..", "shared", "workloads")))
HELPERS = {"compare.py", "run_as.py", "common.py"}


def _workloads():
    if not os.path.isdir(WORKLOADS):
        return []
    return sorted(f for f in os.listdir(WORKLOADS) if f.endswith(".py") and f not in HELPERS)


def _env():
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


missing = pytest.mark.skipif(not os.path.isdir(WORKLOADS),
                             reason=f"workloads folder not found at {WORKLOADS} "
                                    "(expected ../shared/workloads beside the repository)")


@missing
@pytest.mark.parametrize("name", _workloads() or ["<none>"])
def test_workload_matches_pytorch(name):
    p = subprocess.run([sys.executable, os.path.join(WORKLOADS, "compare.py"), "--lib", "ember",
                        os.path.join(WORKLOADS, name)],
                       capture_output=True, text=True, env=_env(), timeout=600, cwd=ROOT)
    assert p.returncode == 0 and "1 passed, 0 failed" in p.stdout, p.stdout[-4000:] + p.stderr[-2000:]


@missing
@pytest.mark.parametrize("name", ["seed_while.py", "linear_regression.py"])
def test_ember_run_gives_the_harness_output(name):
    """`python -m ember run W.py` prints exactly what the harness's own aliasing prints."""
    script = os.path.join(WORKLOADS, name)
    outs = []
    for cmd in ([sys.executable, "-m", "ember", "run", script],
                [sys.executable, os.path.join(WORKLOADS, "run_as.py"), "ember", script]):
        p = subprocess.run(cmd, capture_output=True, text=True, env=dict(_env(), PYTHONHASHSEED="0"),
                           timeout=300, cwd=WORKLOADS)
        assert p.returncode == 0, p.stderr[-3000:]
        outs.append(p.stdout)
    assert outs[0] == outs[1]
