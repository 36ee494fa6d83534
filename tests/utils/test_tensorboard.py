"""SummaryWriter: event files read back with TensorBoard's own EventAccumulator."""
import io
import os
import re
import socket

import numpy as np
import pytest

import ember

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

from ember.utils.tensorboard import SummaryWriter  # noqa: E402


def _acc(path):
    ea = EventAccumulator(str(path), size_guidance={"tensors": 0, "scalars": 0, "images": 0, "histograms": 0})
    ea.Reload()
    return ea


def test_scalars_histogram_text(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for i in range(5):
            w.add_scalar("loss", 1.0 / (i + 1), i)
        w.add_scalar("acc", ember.tensor(0.75), 7)
        w.add_scalar("np", np.float32(2.0), 1, new_style=True)
        w.add_histogram("weights", ember.randn(1000), 0)
        w.add_histogram("ints", np.arange(10), 1, bins="auto")
        w.add_text("note", "hello **world**", 3)
    ea = _acc(tmp_path)
    assert [(e.step, round(e.value, 6)) for e in ea.Scalars("loss")] == [(i, round(1 / (i + 1), 6)) for i in range(5)]
    assert ea.Scalars("acc")[0].value == 0.75 and ea.Scalars("acc")[0].step == 7
    assert ea.Tensors("np")[0].tensor_proto.float_val == [2.0]
    h = ea.Histograms("weights")[0].histogram_value
    assert h.num == 1000 and sum(h.bucket) == 1000
    assert ea.Histograms("ints")[0].histogram_value.max == 9
    assert ea.Tensors("note/text_summary")[0].tensor_proto.string_val == [b"hello **world**"]


def test_images(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    chw = np.zeros((3, 4, 6), np.float32)
    chw[0] = 1.0  # red
    with SummaryWriter(tmp_path) as w:
        w.add_image("chw", ember.from_numpy(chw), 0)
        w.add_image("hwc", chw.transpose(1, 2, 0), 0, dataformats="HWC")
        w.add_image("gray", np.full((4, 6), 255, np.uint8), 0, dataformats="HW")
        w.add_images("batch", ember.rand(5, 3, 4, 6), 0)
    ea = _acc(tmp_path)
    for tag in ("chw", "hwc"):
        im = ea.Images(tag)[0]
        assert (im.width, im.height) == (6, 4)
        px = np.asarray(PIL.open(io.BytesIO(im.encoded_image_string)))
        assert px.shape == (4, 6, 3) and (px[..., 0] == 255).all() and (px[..., 1:] == 0).all()
    assert (np.asarray(PIL.open(io.BytesIO(ea.Images("gray")[0].encoded_image_string))) == 255).all()
    b = ea.Images("batch")[0]
    assert (b.width, b.height) == (5 * 6, 4)


def test_add_scalars_and_hparams(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_scalars("run", {"a": 1.0, "b": 2.0}, 0)
        w.add_hparams({"lr": 0.1, "bs": 4, "opt": "adam", "flag": True}, {"hp/acc": 0.9}, run_name="hp")
    assert _acc(tmp_path / "run_a").Scalars("run")[0].value == 1.0
    assert _acc(tmp_path / "run_b").Scalars("run")[0].value == 2.0
    ea = _acc(tmp_path / "hp")
    assert ea.Scalars("hp/acc")[0].value == pytest.approx(0.9)
    assert "_hparams_/experiment" in ea.Tags()["tensors"] or "_hparams_/experiment" in str(ea.summary_metadata)


def test_default_logdir_purge_and_flush(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_exp")
    assert re.fullmatch(r"runs/[A-Z][a-z]{2}\d\d_\d\d-\d\d-\d\d_" + re.escape(socket.gethostname()) + "_exp",
                        w.log_dir)
    w.add_scalar("x", 1.0, 0)
    w.flush()
    files = os.listdir(w.log_dir)
    assert len(files) == 1 and files[0].startswith("events.out.tfevents.")
    w.close()
    w.close()  # closing twice is fine
    with SummaryWriter(tmp_path / "p", purge_step=3) as w2:
        w2.add_scalar("x", 1.0, 3)
    assert _acc(tmp_path / "p").Scalars("x")[0].step == 3


def test_bad_inputs(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(AssertionError, match="one element"):
            w.add_scalar("v", ember.ones(3), 0)
        with pytest.raises(TypeError, match="should be dictionary"):
            w.add_hparams([1], {})
        with pytest.raises(AssertionError, match="size of input tensor and input format"):
            w.add_image("i", np.zeros((4, 4)), 0)
