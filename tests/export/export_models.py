"""Model families for the export and ONNX tests: name -> (model, make_inputs(batch), dynamic_shapes).

The loading side of the tests runs in a subprocess in which this module cannot be imported:
an exported file must carry everything.
"""
import math

import numpy as np

import ember as torch
import ember.nn as nn
from ember.export import Dim

BATCH = Dim("batch", min=1, max=64)


def _randn(*shape, seed=0):
    return torch.tensor(np.random.default_rng(seed + sum(shape)).standard_normal(shape)
                        .astype(np.float32))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 16),
                                 nn.Tanh(), nn.Linear(16, 3))

    def forward(self, x):
        return self.net(x)


class CNN(nn.Module):
    """Conv2d + BatchNorm + pooling + Dropout + flatten by x.size(0) (a baked batch size)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4),
                                      nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, stride=1),
                                      nn.AvgPool2d(2), nn.Dropout(0.5))
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6 + 6, 5)

    def forward(self, image):
        y = self.features(image)
        g = self.gap(y).flatten(1)
        return self.fc(torch.cat([y.reshape(image.size(0), 6, -1).mean(2), g], 1))


class CNN1d(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv1d(3, 8, 3, padding=1), nn.BatchNorm1d(8), nn.ReLU(),
                                 nn.MaxPool1d(2), nn.Conv1d(8, 4, 3), nn.Flatten(),
                                 nn.Linear(4 * 4, 2))

    def forward(self, x):
        return self.net(x)


class Tagger(nn.Module):
    """Embedding + LayerNorm + GELU; returns a dict."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 8)
        self.norm = nn.LayerNorm(8)
        self.act = nn.GELU()
        self.head = nn.Linear(8, 4)

    def forward(self, tokens):
        h = self.act(self.norm(self.emb(tokens)))
        logits = self.head(h)
        return {"logits": logits, "probs": logits.softmax(-1)}


class LSTMTagger(nn.Module):
    """Stacked bidirectional LSTM, batch_first, with initial states; returns a tuple."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 5, num_layers=2, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(10, 2)

    def forward(self, x, h0, c0):
        out, (h, c) = self.lstm(x, (h0, c0))
        return self.fc(out), h


class GRUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(4, 6)          # time-major
        self.rnn = nn.RNN(6, 3, batch_first=False)

    def forward(self, x):
        y, _ = self.gru(x)
        z, h = self.rnn(y)
        return z[-1] + h[0]


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(8, 2, batch_first=True)

    def forward(self, x):
        out, w = self.mha(x, x, x)
        return out, w


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 2)

    def forward(self, src):
        return self.enc(src)


class MaskedEncoder(Encoder):
    """A causal float mask and a bool key padding mask (padded keys are True)."""

    def forward(self, src, mask, padding):
        return self.enc(src, mask=mask, src_key_padding_mask=padding)


class Resize(nn.Module):
    """Upsample (nearest and bilinear) and adaptive average pooling to a size that does not
    divide the input."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.up = nn.Upsample(scale_factor=2)
        self.up2 = nn.Upsample(size=(7, 9), mode="bilinear", align_corners=False)
        self.pool = nn.AdaptiveAvgPool2d((3, 2))

    def forward(self, x):
        y = self.conv(x)
        return self.pool(self.up(y)) + self.pool(self.up2(y))


class Seq2Seq(nn.Module):
    """nn.Transformer (encoder + decoder) with a causal target mask and memory padding."""

    def __init__(self):
        super().__init__()
        self.t = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                                dim_feedforward=16, batch_first=True, norm_first=True)
        self.register_buffer("tgt_mask", nn.Transformer.generate_square_subsequent_mask(4))

    def forward(self, src, tgt, src_padding):
        return self.t(src, tgt, tgt_mask=self.tgt_mask, src_key_padding_mask=src_padding,
                      memory_key_padding_mask=src_padding)


class LanguageModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 8)
        self.lstm = nn.LSTM(8, 8, num_layers=2, batch_first=True)
        self.out = nn.Linear(8, 20)

    def forward(self, tokens):
        h, _ = self.lstm(self.emb(tokens))
        return self.out(h).log_softmax(-1)


class TinyGPT(nn.Module):
    """A causal self-attention block written by hand: positions from torch.arange(T), a mask
    buffer sliced to T, masked_fill, split/view/transpose/contiguous; batch and time dynamic."""

    def __init__(self, vocab=20, d=8, heads=2, block=16):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(block, d)
        self.ln = nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.heads = heads
        self.register_buffer("mask", torch.tril(torch.ones(block, block)).view(1, 1, block, block))

    def forward(self, idx):
        B, T = idx.shape
        x = self.tok(idx) + self.pos(torch.arange(T))
        C = x.shape[-1]
        q, k, v = self.qkv(self.ln(x)).split(C, dim=2)
        q = q.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        k = k.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        v = v.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // self.heads))
        att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.head(x + self.proj(y))


class CausalEncoder(nn.Module):
    """The causal mask is made inside forward for the input's length (NumPy-built, a constant
    of the time size) and TransformerEncoder is told is_causal."""

    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, activation="gelu")
        self.enc = nn.TransformerEncoder(layer, 1)

    def forward(self, x):
        mask = nn.Transformer.generate_square_subsequent_mask(x.size(1))
        return self.enc(x, mask=mask, is_causal=True)


def _padding(b):
    m = np.zeros((b, 5), bool)
    m[b // 2:, 3:] = True
    return torch.tensor(m)


def _tokens(b, t=7):
    return torch.tensor(np.random.default_rng(b).integers(0, 20, (b, t)))


_MASK = nn.Transformer.generate_square_subsequent_mask(5)

FAMILIES = {
    "mlp": (MLP, lambda b: (_randn(b, 6),), {"x": {0: BATCH}}),
    "cnn": (CNN, lambda b: (_randn(b, 1, 12, 12),), {"image": {0: BATCH}}),
    "cnn1d": (CNN1d, lambda b: (_randn(b, 3, 12),), {"x": {0: BATCH}}),
    "embedding": (Tagger, lambda b: (_tokens(b),), {"tokens": {0: BATCH}}),
    "lstm": (LSTMTagger, lambda b: (_randn(b, 6, 4), _randn(4, b, 5, seed=1), _randn(4, b, 5, seed=2)),
             {"x": {0: BATCH}, "h0": {1: BATCH}, "c0": {1: BATCH}}),
    "gru": (GRUNet, lambda b: (_randn(5, b, 4),), {"x": {1: BATCH}}),
    "attention": (Attention, lambda b: (_randn(b, 5, 8),), {"x": {0: BATCH}}),
    "encoder": (Encoder, lambda b: (_randn(b, 5, 8),), {"src": {0: BATCH}}),
    "encoder_mask": (MaskedEncoder, lambda b: (_randn(b, 5, 8), _MASK, _padding(b)),
                     {"src": {0: BATCH}, "mask": None, "padding": {0: BATCH}}),
    "resize": (Resize, lambda b: (_randn(b, 1, 6, 6),), ({0: BATCH},)),
    "seq2seq": (Seq2Seq, lambda b: (_randn(b, 5, 8), _randn(b, 4, 8, seed=3), _padding(b)),
                {"src": {0: BATCH}, "tgt": {0: BATCH}, "src_padding": {0: BATCH}}),
    "causal_encoder": (CausalEncoder, lambda b, t=6: (_randn(b, t, 8),),
                       {"x": {0: BATCH, 1: Dim("time", min=2, max=16)}}),
    "tiny_gpt": (TinyGPT, lambda b, t=7: (_tokens(b, t),),
                 {"idx": {0: BATCH, 1: Dim("time", min=2, max=16)}}),
    "language_model": (LanguageModel, lambda b: (_tokens(b),),
                       {"tokens": {0: BATCH, 1: Dim("time", min=1, max=128)}}),
}


def make(name):
    torch.manual_seed(0)
    cls, inputs, dyn = FAMILIES[name]
    model = cls()
    model.eval()
    return model, inputs, dyn


def flat(out):
    if isinstance(out, dict):
        return [a for v in out.values() for a in flat(v)]
    if isinstance(out, (tuple, list)):
        return [a for v in out for a in flat(v)]
    return [out]
