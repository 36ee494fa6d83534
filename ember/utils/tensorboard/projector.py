"""The embedding projector's files: tensors.tsv, metadata.tsv, sprite.png and
projector_config.pbtxt, laid out as torch.utils.tensorboard writes them."""
import math
import os

import numpy as np

from .summary import make_grid, make_np


def encode_tag(tag):
    """A tag as one path component: ``%``, ``/`` and ``\\`` percent-encoded."""
    return tag.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")


def write_tensors(mat, save_path):
    with open(os.path.join(save_path, "tensors.tsv"), "w", encoding="utf-8") as f:
        for row in mat.tolist():
            f.write("\t".join(str(v) for v in row) + "\n")


def write_metadata(metadata, save_path, metadata_header=None):
    """One label per line; with a header, one tab-separated column per header entry."""
    if not metadata_header:
        lines = [str(x) for x in metadata]
    else:
        if len(metadata_header) != len(metadata[0]):
            raise AssertionError("len of header must be equal to the number of columns in metadata")
        lines = ["\t".join(str(e) for e in row) for row in [metadata_header] + list(metadata)]
    with open(os.path.join(save_path, "metadata.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def write_sprite(label_img, save_path):
    """The label images on a square grid (ceil(sqrt(N)) per row), as sprite.png."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("add_embedding(label_img=...) needs the Pillow package (pip install pillow)") from e
    imgs = make_np(label_img)
    nrow = math.ceil(imgs.shape[0] ** 0.5)
    grid = make_grid(imgs, ncols=nrow).transpose(1, 2, 0)          # H x W x 3
    # NOTE: TensorBoard expects a square sprite; the grid is W wide, so the canvas is W x W.
    square = np.zeros((grid.shape[1], grid.shape[1], 3))
    square[:grid.shape[0]] = grid
    Image.fromarray(np.uint8((square * 255).clip(0, 255))).save(os.path.join(save_path, "sprite.png"),
                                                                format="PNG")


def embedding_info(metadata, label_img, subdir, global_step, tag):
    from tensorboard.plugins.projector.projector_config_pb2 import EmbeddingInfo
    info = EmbeddingInfo(tensor_name=f"{tag}:{str(global_step).zfill(5)}",
                         tensor_path=os.path.join(subdir, "tensors.tsv"))
    if metadata is not None:
        info.metadata_path = os.path.join(subdir, "metadata.tsv")
    if label_img is not None:
        info.sprite.image_path = os.path.join(subdir, "sprite.png")
        info.sprite.single_image_dim.extend([label_img.shape[3], label_img.shape[2]])
    return info


def write_config(config, logdir):
    from google.protobuf import text_format
    with open(os.path.join(logdir, "projector_config.pbtxt"), "w", encoding="utf-8") as f:
        f.write(text_format.MessageToString(config))
