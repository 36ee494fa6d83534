"""The real torchviz draws ember's autograd graph as it draws PyTorch's.

torchviz does ``import torch``; ember's drawings are made under ``ember run`` (which resolves
``torch`` to ember) in one subprocess, PyTorch's here, and the Digraph bodies must be equal
line for line once node ids (``id()`` of objects) are numbered by first appearance.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import ember

pytest.importorskip("torchviz")
torch = pytest.importorskip("torch")
from torchviz import make_dot  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import torchviz_cases as cases  # noqa: E402

CASES = sorted(cases.CASES)
pytestmark = pytest.mark.filterwarnings("ignore:distutils Version classes:DeprecationWarning")


@pytest.fixture(scope="module")
def ember_drawings():
    script = os.path.join(os.path.dirname(__file__), "torchviz_cases.py")
    r = subprocess.run([sys.executable, "-m", "ember", "run", script], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout)


@pytest.mark.parametrize("name", CASES)
def test_same_drawing_as_pytorch(name, ember_drawings):
    if name.startswith("lstm") and not torch.backends.mkldnn.is_available():
        pytest.skip("PyTorch runs an LSTM layer as one MkldnnRnnLayerBackward0 only with oneDNN")
    got = ember_drawings[name]
    assert not isinstance(got, str), got          # the error the script caught
    assert got == cases.draw(torch, make_dot, name)


def _ember_torchviz():
    """torchviz imported against ember (what `ember run` does), in this process."""
    from ember import _torch_shim
    saved = {k: sys.modules.pop(k) for k in list(sys.modules)
             if k.split(".")[0] in ("torch", "torchviz")}
    _torch_shim.install()
    try:
        import torchviz.dot as dot
        return dot
    finally:
        _torch_shim.uninstall()
        for k in [k for k in sys.modules if k.split(".")[0] == "torchviz"]:
            del sys.modules[k]
        sys.modules.update(saved)


@pytest.fixture(scope="module")
def ember_make_dot():
    return _ember_torchviz().make_dot


@pytest.mark.parametrize("opts", [{}, {"show_attrs": True}, {"show_saved": True}])
def test_plain_options(opts, ember_make_dot):
    for name in ("mlp", "cnn"):
        assert cases.draw(ember, ember_make_dot, name, **opts) == cases.draw(torch, make_dot, name, **opts)


@pytest.mark.parametrize("name", ["mlp", "custom_function", "gru", "lstm", "attention"])
def test_backward_after_drawing_is_unchanged(name, ember_make_dot):
    def grads(draw):
        ember.manual_seed(0)
        loss, params = cases.CASES[name](ember)
        if draw:
            ember_make_dot(loss, params=params, show_attrs=True, show_saved=True)
        loss.backward()
        return [p.grad.numpy().copy() for p in params.values()]
    for a, b in zip(grads(False), grads(True), strict=True):
        np.testing.assert_array_equal(a, b)


def test_grad_fn_surface():
    model = ember.nn.Linear(3, 2)
    x = ember.randn(4, 3)
    y = model(x)
    fn = y.grad_fn
    assert fn.name() == "AddmmBackward0" and "grad_fn=<AddmmBackward0>" in repr(y)
    assert type(fn).__name__ == "Linear"                    # the op class, until looked at:
    (b, _), (inp, _), (t, _) = fn.next_functions
    assert inp is None and type(t).__name__ == "TBackward0" and type(fn).__name__ == "AddmmBackward0"
    assert b.variable is model.bias and t.next_functions[0][0].variable is model.weight
    assert fn.next_functions[0][0] is b                     # one AccumulateGrad per leaf
    assert fn._saved_mat1 is x and fn._saved_mat2 is None   # mat2 only when x needs a gradient
    assert fn._saved_mat2_sym_sizes == (3, 2) and fn._saved_alpha == 1
    assert type(fn).__qualname__ == "Linear"                # ember's op name is kept
    assert isinstance(fn.metadata, dict) and isinstance(b.metadata, dict)
    v = model.weight[0]
    assert v._is_view() and v._base is model.weight and not model.weight._is_view()
    y.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        fn._saved_mat1
    assert [type(f).__name__ for f, _ in fn.next_functions if f is not None] == \
        ["AccumulateGrad", "TBackward0"]                    # the layout survives the freeing


def test_saved_after_backward_as_pytorch():
    for lib in (ember, torch):
        model = lib.nn.Linear(3, 2)
        y = model(lib.randn(4, 3, requires_grad=True)).sum()
        fn = y.grad_fn.next_functions[0][0]
        assert fn._saved_mat1_sym_sizes == (4, 3)
        y.backward()
        assert fn._saved_mat1_sym_sizes == (4, 3) and fn._saved_alpha == 1
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            fn._saved_mat1


def test_render_with_graphviz(tmp_path, ember_make_dot):
    import shutil
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed (the DOT source is compared above)")
    loss, params = cases.cnn(ember)
    path = ember_make_dot(loss, params=params, show_attrs=True, show_saved=True).render(
        str(tmp_path / "cnn"), format="svg")
    assert "ConvolutionBackward0" in open(path).read()
