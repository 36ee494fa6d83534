"""ember.utils.safetensors: files interchangeable with safetensors.torch."""
import numpy as np
import pytest
import torch

import ember
from ember.utils import safetensors as est

st_torch = pytest.importorskip("safetensors.torch")


def test_round_trip_with_torch(tmp_path):
    a = ember.arange(6.).reshape(2, 3)
    tensors = {"w": a.t(), "i": ember.tensor([1, 2], dtype=ember.int32), "b": ember.tensor([True]),
               "h": ember.ones(2, dtype=ember.float16)}
    est.save_file(tensors, tmp_path / "e.safetensors", metadata={"k": "v"})
    back = st_torch.load_file(str(tmp_path / "e.safetensors"))
    for k, t in tensors.items():
        assert str(back[k].dtype) == str(t.dtype)
        np.testing.assert_array_equal(back[k].numpy(), t.numpy())
    st_torch.save_file({"x": torch.arange(4.).reshape(2, 2), "bf": torch.tensor([1.5], dtype=torch.bfloat16)},
                       str(tmp_path / "t.safetensors"))
    r = est.load_file(tmp_path / "t.safetensors")
    assert r["x"].tolist() == [[0, 1], [2, 3]] and r["bf"].tolist() == [1.5]
    r["x"][0, 0] = 5.0  # loaded tensors are writable
    assert est.load(est.save({"y": ember.ones(3)}))["y"].tolist() == [1, 1, 1]


def test_shared_memory_refused(tmp_path):
    a = ember.ones(3)
    with pytest.raises(RuntimeError, match="share memory"):
        est.save_file({"a": a, "b": a}, tmp_path / "x.safetensors")
    with pytest.raises(ValueError):
        est.save_file({"a": np.ones(2)}, tmp_path / "x.safetensors")
