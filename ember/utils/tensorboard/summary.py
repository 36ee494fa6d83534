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
