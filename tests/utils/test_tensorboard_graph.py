"""add_graph / add_onnx_graph read back with TensorBoard's own reader and server, compared with
what PyTorch's add_graph writes for the same models; ember.fx.draw's DOT text."""
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import warnings

import numpy as np
import pytest

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.compat.proto import types_pb2

import ember
from ember.utils.tensorboard import SummaryWriter


def make_models(torch):
    """The same three models in either library (``torch`` is torch or ember)."""
    nn, F = torch.nn, torch.nn.functional

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(4, 8), nn.Linear(8, 3)

        def forward(self, x):
            return self.fc2(F.relu(self.fc1(x)))

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.pool = nn.Conv2d(1, 4, 3), nn.MaxPool2d(2)
            self.fc = nn.Linear(36, 10)
            self.seq = nn.Sequential(nn.ReLU(), nn.Dropout(0.1))

        def forward(self, x):
            return self.seq(self.fc(self.pool(F.relu(self.conv(x))).flatten(1)))

    class RNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn, self.head = nn.LSTM(3, 5, batch_first=True), nn.Linear(5, 2)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.head(out[:, -1])

    return {"mlp": (MLP, (2, 4)), "cnn": (CNN, (2, 1, 8, 8)), "rnn": (RNN, (2, 6, 3))}


def read_graph(logdir):
    acc = EventAccumulator(str(logdir))
    acc.Reload()
    return acc.Graph()


def ember_graph(tmp_path, name, model=None, x=None):
    if model is None:
        cls, shape = make_models(ember)[name]
        model, x = cls(), ember.randn(*shape)
    with SummaryWriter(tmp_path / "ember" / name) as w:
        w.add_graph(model, x)
    return read_graph(tmp_path / "ember" / name)


def torch_graph(tmp_path, name):
    torch = pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter as TorchWriter
    cls, shape = make_models(torch)[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TorchWriter(tmp_path / "torch" / name) as w:
            w.add_graph(cls(), torch.randn(*shape))
    return read_graph(tmp_path / "torch" / name)


def strip(name):
    """PyTorch's value names carry TorchScript's uniquing suffix: ``weight.1``."""
    return re.sub(r"\.\d+$", "", name)


def scope(name):
    return name.rpartition("/")[0]


def shapes(n):
    return [[d.size for d in s.dim] for s in n.attr["_output_shapes"].list.shape]


# PyTorch's ops that ember records differently: flatten is ember's reshape; eval-mode
# dropout is the identity in ember and records no op
ALIAS = {"aten::flatten": "aten::reshape"}
DROPPED = {"aten::dropout"}


def main_ops(gd):
    """The tensor ops in order, and the edges between them (through prim:: and dropped
    nodes), as ((scope, op type, shape), ...) and {(i, j)}."""
    by_name = {n.name: n for n in gd.node}
    ops = [n for n in gd.node if n.op.startswith("aten::") and n.op not in DROPPED]
    index = {n.name: i for i, n in enumerate(ops)}

    def producers(name, seen=()):
        n = by_name.get(name)
        if n is None or name in seen:
            return set()
        if n.name in index:
            return {index[n.name]}
        return set().union(*[producers(i, seen + (name,)) for i in n.input]) if n.input else set()

    edges = {(p, j) for j, n in enumerate(ops) for i in n.input for p in producers(i)}
    return [(scope(n.name), ALIAS.get(n.op, n.op), shapes(n)) for n in ops], edges


def params(gd):
    """{parameter node name: sorted scopes of the ops using it, through prim:: nodes}."""
    users = {}
    for n in gd.node:
        for i in n.input:
            users.setdefault(i, []).append(n)

    def op_scopes(name):
        out = set()
        for u in users.get(name, []):
            out |= op_scopes(u.name) if u.op.startswith("prim::") else {scope(u.name)}
        return out
    return {strip(n.name): sorted(op_scopes(n.name)) for n in gd.node if n.op == "prim::GetAttr"}


def io_nodes(gd):
    return sorted((strip(n.name), shapes(n)) for n in gd.node if n.op == "IO Node")


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_add_graph_matches_pytorch(tmp_path, name):
    """Same scoped names, op types, shapes and edges as PyTorch's add_graph writes."""
    ours, theirs = ember_graph(tmp_path, name), torch_graph(tmp_path, name)
    assert main_ops(ours) == main_ops(theirs)
    assert params(ours) == params(theirs)
    assert io_nodes(ours) == io_nodes(theirs)
    assert len({n.name for n in ours.node}) == len(ours.node)
    known = {n.name for n in ours.node}
    assert all(i in known for n in ours.node for i in n.input)        # no dangling edge
    for n in ours.node:
        if "_output_shapes" in n.attr:
            assert n.attr["dtype"].type == types_pb2.DT_FLOAT, n.name


def test_add_graph_rnn_scopes_and_parameters_match_pytorch(tmp_path):
    """An LSTM is ember's own ops inside the same scope; its parameters feed ops in that
    scope, one aten::lstm node per output as in PyTorch's graph, then the same head."""
    ours, theirs = ember_graph(tmp_path, "rnn"), torch_graph(tmp_path, "rnn")
    assert params(ours) == params(theirs)
    assert io_nodes(ours) == io_nodes(theirs)

    def lstm_outputs(gd):
        return sum(1 for n in gd.node if n.op == "aten::lstm" and scope(n.name) == "RNN/LSTM[rnn]")
    assert lstm_outputs(ours) == lstm_outputs(theirs) == 3
    assert {scope(n.name) for n in ours.node if n.op.startswith(("aten::", "ember::"))} == \
        {scope(n.name) for n in theirs.node if n.op.startswith("aten::") and n.op != "aten::size"}
    (o_last, t_last) = (main_ops(g)[0][-1] for g in (ours, theirs))
    assert o_last == t_last == ("RNN/Linear[head]", "aten::linear", [[2, 2]])


def test_add_graph_of_a_compiled_module_and_nested_scopes(tmp_path):
    cls, shape = make_models(ember)["cnn"]
    model, x = cls(), ember.randn(*shape)
    plain = ember_graph(tmp_path, "plain", model, x)
    cm = ember.compile(model)
    cm(x)
    compiled = ember_graph(tmp_path, "compiled", cm, x)
    assert [(n.name, n.op, list(n.input)) for n in compiled.node] == \
        [(n.name, n.op, list(n.input)) for n in plain.node]
    names = {n.name: n for n in plain.node}
    assert names["CNN/Sequential[seq]/ReLU[0]/relu_1"].op == "aten::relu"
    conv = names["CNN/Conv2d[conv]/conv"]
    assert conv.op == "aten::_convolution" and "stride" in conv.attr["attr"].s.decode()
    assert model.training                                      # eval only while tracing


def test_add_graph_records_past_a_graph_break(tmp_path):
    nn = ember.nn

    class Gate(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(4, 4), nn.Linear(4, 2)

        def forward(self, x):
            h = self.fc1(x)
            if h.sum() > -1e9:                       # data-dependent Python: a graph break
                h = h.relu()
            return self.fc2(h)

    with pytest.warns(UserWarning, match="graph breaks.*data-dependent"):
        gd = ember_graph(tmp_path, "gate", Gate(), ember.randn(3, 4))
    names = {n.name: n for n in gd.node}
    brk = [n for n in gd.node if n.op == "ember::GraphBreak"]
    assert len(brk) == 1 and "test_tensorboard_graph.py" in brk[0].attr["attr"].s.decode()
    assert names["Gate/Linear[fc2]/linear_1"].input[0] == "Gate/relu"        # still connected
    assert names["Gate/relu"].input[0] == "Gate/Linear[fc1]/linear"


def test_add_graph_of_a_function_with_several_inputs_and_outputs(tmp_path, capsys):
    def pair(x, y):
        return (x @ y).relu(), x.sum()

    with SummaryWriter(tmp_path) as w:
        w.add_graph(pair, [ember.randn(2, 3), ember.randn(3, 2)], verbose=True)
    assert "call_function[target=MatMul]" in capsys.readouterr().out        # verbose prints the IR
    gd = read_graph(tmp_path)
    io = {n.name: (list(n.input), shapes(n)) for n in gd.node if n.op == "IO Node"}
    assert io == {"input/x": ([], [[2, 3]]), "input/y": ([], [[3, 2]]),
                  "output/output.1": (["pair/relu"], [[2, 2]]), "output/output.2": (["pair/sum"], [[]])}
    model = ember.nn.Linear(3, 2)
    model.register_forward_hook(lambda *a: None)           # hooks are no graph break here
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gd = ember_graph(tmp_path, "hooked", model, ember.randn(1, 3))
    assert [n.op for n in gd.node] == ["IO Node", "prim::GetAttr", "prim::GetAttr", "aten::linear", "IO Node"]


def test_add_graph_needs_an_input(tmp_path):
    with SummaryWriter(tmp_path) as w, pytest.raises(TypeError, match="input_to_model"):
        w.add_graph(ember.nn.Linear(2, 2))


def test_add_onnx_graph_matches_pytorchs_reader(tmp_path, capsys):
    pytest.importorskip("onnx")
    pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter as TorchWriter
    cls, shape = make_models(ember)["cnn"]
    path = str(tmp_path / "cnn.onnx")
    ember.onnx.export(cls().eval(), (ember.randn(*shape),), path, input_names=["x"])
    with SummaryWriter(tmp_path / "ember") as w:
        w.add_onnx_graph(path)
    with TorchWriter(tmp_path / "torch") as w:
        w.add_onnx_graph(path)
    capsys.readouterr()                     # PyTorch's reader prints every node's name
    ours, theirs = read_graph(tmp_path / "ember"), read_graph(tmp_path / "torch")
    onnx_ops = {(n.name, n.op, tuple(n.input)) for n in theirs.node if n.op != "Variable"}
    assert onnx_ops == {(n.name, n.op, tuple(n.input)) for n in ours.node
                        if n.op not in ("Variable", "Const")}
    ops = [n.op for n in ours.node]
    assert "Conv" in ops and "MatMul" in ops and "Const" in ops
    x = next(n for n in ours.node if n.name == "x")
    assert x.op == "Variable" and [d.size for d in x.attr["shape"].shape.dim] == list(shape)
    known = {n.name for n in ours.node}
    assert all(i.split(":")[0] in known for n in ours.node for i in n.input)
    assert any("_output_shapes" in n.attr for n in ours.node if n.op == "Conv")


def test_tensorboard_server_serves_the_graph(tmp_path):
    """The real `tensorboard` server's graphs plugin serves the GraphDef ember wrote."""
    from google.protobuf import text_format
    from tensorboard.compat.proto.graph_pb2 import GraphDef
    written = ember_graph(tmp_path / "logs", "mlp")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-c", "from tensorboard.main import run_main; run_main()", "--logdir",
           str(tmp_path / "logs"), "--host", "127.0.0.1", "--port", str(port), "--load_fast", "false",
           "--reload_interval", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def get(path, **query):
        url = f"http://127.0.0.1:{port}{path}?" + urllib.parse.urlencode(query)
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.read().decode()

    try:
        deadline, info, err = time.monotonic() + 90, None, None
        while time.monotonic() < deadline and info is None:
            if proc.poll() is not None:
                pytest.fail("tensorboard exited: " + proc.stderr.read()[-2000:])
            try:
                runs = json.loads(get("/data/plugin/graphs/info"))
                if "ember/mlp" in runs and runs["ember/mlp"].get("run_graph"):
                    info = runs["ember/mlp"]
            except OSError as e:           # not listening yet
                err = e
            if info is None:
                time.sleep(0.5)
        assert info is not None, f"tensorboard did not serve the graph within 90 s ({err})"
        body = get("/data/plugin/graphs/graph", run="ember/mlp", limit_attr_size=1024,
                   large_attrs_key="_too_large_attrs")
        served = text_format.Parse(body, GraphDef())
        assert [(n.name, n.op, list(n.input)) for n in served.node] == \
            [(n.name, n.op, list(n.input)) for n in written.node]
        assert info["tags"]["step1"]["profile"]          # the run metadata, tagged as PyTorch tags it
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


# --- ember.fx.draw ------------------------------------------------------------------------
def test_draw_a_compiled_module():
    pytest.importorskip("graphviz")
    cls, shape = make_models(ember)["mlp"]
    cm = ember.compile(cls())
    x = ember.randn(*shape)
    with ember.no_grad():
        cm(x)
    src = ember.fx.draw(cm).source
    assert "subgraph cluster_g0_fc1" in src and 'label="fc1: Linear"' in src
    assert 'label="Linear\n(2, 8) float32"' in src and 'label="Relu\n(2, 8) float32"' in src
    assert 'label="x\n(2, 4) float32"' in src
    assert "g0_fc1_weight -> g0_linear" in src and "g0_x -> g0_linear" in src
    assert "backward" not in src                       # inference graph: no gradient part
    g = cm._ember_compiled.graphs()[0].graph
    assert ember.fx.draw(g).source == src.replace(f"{type(cm._orig_mod).__name__}.forward #0", "graph")


def test_draw_training_graph_and_explain_breaks(tmp_path):
    pytest.importorskip("graphviz")
    cls, shape = make_models(ember)["mlp"]
    cm = ember.compile(cls())
    cm(ember.randn(*shape))
    assert "cluster_g0_backward" in ember.fx.draw(cm).source      # the derived backward

    def loop(a, b):
        while (a < b)[0]:
            a = a + 2
            b = b + 1
        return a + b
    e = ember._dynamo.explain(loop)(ember.tensor([0.0]), ember.tensor([3.0]))
    src = ember.fx.draw(e).source
    assert src.count("graph break\n") == e.graph_break_count >= 1
    assert "test_tensorboard_graph.py" in src and "cluster_g1_graph" in src
    if shutil.which("dot"):
        ember.fx.draw(e, tmp_path / "loop.svg")
        assert (tmp_path / "loop.svg").read_text().lstrip().startswith("<?xml")


def test_draw_without_graphviz_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match="pip install graphviz"):
        ember.fx.draw(ember.fx.Graph())
    with pytest.raises(TypeError, match="ember.fx.draw expects"):
        monkeypatch.delitem(sys.modules, "graphviz")
        ember.fx.draw(np.zeros(2))
