"""Summary protobufs for TensorBoard (scalars, histograms, images, text, hparams), built with the
``tensorboard`` package's own protos, as torch.utils.tensorboard.summary does."""
import io
import struct
import zlib

import numpy as np
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData


def make_np(x):
    """A NumPy array from a tensor, array or Python number."""
    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array([x])
    data = getattr(x, "_data", None)
    if isinstance(data, np.ndarray):
        return data
    if hasattr(x, "detach"):  # a torch tensor passed by a mixed program
        return x.detach().cpu().numpy()
    return np.asarray(x)


def scalar(name, value, new_style=False, double_precision=False):
    arr = make_np(value).squeeze()
    if arr.ndim != 0:
        raise AssertionError(f"Tensor should contain one element (0 dimensions). Was given size: "
                             f"{arr.size} and {arr.ndim} dimensions.")
    v = float(arr)
    if new_style:
        tp = TensorProto(double_val=[v], dtype="DT_DOUBLE") if double_precision else \
            TensorProto(float_val=[v], dtype="DT_FLOAT")
        smd = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
        return Summary(value=[Summary.Value(tag=name, tensor=tp, metadata=smd)])
    return Summary(value=[Summary.Value(tag=name, simple_value=v)])


def make_histogram(values, bins, max_bins=None):
    """HistogramProto as TensorBoard's histogram.cc lays it out (right bin limits)."""
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    num_bins = len(counts)
    if max_bins is not None and num_bins > max_bins:
        sub = num_bins // max_bins
        if num_bins % sub:
            counts = np.pad(counts, [[0, sub - num_bins % sub]])
        counts = counts.reshape(-1, sub).sum(axis=-1)
        new_limits = np.empty((counts.size + 1,), limits.dtype)
        new_limits[:-1] = limits[:-1:sub]
        new_limits[-1] = limits[-1]
        limits = new_limits
    cum = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cum, [0, cum[-1] - 1], side="right")
    start, end = int(start), int(end) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    if counts.size == 0 or limits.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    return HistogramProto(min=values.min(), max=values.max(), num=len(values), sum=values.sum(),
                          sum_squares=values.dot(values), bucket_limit=limits.tolist(),
                          bucket=counts.tolist())


def histogram(name, values, bins, max_bins=None):
    hist = make_histogram(make_np(values).astype(float), bins, max_bins)
    return Summary(value=[Summary.Value(tag=name, histo=hist)])


def make_grid(imgs, ncols=8):
    """N x C x H x W (C = 1 or 3) -> one 3 x H' x W' canvas, row-major."""
    if imgs.shape[1] == 1:
        imgs = np.concatenate([imgs, imgs, imgs], 1)
    if imgs.ndim != 4 or imgs.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    n, _, h, w = imgs.shape
    ncols = min(n, ncols)
    nrows = -(-n // ncols)
    pad = np.zeros((nrows * ncols - n, 3, h, w), imgs.dtype)
    grid = np.concatenate([imgs, pad]).reshape(nrows, ncols, 3, h, w)
    return grid.transpose(2, 0, 3, 1, 4).reshape(3, nrows * h, ncols * w)


def convert_to_HWC(arr, input_format):
    if len(set(input_format)) != len(input_format):
        raise AssertionError(f"You can not use the same dimension shorthand twice. input_format: {input_format}")
    if arr.ndim != len(input_format):
        raise AssertionError(f"size of input tensor and input format are different. tensor shape: "
                             f"{arr.shape}, input_format: {input_format}")
    fmt = input_format.upper()
    if len(fmt) == 4:
        return make_grid(arr.transpose([fmt.find(c) for c in "NCHW"])).transpose(1, 2, 0)
    if len(fmt) == 3:
        hwc = arr.transpose([fmt.find(c) for c in "HWC"])
        return np.concatenate([hwc] * 3, 2) if hwc.shape[2] == 1 else hwc
    if len(fmt) == 2:
        hw = arr.transpose([fmt.find(c) for c in "HW"])
        return np.stack([hw, hw, hw], 2)
    raise AssertionError(f"unsupported dataformats {input_format!r}")


def encode_png(hwc):
    """PNG bytes of a uint8 H x W x C (C = 1, 3 or 4) image, with zlib only."""
    h, w, c = hwc.shape
    color = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    raw = np.concatenate([np.zeros((h, 1), np.uint8), hwc.reshape(h, w * c)], 1).tobytes()

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def make_image(hwc, rescale=1):
    h, w, c = hwc.shape
    if rescale != 1:
        from PIL import Image
        im = Image.fromarray(hwc).resize((int(w * rescale), int(h * rescale)), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        im.save(out, format="PNG")
        data = out.getvalue()
    else:
        data = encode_png(np.ascontiguousarray(hwc))
    return Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=data)


def image(tag, tensor, rescale=1, dataformats="NCHW"):
    arr = convert_to_HWC(make_np(tensor), dataformats)
    scale = 1 if arr.dtype == np.uint8 else 255
    arr = (arr.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    return Summary(value=[Summary.Value(tag=tag, image=make_image(arr, rescale))])


def text(tag, text_string):
    smd = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
        plugin_name="text", content=TextPluginData(version=0).SerializeToString()))
    tp = TensorProto(dtype="DT_STRING", string_val=[text_string.encode("utf_8")],
                     tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=smd, tensor=tp)])


def hparams(hparam_dict=None, metric_dict=None, hparam_domain_discrete=None):
    """The three summaries (experiment, session start, session end) of the hparams plugin."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams.api_pb2 import DataType, Experiment, HParamInfo, MetricInfo, MetricName, Status
    from tensorboard.plugins.hparams.metadata import (EXPERIMENT_TAG, PLUGIN_DATA_VERSION, PLUGIN_NAME,
                                                      SESSION_END_INFO_TAG, SESSION_START_INFO_TAG)
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData, SessionEndInfo, SessionStartInfo

    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in domains.items():
        if k not in hparam_dict or not isinstance(v, list) or not all(isinstance(d, type(hparam_dict[k])) for d in v):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same type as hparam_dict[{k}].")

    hps = []
    ssi = SessionStartInfo()
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            ssi.hparams[k].number_value = v
            kind, field = "DATA_TYPE_FLOAT64", "number_value"
        elif isinstance(v, str):
            ssi.hparams[k].string_value = v
            kind, field = "DATA_TYPE_STRING", "string_value"
        elif isinstance(v, bool):
            ssi.hparams[k].bool_value = v
            kind, field = "DATA_TYPE_BOOL", "bool_value"
        elif hasattr(v, "_data") or isinstance(v, np.ndarray):
            ssi.hparams[k].number_value = float(make_np(v).reshape(-1)[0])
            hps.append(HParamInfo(name=k, type=DataType.Value("DATA_TYPE_FLOAT64")))
            continue
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        dd = None
        if k in domains:
            dd = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d}) for d in domains[k]])
        hps.append(HParamInfo(name=k, type=DataType.Value(kind), domain_discrete=dd))

    def wrap(tag, **content):
        data = HParamsPluginData(version=PLUGIN_DATA_VERSION, **content).SerializeToString()
        smd = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=PLUGIN_NAME, content=data))
        return Summary(value=[Summary.Value(tag=tag, metadata=smd)])

    ssi = wrap(SESSION_START_INFO_TAG, session_start_info=ssi)
    exp = wrap(EXPERIMENT_TAG, experiment=Experiment(
        hparam_infos=hps, metric_infos=[MetricInfo(name=MetricName(tag=k)) for k in metric_dict]))
    sei = wrap(SESSION_END_INFO_TAG, session_end_info=SessionEndInfo(status=Status.Value("STATUS_SUCCESS")))
    return exp, ssi, sei


def figure_to_image(figures, close=True):
    """Render matplotlib figures to CHW uint8 arrays (needs matplotlib)."""
    import matplotlib.backends.backend_agg as agg
    import matplotlib.pyplot as plt

    def render(fig):
        canvas = agg.FigureCanvasAgg(fig)
        canvas.draw()
        data = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8)
        w, h = fig.canvas.get_width_height()
        img = data.reshape([h, w, 4])[:, :, :3]
        if close:
            plt.close(fig)
        return np.moveaxis(img, 2, 0)

    if isinstance(figures, list):
        return np.stack([render(f) for f in figures])
    return render(figures)


def _scale_factor(arr):
    return 1 if arr.dtype == np.uint8 else 255


def _draw_box(image, box, label, color="Red", text_color="black", width=2):
    from PIL import ImageDraw, ImageFont
    draw = ImageDraw.Draw(image)
    x0, y0, x1, y1 = (float(v) for v in box)
    draw.line([(x0, y0), (x0, y1), (x1, y1), (x1, y0), (x0, y0)], width=width, fill=color)
    if label:
        font = ImageFont.load_default()
        left, top, right, bottom = font.getbbox(label)
        tw, th = right - left, bottom - top
        margin = np.ceil(0.05 * th)
        draw.rectangle([(x0, y1 - th - 2 * margin), (x0 + tw, y1)], fill=color)
        draw.text((x0 + margin, y1 - th - margin), label, fill=text_color, font=font)
    return image


def image_boxes(tag, tensor_image, tensor_boxes, rescale=1, dataformats="CHW", labels=None):
    """An image with boxes (N x 4, xmin ymin xmax ymax) drawn on it in red (needs Pillow)."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("add_image_with_boxes needs the Pillow package (pip install pillow)") from e
    arr = convert_to_HWC(make_np(tensor_image), dataformats)
    arr = (arr.astype(np.float32) * _scale_factor(arr)).clip(0, 255).astype(np.uint8)
    h, w, c = arr.shape
    im = Image.fromarray(arr)
    for i, box in enumerate(make_np(tensor_boxes).reshape(-1, 4)):
        im = _draw_box(im, box, None if labels is None else labels[i])
    if rescale != 1:
        im = im.resize((int(w * rescale), int(h * rescale)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    im.save(out, format="PNG")
    img = Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=out.getvalue())
    return Summary(value=[Summary.Value(tag=tag, image=img)])


def prepare_video(v):
    """B x T x C x H x W -> T x H' x W' x C: the batch laid out on a grid (padded to 2^k clips)."""
    b, t, c, h, w = v.shape
    if v.dtype == np.uint8:
        v = np.float32(v) / 255.0
    if b & (b - 1):
        v = np.concatenate([v, np.zeros((2 ** b.bit_length() - b, t, c, h, w), v.dtype)])
    rows = 2 ** ((b.bit_length() - 1) // 2)
    cols = v.shape[0] // rows
    v = v.reshape(rows, cols, t, c, h, w).transpose(2, 0, 4, 1, 5, 3)
    return v.reshape(t, rows * h, cols * w, c)


def _image_sequence_clip():
    try:
        import moviepy
    except ImportError as e:
        raise ImportError("add_video needs the moviepy package to encode the GIF "
                          "(pip install moviepy)") from e
    clip = getattr(moviepy, "ImageSequenceClip", None)  # moviepy >= 2
    if clip is None:
        try:
            from moviepy.editor import ImageSequenceClip as clip  # moviepy 1.x
        except ImportError as e:
            raise ImportError("moviepy is installed, but moviepy.ImageSequenceClip cannot be imported "
                              "(moviepy.editor needs imageio and requests)") from e
    return clip


def make_video(frames, fps):
    """An animated GIF of T x H x W x C uint8 frames, written by moviepy."""
    import os
    import tempfile
    clip = _image_sequence_clip()(list(frames), fps=fps)
    _, h, w, c = frames.shape
    fd, path = tempfile.mkstemp(suffix=".gif")
    os.close(fd)
    try:
        try:
            clip.write_gif(path, logger=None)
        except TypeError:  # moviepy 1.x before the logger argument
            clip.write_gif(path, verbose=False)
        with open(path, "rb") as f:
            data = f.read()
    finally:
        os.remove(path)
    return Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=data)


def video(tag, tensor, fps=4):
    v = prepare_video(make_np(tensor))
    v = (v.astype(np.float32) * _scale_factor(v)).clip(0, 255).astype(np.uint8)
    return Summary(value=[Summary.Value(tag=tag, image=make_video(v, fps))])


def audio(tag, tensor, sample_rate=44100):
    """A mono clip (values in [-1, 1]) as 16-bit PCM WAV."""
    import wave
    arr = make_np(tensor).squeeze()
    if np.abs(arr).max() > 1:
        print("warning: audio amplitude out of range, auto clipped.")
        arr = arr.clip(-1, 1)
    if arr.ndim != 1:
        raise AssertionError("input tensor should be 1 dimensional.")
    pcm = (arr * np.iinfo(np.int16).max).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    clip = Summary.Audio(sample_rate=sample_rate, num_channels=1, length_frames=pcm.shape[-1],
                         encoded_audio_string=buf.getvalue(), content_type="audio/wav")
    return Summary(value=[Summary.Value(tag=tag, audio=clip)])


def custom_scalars(layout):
    """``{category: {chart: ["Multiline" | "Margin", tags]}}`` as the custom-scalars Layout."""
    from tensorboard.plugins.custom_scalar import layout_pb2
    from tensorboard.plugins.custom_scalar import metadata as cs_meta
    categories = []
    for title, charts in layout.items():
        protos = []
        for chart_name, (kind, tags) in charts.items():
            if kind == "Margin":
                if len(tags) != 3:
                    raise AssertionError("len(tags) != 3")
                series = layout_pb2.MarginChartContent.Series(value=tags[0], lower=tags[1], upper=tags[2])
                protos.append(layout_pb2.Chart(title=chart_name,
                                               margin=layout_pb2.MarginChartContent(series=[series])))
            else:
                protos.append(layout_pb2.Chart(title=chart_name,
                                               multiline=layout_pb2.MultilineChartContent(tag=tags)))
        categories.append(layout_pb2.Category(title=title, chart=protos))
    tp = TensorProto(dtype="DT_STRING", string_val=[layout_pb2.Layout(category=categories).SerializeToString()],
                     tensor_shape=TensorShapeProto())
    return Summary(value=[Summary.Value(tag=cs_meta.CONFIG_SUMMARY_TAG, tensor=tp,
                                        metadata=cs_meta.create_summary_metadata())])


def _float_tensor(arr):
    arr = np.asarray(arr, np.float32)
    return TensorProto(dtype="DT_FLOAT", float_val=arr.reshape(-1).tolist(),
                       tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=s) for s in arr.shape]))


def _pr_summary(tag, data, num_thresholds):
    from tensorboard.plugins.pr_curve import metadata as pr_meta
    smd = pr_meta.create_summary_metadata(display_name=tag, description="", num_thresholds=num_thresholds)
    return Summary(value=[Summary.Value(tag=tag, metadata=smd, tensor=_float_tensor(data))])


def pr_curve_raw(tag, tp, fp, tn, fn, precision, recall, num_thresholds=127, weights=None):
    # NOTE: PyTorch caps the thresholds at 127, and so does this.
    num_thresholds = min(num_thresholds, 127)
    data = np.stack([make_np(a).astype(np.float64) for a in (tp, fp, tn, fn, precision, recall)])
    return _pr_summary(tag, data, num_thresholds)


def compute_curve(labels, predictions, num_thresholds=127, weights=None):
    """The 6 x num_thresholds table (tp, fp, tn, fn, precision, recall) of TensorBoard's PR plugin."""
    weights = 1.0 if weights is None else weights
    buckets = np.int32(np.floor(predictions * (num_thresholds - 1)))
    pos = labels.astype(np.float64)
    rng = (0, num_thresholds - 1)
    tp_b, _ = np.histogram(buckets, bins=num_thresholds, range=rng, weights=pos * weights)
    fp_b, _ = np.histogram(buckets, bins=num_thresholds, range=rng, weights=(1.0 - pos) * weights)
    tp = np.cumsum(tp_b[::-1])[::-1]
    fp = np.cumsum(fp_b[::-1])[::-1]
    tn, fn = fp[0] - fp, tp[0] - tp
    precision = tp / np.maximum(1e-7, tp + fp)
    recall = tp / np.maximum(1e-7, tp + fn)
    return np.stack([tp, fp, tn, fn, precision, recall])


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None):
    num_thresholds = min(num_thresholds, 127)
    data = compute_curve(make_np(labels), make_np(predictions), num_thresholds, weights)
    return _pr_summary(tag, data, num_thresholds)


def mesh(tag, vertices, colors, faces, config_dict, display_name=None, description=None):
    """Vertices, faces and colours (each B x N x 3) as the mesh plugin's three tensors."""
    import json
    from tensorboard.plugins.mesh import metadata as mesh_meta
    from tensorboard.plugins.mesh.plugin_data_pb2 import MeshPluginData
    parts = [(make_np(t), kind) for t, kind in ((vertices, MeshPluginData.VERTEX), (faces, MeshPluginData.FACE),
                                                 (colors, MeshPluginData.COLOR)) if t is not None]
    components = mesh_meta.get_components_bitmask([kind for _, kind in parts])
    config = json.dumps(config_dict, sort_keys=True) if config_dict is not None else "{}"
    values = []
    for arr, kind in parts:
        if arr.ndim != 3:
            raise AssertionError(f"mesh tensors should be B x N x 3, got shape {list(arr.shape)}")
        smd = mesh_meta.create_summary_metadata(tag, display_name, kind, components, list(arr.shape),
                                                description, json_config=config)
        values.append(Summary.Value(tag=mesh_meta.get_instance_name(tag, kind), tensor=_float_tensor(arr),
                                    metadata=smd))
    return Summary(value=values)
