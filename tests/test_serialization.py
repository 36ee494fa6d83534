"""torch.save / torch.load: files move both ways between ember and PyTorch."""
import collections
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch

import ember


def _np(x):
    return x.detach().numpy() if isinstance(x, torch.Tensor) else x.detach().numpy()


def test_ember_file_loads_in_torch(tmp_path):
    a = ember.arange(12.).reshape(3, 4)
    obj = {
        "a": a, "t": a.t(), "s": a[1:, 2:], "i": ember.tensor([1, 2, 3]), "i32": ember.tensor([1], dtype=ember.int32),
        "b": ember.tensor([True, False]), "h": ember.ones(3, dtype=ember.float16),
        "u8": ember.tensor([255], dtype=ember.uint8), "i8": ember.tensor([-3], dtype=ember.int8),
        "d": ember.tensor([1.5], dtype=ember.float64), "z": ember.tensor(3.5), "e": ember.zeros(0, 3),
        "nested": [1, 2.5, "str", (3, ember.float32), {"x": None}], "sz": a.shape, "by": b"ab",
        "od": collections.OrderedDict(k=ember.ones(1)),
    }
    p = tmp_path / "e.pt"
    ember.save(obj, p)
    r = torch.load(p, weights_only=True)
    for k in ("a", "t", "s", "i", "i32", "b", "h", "u8", "i8", "d", "z", "e"):
        assert str(r[k].dtype) == str(obj[k].dtype), k
        np.testing.assert_array_equal(r[k].numpy(), obj[k].numpy())
    # views share one storage, with PyTorch's strides and offsets
    assert r["t"].untyped_storage().data_ptr() == r["a"].untyped_storage().data_ptr()
    assert r["t"].stride() == (1, 4) and r["s"].stride() == (4, 1) and r["s"].storage_offset() == 6
    assert r["nested"][:3] == [1, 2.5, "str"] and r["nested"][3] == (3, torch.float32)
    assert r["sz"] == torch.Size([3, 4]) and r["by"] == b"ab" and isinstance(r["od"], collections.OrderedDict)
    names = zipfile.ZipFile(p).namelist()
    assert names[0] == "e/data.pkl" and "e/version" in names and "e/.data/serialization_id" in names


def test_zip_layout_is_aligned(tmp_path):
    p = tmp_path / "x.pt"
    ember.save({"w": ember.ones(3, 5), "b": ember.ones(7)}, p)
    raw = p.read_bytes()
    zf = zipfile.ZipFile(p)
    for info in zf.infolist():
        n, m = np.frombuffer(raw[info.header_offset + 26:info.header_offset + 30], np.uint16)
        assert (info.header_offset + 30 + n + m) % 64 == 0, info.filename
    assert zf.read("x/byteorder") == b"little"


def test_torch_state_dicts_load_in_ember(tmp_path):
    torch.manual_seed(0)
    lin = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(lin.parameters(), lr=0.01)
    lin(torch.ones(4, 3)).sum().backward()
    opt.step()
    base = torch.arange(20.).reshape(4, 5)
    obj = {"model": lin.state_dict(), "optim": opt.state_dict(), "epoch": 3, "name": "run",
           "tup": (torch.tensor([1, 2]), [torch.tensor(True)]), "half": torch.ones(2, dtype=torch.float16),
           "base": base, "view": base[:, 1::2], "tr": base.t(), "param": torch.nn.Parameter(torch.ones(2)),
           "i16": torch.tensor([7], dtype=torch.int16)}
    p = tmp_path / "t.pt"
    torch.save(obj, p)
    r = ember.load(p)
    assert isinstance(r["model"], collections.OrderedDict) and list(r["model"]) == ["weight", "bias"]
    np.testing.assert_array_equal(r["model"]["weight"].numpy(), lin.weight.detach().numpy())
    st = r["optim"]["state"][0]
    assert set(st) == {"step", "exp_avg", "exp_avg_sq"}
    np.testing.assert_allclose(st["exp_avg"].numpy(), opt.state_dict()["state"][0]["exp_avg"].numpy())
    assert r["optim"]["param_groups"][0]["params"] == [0, 1] and r["optim"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert r["epoch"] == 3 and r["name"] == "run"
    assert r["tup"][0].dtype is ember.int64 and r["tup"][1][0].dtype is ember.bool
    assert r["half"].dtype is ember.float16 and r["i16"].dtype is ember.int16
    np.testing.assert_array_equal(r["view"].numpy(), base[:, 1::2].numpy())
    np.testing.assert_array_equal(r["tr"].numpy(), base.t().numpy())
    r["base"][0, 1] = 100.0  # views share the loaded storage
    assert r["view"][0, 0].item() == 100.0 and r["tr"][1, 0].item() == 100.0
    assert r["param"].requires_grad and isinstance(r["param"], ember.nn.Parameter)


def test_round_trip_both_ways(tmp_path):
    lin = torch.nn.Linear(4, 3)
    sd = lin.state_dict()
    p1, p2 = tmp_path / "a.pt", tmp_path / "b.pt"
    torch.save(sd, p1)
    ember.save(ember.load(p1), p2)
    back = torch.load(p2, weights_only=True)
    for k in sd:
        assert torch.equal(back[k], sd[k])


def test_buffer_and_bytes_io():
    buf = io.BytesIO()
    ember.save({"x": ember.arange(5)}, buf)
    buf.seek(0)
    assert ember.load(buf)["x"].tolist() == [0, 1, 2, 3, 4]
    buf.seek(0)
    assert torch.load(buf, weights_only=True)["x"].tolist() == [0, 1, 2, 3, 4]
    tb = io.BytesIO()
    torch.save(torch.ones(2, 2), tb)
    tb.seek(0)
    assert ember.load(tb).shape == (2, 2)


def test_parameter_saved_as_parameter(tmp_path):
    p = ember.nn.Parameter(ember.ones(2, 2))
    ember.save({"p": p}, tmp_path / "p.pt")
    r = torch.load(tmp_path / "p.pt", weights_only=True)
    assert isinstance(r["p"], torch.nn.Parameter) and r["p"].requires_grad


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch " + _Evil.marker,))


def test_malicious_pickle_refused(tmp_path):
    marker = tmp_path / "pwned"
    _Evil.marker = str(marker)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps({"x": _Evil()}, protocol=2))
        zf.writestr("archive/version", "3\n")
    path = tmp_path / "evil.pt"
    path.write_bytes(buf.getvalue())
    with pytest.raises(pickle.UnpicklingError, match="system"):
        ember.load(path)
    with pytest.raises(pickle.UnpicklingError):
        ember.load(path, weights_only=True)
    assert not marker.exists()


def test_weights_only_false_and_env(tmp_path, monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps({"f": np.float64(2.5)}, protocol=2))
    path = tmp_path / "np.pt"
    path.write_bytes(buf.getvalue())
    with pytest.raises(pickle.UnpicklingError):
        ember.load(path)
    assert ember.load(path, weights_only=False)["f"] == 2.5
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    assert ember.load(path)["f"] == 2.5


def test_full_module_pickle_maps_torch_names(tmp_path):
    path = tmp_path / "m.pt"
    torch.save({"dt": torch.float64, "dev": torch.device("cpu"), "size": torch.Size([2, 3])}, path)
    r = ember.load(path)
    assert r["dt"] is ember.float64 and r["dev"] == ember.device("cpu") and r["size"] == (2, 3)


def test_truncated_and_corrupt_files(tmp_path):
    good = tmp_path / "g.pt"
    ember.save({"w": ember.ones(100)}, good)
    raw = good.read_bytes()
    for i, cut in enumerate((len(raw) // 2, 10, 0)):
        bad = tmp_path / f"cut{i}.pt"
        bad.write_bytes(raw[:cut])
        with pytest.raises(RuntimeError, match="truncated or corrupted"):
            ember.load(bad)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"this is not a checkpoint")
    with pytest.raises(RuntimeError, match="not a valid checkpoint"):
        ember.load(junk)


def test_atomic_save_keeps_previous_file(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"v": ember.tensor([1.0])}, path)

    class Boom:
        def __reduce__(self):
            raise RuntimeError("crash mid-save")

    with pytest.raises(RuntimeError, match="crash mid-save"):
        ember.save({"v": ember.tensor([2.0]), "bad": Boom()}, path)
    assert ember.load(path)["v"].tolist() == [1.0]
    assert os.listdir(tmp_path) == ["ckpt.pt"]  # no temp file left behind


def test_mmap_and_legacy_format(tmp_path):
    p = tmp_path / "w.pt"
    torch.save({"w": torch.arange(6.).reshape(2, 3)}, p)
    r = ember.load(p, mmap=True)
    assert r["w"].tolist() == [[0, 1, 2], [3, 4, 5]]
    leg = tmp_path / "legacy.pt"
    v = torch.arange(10)
    torch.save({"v": v[2:5], "f": torch.ones(2, 2).t()}, leg, _use_new_zipfile_serialization=False)
    r = ember.load(leg)
    assert r["v"].tolist() == [2, 3, 4] and r["f"].shape == (2, 2)


def test_bfloat16_loads_as_float32(tmp_path):
    p = tmp_path / "bf.pt"
    torch.save({"x": torch.tensor([1.5, -2.0], dtype=torch.bfloat16)}, p)
    assert ember.load(p)["x"].tolist() == [1.5, -2.0]


def test_ember_module_and_optimizer_load_in_torch(tmp_path):
    m = ember.nn.Linear(3, 2)
    opt = ember.optim.Adam(m.parameters(), lr=0.01)
    m(ember.ones(4, 3)).sum().backward()
    opt.step()
    p = tmp_path / "em.pt"
    ember.save({"model": m.state_dict(), "optim": opt.state_dict()}, p)
    r = torch.load(p, weights_only=True)
    t = torch.nn.Linear(3, 2)
    t.load_state_dict(r["model"])
    np.testing.assert_array_equal(t.weight.detach().numpy(), m.weight.detach().numpy())
    topt = torch.optim.Adam(t.parameters(), lr=0.01)
    topt.load_state_dict(r["optim"])
    assert set(topt.state_dict()["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    # a whole module, explicitly trusted
    ember.save(m, tmp_path / "whole.pt")
    m2 = ember.load(tmp_path / "whole.pt", weights_only=False)
    np.testing.assert_array_equal(m2.weight.detach().numpy(), m.weight.detach().numpy())
    with pytest.raises(pickle.UnpicklingError, match="ember.nn"):
        ember.load(tmp_path / "whole.pt")
