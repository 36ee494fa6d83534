"""`ember export` and `ember inspect`, run as the user runs them (subprocesses: the model file
does `import torch`, which the command resolves to ember)."""
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MODEL = textwrap.dedent("""
    import torch
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3)
            self.fc = nn.Linear(4, 2)

        def forward(self, image):
            return self.fc(self.conv(image).relu().mean((2, 3)))

    def make():
        torch.manual_seed(0)
        return Net()
""")


def _ember(args, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "ember", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_export_then_inspect(tmp_path):
    (tmp_path / "nets.py").write_text(MODEL)
    r = _ember(["export", "nets.py:make", "--example-shape", "2,3,8,8", "-o", "net.pt2",
                "--onnx", "net.onnx", "--batch-max", "32"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "image            float32[batch, 3, 8, 8]  batch in [1, 32]" in r.stdout
    assert (tmp_path / "net.pt2").exists() and (tmp_path / "net.onnx").exists()
    r = _ember(["inspect", "net.pt2"], tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "op set ember v1" in out
    assert "output           float32[batch, 2]  batch in [1, 32]" in out
    assert "nn._functional.conv.Conv" in out and "ops.matmul.Linear" in out
    assert "outputs reproduce" in out
    # MODULE:NAME works too, from the current folder
    r = _ember(["export", "nets:Net", "--example-shape", "1,3,8,8", "--static", "-o", "s.pt2"],
               tmp_path)
    assert r.returncode == 0, r.stderr
    assert "float32[1, 3, 8, 8]" in r.stdout
    r = _ember(["export", "nets:Net", "--example-shape", "2,3,9,9", "--dynamic-dim", "2:h:4:64",
                "--dynamic-dim", "3:w:4:64", "-o", "hw.pt2"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "float32[batch, 3, h, w]  batch in [1, 4096]  h in [4, 64]  w in [4, 64]" in r.stdout


def test_inspect_refuses_a_corrupted_file(tmp_path):
    (tmp_path / "bad.pt2").write_bytes(b"PK\x03\x04 not really a zip")
    r = _ember(["inspect", "bad.pt2"], tmp_path)
    assert r.returncode == 1
    assert "not an ember export file" in r.stderr


def test_export_errors_are_clear(tmp_path):
    (tmp_path / "nets.py").write_text(MODEL + textwrap.dedent("""
        class Branchy(nn.Module):
            def forward(self, x):
                if x.sum() > 0:
                    return x
                return -x
    """))
    r = _ember(["export", "nets.py:Branchy", "--example-shape", "2,3", "-o", "b.pt2"], tmp_path)
    assert r.returncode == 1
    assert "nets.py:" in r.stderr and "data-dependent" in r.stderr
    r = _ember(["export", "nets.py:nothing", "--example-shape", "2,3", "-o", "b.pt2"], tmp_path)
    assert r.returncode != 0 and "has no 'nothing'" in r.stderr


@pytest.mark.parametrize("cmd", ["export", "inspect"])
def test_help(cmd, tmp_path):
    r = _ember([cmd, "--help"], tmp_path)
    assert r.returncode == 0 and f"ember {cmd}" in r.stdout
