"""The `ember` command: `ember run` makes an unmodified PyTorch script run on ember."""
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_ember(args, cwd, launcher="module", check=True):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
               OMP_NUM_THREADS="1")
    if launcher == "module":
        cmd = [sys.executable, "-m", "ember", *args]
    else:
        cmd = [launcher, *args]
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    if check:
        assert p.returncode == 0, f"exit {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    return p


def write(folder, name, source):
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


TRAIN_SCRIPT = """
    import sys
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.utils.data import DataLoader, TensorDataset

    print("lib", torch.__name__, torch.nn.__name__, nn is torch.nn)
    print("spec", torch.__spec__.name, nn.__spec__.name)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.standard_normal((16, 3)).astype(np.float32))
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(30):
        for xb, yb in DataLoader(TensorDataset(x, y), batch_size=8):
            opt.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
    print("weights", " ".join(f"{v:.2f}" for v in model.weight.detach().numpy().ravel()))
    print("final loss below 1e-3:", loss.item() < 1e-3)
"""


def test_run_resolves_torch_to_ember(tmp_path):
    write(tmp_path, "train.py", TRAIN_SCRIPT)
    out = run_ember(["run", "train.py"], cwd=tmp_path).stdout
    assert "lib ember ember.nn True" in out
    assert "spec ember ember.nn" in out            # the modules keep their real __spec__
    assert "weights 1.00 -2.00 0.50" in out
    assert "final loss below 1e-3: True" in out


def test_argv_name_and_script_folder(tmp_path):
    sub = tmp_path / "proj"
    sub.mkdir()
    write(sub, "helper.py", "VALUE = 42\n")
    write(sub, "main.py", """
        import os, sys
        import helper
        import torch
        print("argv", sys.argv)
        print("name", __name__)
        print("helper", helper.VALUE)
        print("path0", os.path.realpath(sys.path[0]) == os.path.realpath(os.path.dirname(__file__)))
        print("tensor", torch.tensor([1, 2, 3]).sum().item())
        sys.exit(int(sys.argv[-1]) if sys.argv[-1].isdigit() else 0)
    """)
    out = run_ember(["run", "proj/main.py", "--epochs", "3", "-m", "x"], cwd=tmp_path).stdout
    assert "argv ['proj/main.py', '--epochs', '3', '-m', 'x']" in out
    assert "name __main__" in out
    assert "helper 42" in out
    assert "path0 True" in out
    assert "tensor 6" in out
    # the script's exit status is the command's
    assert run_ember(["run", "proj/main.py", "7"], cwd=tmp_path, check=False).returncode == 7


def test_missing_attribute_names_the_api(tmp_path):
    write(tmp_path, "bad.py", """
        import torch
        import torch.nn as nn
        print("hasattr", hasattr(nn, "NotARealLayer"))
        layer = nn.NotARealLayer(3)
    """)
    p = run_ember(["run", "bad.py"], cwd=tmp_path, check=False)
    assert p.returncode == 1
    assert "hasattr False" in p.stdout
    assert "AttributeError: torch.nn.NotARealLayer is not implemented in ember" in p.stderr
    # the traceback is the user's, not the launcher's
    assert "bad.py" in p.stderr and "cli.py" not in p.stderr


@pytest.mark.parametrize("stmt, missing", [
    ("import torch.nn.not_a_module", "torch.nn.not_a_module"),
    ("import torch.not_a_package.sub", "torch.not_a_package"),
    ("from torch.not_a_package import thing", "torch.not_a_package"),
    ("from torch import not_a_name", "torch.not_a_name"),
    ("from torch.nn import NotARealLayer", "torch.nn.NotARealLayer"),
])
def test_missing_module_names_the_api(tmp_path, stmt, missing):
    write(tmp_path, "bad.py", f"import torch\n{stmt}\n")
    p = run_ember(["run", "bad.py"], cwd=tmp_path, check=False)
    assert p.returncode == 1
    assert f"ModuleNotFoundError: {missing} is not implemented in ember" in p.stderr, p.stderr


def test_missing_api_is_catchable_as_import_error(tmp_path):
    write(tmp_path, "opt.py", """
        try:
            import torch.not_a_package
        except ImportError as e:
            print("caught", type(e).__name__)
        import torch
        print("getattr default", getattr(torch, "not_a_name", "fallback"))
    """)
    out = run_ember(["run", "opt.py"], cwd=tmp_path).stdout
    assert "caught ModuleNotFoundError" in out
    assert "getattr default fallback" in out


def test_run_module(tmp_path):
    pkg = tmp_path / "mypkg"
    pkg.mkdir()
    write(pkg, "__init__.py", "")
    write(pkg, "train.py", """
        import sys
        import torch
        print("module", __name__, torch.__name__, sys.argv[1:])
    """)
    out = run_ember(["run", "-m", "mypkg.train", "a", "--b"], cwd=tmp_path).stdout
    assert "module __main__ ember ['a', '--b']" in out


def test_version_and_usage(tmp_path):
    out = run_ember(["--version"], cwd=tmp_path).stdout
    assert out.startswith("ember ") and "PyTorch API" in out
    p = run_ember([], cwd=tmp_path, check=False)
    assert p.returncode == 2 and "run SCRIPT" in p.stderr
    p = run_ember(["run", "no_such_file.py"], cwd=tmp_path, check=False)
    assert p.returncode == 2 and "no_such_file.py" in p.stderr
    p = run_ember(["frobnicate"], cwd=tmp_path, check=False)
    assert p.returncode == 2 and "unknown command" in p.stderr


@pytest.mark.skipif(shutil.which("ember") is None, reason="the `ember` console script is not installed")
def test_console_script(tmp_path):
    write(tmp_path, "s.py", "import torch, sys\nprint(torch.__name__, sys.argv[1:])\n")
    out = run_ember(["run", "s.py", "x"], cwd=tmp_path, launcher=shutil.which("ember")).stdout
    assert "ember ['x']" in out


def test_alias_finder_in_process():
    """The finder itself, without a subprocess: aliasing, real specs, and clean removal."""
    from ember import _torch_shim
    saved = {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}
    try:
        _torch_shim.install()
        import importlib
        t = importlib.import_module("torch")
        tnn = importlib.import_module("torch.nn.functional")
        import ember
        import ember.nn.functional
        assert t is ember and tnn is ember.nn.functional
        assert ember.__spec__.name == "ember" and ember.nn.functional.__spec__.name == "ember.nn.functional"
        with pytest.raises(ModuleNotFoundError, match="torch.nn.nope is not implemented in ember"):
            importlib.import_module("torch.nn.nope")
    finally:
        _torch_shim.uninstall()
        sys.modules.update(saved)
