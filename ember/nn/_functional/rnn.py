"""Recurrent layers' inner loop: one fused Function per (layer, direction) over a whole sequence.

The input projection ``x @ W_ih.T + b_ih`` for every time step is one GEMM done by the caller
(``F.linear``).  ``RNNSequence`` then runs the recurrence on NumPy arrays: one GEMM per step for
the hidden projection, the gates from slices of that one result, written into preallocated
buffers.  Its backward is closed-form BPTT on arrays: per step only elementwise work and one GEMM
for ``dh_prev``; the weight gradient ``dW_hh`` is one GEMM over all steps at the end.

Sequences are "flat" as in PyTorch's PackedSequence: ``xproj`` is (N, G) with the rows of step t
at ``offsets[t]:offsets[t+1]`` and ``batch_sizes`` non-increasing; a padded (T, B, .) input is
the special case ``batch_sizes = (B,) * T``.  Rows beyond ``batch_sizes[t]`` keep their state,
which is how packed sequences of different lengths end (forward) or start (reverse).
"""
import numpy as np

from ..._tensor import _wrap
from ...autograd.function import Function
from ...autograd.grad_mode import GRAD_ENABLED

__all__ = []

MODES = ("LSTM", "GRU", "RNN_TANH", "RNN_RELU")


_EXPIT = []


def _expit():
    # NOTE: scipy.special is imported on first use (it costs ~0.2 s at `import ember`).
    if not _EXPIT:
        from scipy.special import expit
        _EXPIT.append(expit)
    return _EXPIT[0]


def _offsets(batch_sizes):
    off = np.zeros(len(batch_sizes) + 1, dtype=np.int64)
    np.cumsum(batch_sizes, out=off[1:])
    return off.tolist()


class RNNSequence(Function):
    """Inputs: xproj (N, G), h0 (B, H), [c0 (B, H) for LSTM], w_hh (G, H), [b_hh (G,)].
    Outputs: out (N, H), h_n (B, H), [c_n (B, H)]."""

    def forward(ctx, xp, h0, *rest, mode, batch_sizes, reverse, has_bias):
        lstm = mode == "LSTM"
        if lstm:
            c0, w = rest[0], rest[1]
            b = rest[2] if has_bias else None
        else:
            c0, w = None, rest[0]
            b = rest[1] if has_bias else None
        ctx.mode, ctx.batch_sizes, ctx.reverse, ctx.has_bias = mode, batch_sizes, reverse, has_bias
        N, G = xp.shape
        B, H = h0.shape
        T = len(batch_sizes)
        off = _offsets(batch_sizes)
        order = range(T - 1, -1, -1) if reverse else range(T)
        uniform = batch_sizes[0] == batch_sizes[-1]
        ctx.off, ctx.uniform, ctx.w = off, uniform, w
        dt = xp.dtype
        expit = _expit()
        WT = w.T
        OUT = np.empty((N, H), dt)
        HP = np.empty((N, H), dt)
        h = h0.copy()
        if mode == "GRU":
            xs = xp
            A = np.empty((N, 3 * H), dt)       # r, z, n
            GH = np.empty((N, 3 * H), dt)      # W_hh h + b_hh
            H2 = 2 * H
            for t in order:
                s, e = off[t], off[t + 1]
                bsz = e - s
                hp = h[:bsz]
                HP[s:e] = hp
                gh = GH[s:e]
                np.matmul(hp, WT, out=gh)
                if b is not None:
                    gh += b
                a = A[s:e]
                np.add(xs[s:e, :H2], gh[:, :H2], out=a[:, :H2])
                expit(a[:, :H2], out=a[:, :H2])
                n = a[:, H2:]
                np.multiply(a[:, :H], gh[:, H2:], out=n)
                n += xs[s:e, H2:]
                np.tanh(n, out=n)
                o = OUT[s:e]
                np.subtract(hp, n, out=o)
                o *= a[:, H:H2]
                o += n
                h[:bsz] = o
            ctx.A, ctx.GH = A, GH
        elif lstm:
            xs = xp + b if b is not None else xp
            A = np.empty((N, 4 * H), dt)       # i, f, g, o activations
            C = np.empty((N, H), dt)
            TC = np.empty((N, H), dt)
            CP = np.empty((N, H), dt)
            c = c0.copy()
            H2, H3 = 2 * H, 3 * H
            for t in order:
                s, e = off[t], off[t + 1]
                bsz = e - s
                hp, cp = h[:bsz], c[:bsz]
                HP[s:e] = hp
                CP[s:e] = cp
                a = A[s:e]
                np.matmul(hp, WT, out=a)
                a += xs[s:e]
                expit(a[:, :H2], out=a[:, :H2])
                np.tanh(a[:, H2:H3], out=a[:, H2:H3])
                expit(a[:, H3:], out=a[:, H3:])
                cn = C[s:e]
                np.multiply(a[:, H:H2], cp, out=cn)
                cn += a[:, :H] * a[:, H2:H3]
                tc = TC[s:e]
                np.tanh(cn, out=tc)
                np.multiply(a[:, H3:], tc, out=OUT[s:e])
                h[:bsz] = OUT[s:e]
                c[:bsz] = cn
            ctx.A, ctx.TC, ctx.CP = A, TC, CP
        else:
            xs = xp + b if b is not None else xp
            relu = mode == "RNN_RELU"
            for t in order:
                s, e = off[t], off[t + 1]
                bsz = e - s
                hp = h[:bsz]
                HP[s:e] = hp
                o = OUT[s:e]
                np.matmul(hp, WT, out=o)
                o += xs[s:e]
                if relu:
                    np.maximum(o, 0, out=o)
                else:
                    np.tanh(o, out=o)
                h[:bsz] = o
        ctx.HP, ctx.OUT = HP, OUT
        if lstm:
            return OUT, h, c
        return OUT, h

    def backward(ctx, gout, ghn, gcn=None):
        if GRAD_ENABLED[0]:
            return _backward_composite(ctx, gout, ghn, gcn)
        mode, off, w = ctx.mode, ctx.off, ctx.w
        T = len(ctx.batch_sizes)
        order = range(T) if ctx.reverse else range(T - 1, -1, -1)
        gout = gout._data
        HP = ctx.HP
        N, H = HP.shape
        dh = np.array(ghn._data, copy=True)
        dt = HP.dtype
        if mode == "GRU":
            A, GH = ctx.A, ctx.GH
            r, z, n = A[:, :H], A[:, H:2 * H], A[:, 2 * H:]
            ghn_ = GH[:, 2 * H:]
            Z1 = (1 - z) * (1 - n * n)             # dL/d(n preact) = dh * Z1
            HN = (HP - n) * z * (1 - z)            # dL/d(z preact) = dh * HN
            GR = ghn_ * r * (1 - r)                # dL/d(r preact) = dn_pre * GR
            DGH = np.empty((N, 3 * H), dt)
            DAN = np.empty((N, H), dt)
            for t in order:
                s, e = off[t], off[t + 1]
                bsz = e - s
                dht = dh[:bsz] + gout[s:e]
                dg = DGH[s:e]
                dan = DAN[s:e]
                np.multiply(dht, Z1[s:e], out=dan)
                np.multiply(dht, HN[s:e], out=dg[:, H:2 * H])
                np.multiply(dan, GR[s:e], out=dg[:, :H])
                np.multiply(dan, r[s:e], out=dg[:, 2 * H:])
                dhp = dh[:bsz]
                np.matmul(dg, w, out=dhp)
                dht *= z[s:e]
                dhp += dht
            DG = DGH
            dxp = np.concatenate([DGH[:, :2 * H], DAN], axis=1)
            dc = None
        elif mode == "LSTM":
            A, TC, CP = ctx.A, ctx.TC, ctx.CP
            i, f, g, o = A[:, :H], A[:, H:2 * H], A[:, 2 * H:3 * H], A[:, 3 * H:]
            R = o * (1 - TC * TC)                  # dc += dh * R
            M = np.empty((N, 3, H), dt)            # d(i,f,g preact) = dc * M
            np.multiply(g, i * (1 - i), out=M[:, 0])
            np.multiply(CP, f * (1 - f), out=M[:, 1])
            np.multiply(i, 1 - g * g, out=M[:, 2])
            Q = TC * o * (1 - o)                   # d(o preact) = dh * Q
            DG = np.empty((N, 4 * H), dt)
            DG3 = DG.reshape(N, 4, H)
            dc = np.array(gcn._data, copy=True)
            for t in order:
                s, e = off[t], off[t + 1]
                bsz = e - s
                dht = dh[:bsz] + gout[s:e]
                dct = dht * R[s:e]
                dct += dc[:bsz]
                np.multiply(dct[:, None, :], M[s:e], out=DG3[s:e, :3])
                np.multiply(dht, Q[s:e], out=DG3[s:e, 3])
                np.multiply(dct, f[s:e], out=dc[:bsz])
                np.matmul(DG[s:e], w, out=dh[:bsz])
            dxp = DG
        else:
            OUT = ctx.OUT
            D = (OUT > 0).astype(dt) if mode == "RNN_RELU" else 1 - OUT * OUT
            DG = np.empty((N, H), dt)
            for t in order:
                s, e = off[t], off[t + 1]
                bsz = e - s
                dg = DG[s:e]
                np.add(dh[:bsz], gout[s:e], out=dg)
                dg *= D[s:e]
                np.matmul(dg, w, out=dh[:bsz])
            dxp = DG
            dc = None
        ed = ctx._edges
        lstm = mode == "LSTM"
        iw = 3 if lstm else 2
        res = [_wrap(dxp) if ed[0] is not None else None,
               _wrap(dh) if ed[1] is not None else None]
        if lstm:
            res.append(_wrap(dc) if ed[2] is not None else None)
        res.append(_wrap(DG.T @ HP) if ed[iw] is not None else None)
        if ctx.has_bias:
            res.append(_wrap(DG.sum(0)) if ed[iw + 1] is not None else None)
        return tuple(res)


def _backward_composite(ctx, gout, ghn, gcn):
    """Double backward: re-run the recurrence in Tensor ops and differentiate that graph."""
    from ...autograd import grad
    ins = ctx.inputs
    lstm = ctx.mode == "LSTM"
    xp, h0 = ins[0], ins[1]
    c0 = ins[2] if lstm else None
    k = 3 if lstm else 2
    w = ins[k]
    b = ins[k + 1] if ctx.has_bias else None
    outs = sequence_reference(ctx.mode, xp, h0, c0, w, b, ctx.batch_sizes, ctx.reverse)
    gs = [gout, ghn] + ([gcn] if lstm else [])
    need = [t for t, e in zip(ins, ctx._edges) if e is not None]
    got = iter(grad(list(outs), need, grad_outputs=gs, create_graph=True, allow_unused=True))
    res = []
    for t, e in zip(ins, ctx._edges):
        if e is None:
            res.append(None)
        else:
            gt = next(got)
            res.append(gt if gt is not None else t.new_zeros(t.shape))
    return tuple(res)


def sequence_reference(mode, xp, h0, c0, w, b, batch_sizes, reverse, w_hr=None):
    """The same recurrence composed from ember Tensor ops (slow; for double backward, LSTM
    projections, and tests).  Returns (out (N, H_out), h_n, [c_n])."""
    from ...ops.shape import cat
    T = len(batch_sizes)
    off = _offsets(batch_sizes)
    order = range(T - 1, -1, -1) if reverse else range(T)
    H = w.shape[1] if w_hr is None else w_hr.shape[1]
    h, c = h0, c0
    outs = [None] * T
    B = h0.shape[0]
    for t in order:
        s, e = off[t], off[t + 1]
        bsz = e - s
        hp = h[:bsz]
        gh = hp.matmul(w.t())
        if b is not None:
            gh = gh + b
        x = xp[s:e]
        if mode == "LSTM":
            g4 = x + gh
            i, f = g4[:, :H].sigmoid(), g4[:, H:2 * H].sigmoid()
            g, o = g4[:, 2 * H:3 * H].tanh(), g4[:, 3 * H:].sigmoid()
            cn = f * c[:bsz] + i * g
            hn = o * cn.tanh()
            if w_hr is not None:
                hn = hn.matmul(w_hr.t())
            c = cn if bsz == B else cat([cn, c[bsz:]], 0)
        elif mode == "GRU":
            rz = (x[:, :2 * H] + gh[:, :2 * H]).sigmoid()
            r, z = rz[:, :H], rz[:, H:]
            n = (x[:, 2 * H:] + r * gh[:, 2 * H:]).tanh()
            hn = n + z * (hp - n)
        else:
            a = x + gh
            hn = a.relu() if mode == "RNN_RELU" else a.tanh()
        outs[t] = hn
        h = hn if bsz == B else cat([hn, h[bsz:]], 0)
    out = cat(outs, 0)
    return (out, h, c) if mode == "LSTM" else (out, h)


def rnn_sequence(mode, xproj, h0, c0, w_hh, b_hh, batch_sizes, reverse=False, w_hr=None):
    """Run one layer and direction over a flat sequence: ``(out, h_n)`` or ``(out, h_n, c_n)``.

    ``xproj`` is the input projection (N, G) of all steps, ``batch_sizes`` a tuple of ints."""
    batch_sizes = tuple(int(v) for v in batch_sizes)
    if w_hr is not None:
        return sequence_reference(mode, xproj, h0, c0, w_hh, b_hh, batch_sizes, reverse, w_hr)
    has_bias = b_hh is not None
    ins = [xproj, h0]
    if mode == "LSTM":
        ins.append(c0)
    ins.append(w_hh)
    if has_bias:
        ins.append(b_hh)
    return RNNSequence.apply(*ins, mode=mode, batch_sizes=batch_sizes, reverse=bool(reverse),
                             has_bias=has_bias)
