"""Small data sets that ship with ember (see README.md in this folder for sources and licences)."""
import os as _os

import numpy as _np

_HERE = _os.path.dirname(_os.path.abspath(__file__))

__all__ = ["load_digits", "digits_path"]


def digits_path():
    """Path of the bundled ``digits.npz`` file."""
    return _os.path.join(_HERE, "digits.npz")


def load_digits(as_tensor=False):
    """The UCI handwritten digits (Alpaydin & Kaynak, 1998; CC BY 4.0): 1,797 images of 8x8.

    Returns ``(images, labels)``: ``images`` uint8 of shape (1797, 8, 8) with pixel values
    0..16, ``labels`` int64 of shape (1797,). With ``as_tensor=True`` both come back as ember
    Tensors (images as float32 scaled to [0, 1], shape (1797, 1, 8, 8)).
    """
    with _np.load(digits_path()) as d:
        images, labels = d["images"], d["labels"]
    if as_tensor:
        import ember
        x = ember.from_numpy((images.astype(_np.float32) / 16.0)[:, None])
        return x, ember.from_numpy(labels.astype(_np.int64))
    return images, labels
