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
from ...autograd.grad_mode import MODE

__all__ = []

def _offsets(batch_sizes):
    off = np.zeros(len(batch_sizes) + 1, dtype=np.int64)
    np.cumsum(batch_sizes, out=off[1:])
    return off.tolist()


def _prev_parts(prev, OUT, init, reverse):
    """The state each step started from, as row blocks [(start, stop, array)] of the (N, H)
    layout: one stored array for packed input, else views of ``init`` and the outputs
    (no copy: step t of a padded sequence starts from step t-1's output rows)."""
    if prev is not None:
        return [(0, len(prev), prev)]
    N, B = len(OUT), len(init)
    if not reverse:
        return [(0, B, init), (B, N, OUT[:N - B])]
    return [(N - B, N, init), (0, N - B, OUT[B:])]


def _rows_matmul_t(DG, parts):
    """sum over blocks of DG[rows].T @ prev  (the weight gradient, without concatenating)."""
    r = None
    for s, e, a in parts:
        if e > s:
            m = DG[s:e].T @ a
            r = m if r is None else r.__iadd__(m)
    return r


class RNNSequence(Function):
    """Inputs: xproj (N, G), h0 (B, H), [c0 (B, H) for LSTM], w_hh (G, H), [b_hh (G,)].
    Outputs: out (N, H), h_n (B, H), [c_n (B, H)].

    NOTE: sigmoid(x) = 0.5 * tanh(x / 2) + 0.5: the sigmoid gates' rows of W_hh and columns of
    the input projection are pre-scaled by 1/2, so one tanh over the whole gate block (plus an
    affine on the sigmoid part) replaces scipy's expit, which is ~5x slower per element.
    """

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
        ctx.off, ctx.uniform = off, uniform
        dt = xp.dtype
        OUT = np.empty((N, H), dt)
        HP = None if uniform else np.empty((N, H), dt)
        h = h0 if uniform else h0.copy()
        if mode == "GRU":
            H2 = 2 * H
            scale = np.ones(G, dt)
            scale[:H2] = 0.5
            Ws = np.ascontiguousarray((w * scale[:, None]).T)     # (H, 3H)
            xs_rz = xp[:, :H2] + b[:H2] if b is not None else xp[:, :H2].copy()
            xs_rz *= 0.5
            xs_n = xp[:, H2:]
            b_n = b[H2:] if b is not None else None
            RZ = np.empty((N, H2), dt)
            NN = np.empty((N, H), dt)
            GHN = np.empty((N, H), dt)
            gh = np.empty((B, G), dt)
            for t in order:
                s, e = off[t], off[t + 1]
                bsz = e - s
                hp = h if uniform else h[:bsz]
                if not uniform:
                    HP[s:e] = hp
                g = gh[:bsz]
                np.matmul(hp, Ws, out=g)
                rz = RZ[s:e]
                np.add(g[:, :H2], xs_rz[s:e], out=rz)
                np.tanh(rz, out=rz)
                rz *= 0.5
                rz += 0.5
                ghn = GHN[s:e]
                if b_n is not None:
                    np.add(g[:, H2:], b_n, out=ghn)
                else:
                    ghn[...] = g[:, H2:]
                n = NN[s:e]
                np.multiply(rz[:, :H], ghn, out=n)
                n += xs_n[s:e]
                np.tanh(n, out=n)
                o = OUT[s:e]
                np.subtract(hp, n, out=o)
                o *= rz[:, H:]
                o += n
                if uniform:
                    h = o
                else:
                    h[:bsz] = o
            ctx.RZ, ctx.NN, ctx.GHN, ctx.w = RZ, NN, GHN, w
        elif lstm:
            H2, H3 = 2 * H, 3 * H
            scale = np.full(G, 0.5, dt)                          # i, f, o: sigmoid via tanh
            scale[H2:H3] = 1.0                                   # g: tanh
            shift = scale.copy()
            shift[H2:H3] = 0.0
            Ws = np.ascontiguousarray((w * scale[:, None]).T)    # (H, 4H)
            xs = xp + b if b is not None else xp.copy()
            xs *= scale
            A = np.empty((N, G), dt)
            C = np.empty((N, H), dt)
            TC = np.empty((N, H), dt)
            CP = None if uniform else np.empty((N, H), dt)
            c = c0 if uniform else c0.copy()
            tmp = np.empty((B, H), dt)
            for t in order:
                s, e = off[t], off[t + 1]
                bsz = e - s
                if uniform:
                    hp, cp = h, c
                else:
                    hp, cp = h[:bsz], c[:bsz]
                    HP[s:e] = hp
                    CP[s:e] = cp
                a = A[s:e]
                np.matmul(hp, Ws, out=a)
                a += xs[s:e]
                np.tanh(a, out=a)
                a *= scale
                a += shift
                cn = C[s:e]
                np.multiply(a[:, H:H2], cp, out=cn)
                tm = tmp[:bsz]
                np.multiply(a[:, :H], a[:, H2:H3], out=tm)
                cn += tm
                tc = TC[s:e]
                np.tanh(cn, out=tc)
                o = OUT[s:e]
                np.multiply(a[:, H3:], tc, out=o)
                if uniform:
                    h, c = o, cn
                else:
                    h[:bsz] = o
                    c[:bsz] = cn
            ctx.CP = _prev_parts(CP, C, c0, reverse)
            if uniform:
                c = c.copy()
            ctx.A, ctx.TC, ctx.w = A, TC, w
        else:
            WT = np.ascontiguousarray(w.T)
            xs = xp + b if b is not None else xp
            relu = mode == "RNN_RELU"
            for t in order:
                s, e = off[t], off[t + 1]
                bsz = e - s
                hp = h if uniform else h[:bsz]
                if not uniform:
                    HP[s:e] = hp
                o = OUT[s:e]
                np.matmul(hp, WT, out=o)
                o += xs[s:e]
                if relu:
                    np.maximum(o, 0, out=o)
                else:
                    np.tanh(o, out=o)
                if uniform:
                    h = o
                else:
                    h[:bsz] = o
            ctx.w = w
        ctx.HP = _prev_parts(HP, OUT, h0, reverse)
        if uniform:
            h = h.copy()
        ctx.OUT = OUT
        # NOTE: the caller gets a copy: OUT doubles as the saved states of the next steps, and
        # PyTorch lets users modify an RNN's output in place (e.g. ReLU(inplace=True)).
        if lstm:
            return OUT.copy(), h, c
        return OUT.copy(), h

    def backward(ctx, gout, ghn, gcn=None):
        if MODE.grad_enabled:
            return _backward_composite(ctx, gout, ghn, gcn)
        mode, off = ctx.mode, ctx.off
        T = len(ctx.batch_sizes)
        order = range(T) if ctx.reverse else range(T - 1, -1, -1)
        gout = gout._data
        HP = ctx.HP
        N, H = ctx.OUT.shape
        dh = np.array(ghn._data, copy=True)
        dt = ctx.OUT.dtype
        if mode == "GRU":
            RZ, NN, GHN, w = ctx.RZ, ctx.NN, ctx.GHN, ctx.w
            r, z, n = RZ[:, :H], RZ[:, H:], NN
            Z1 = (1 - z) * (1 - n * n)             # dL/d(n preact) = dh * Z1
            HN = np.empty((N, H), dt)              # dL/d(z preact) = dh * HN
            for s0, e0, a in HP:
                np.subtract(a, n[s0:e0], out=HN[s0:e0])
            HN *= z * (1 - z)
            GR = GHN * r * (1 - r)                 # dL/d(r preact) = dn_pre * GR
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
            dW = _rows_matmul_t(DG, HP)
            dc = None
        elif mode == "LSTM":
            A, TC, CP, w = ctx.A, ctx.TC, ctx.CP, ctx.w
            i, f, g, o = A[:, :H], A[:, H:2 * H], A[:, 2 * H:3 * H], A[:, 3 * H:]
            R = o * (1 - TC * TC)                  # dc += dh * R
            M = np.empty((N, 3, H), dt)            # d(i, f, g preact) = dc * M
            np.multiply(g, i * (1 - i), out=M[:, 0])
            for s0, e0, a in CP:
                np.multiply(a, f[s0:e0] * (1 - f[s0:e0]), out=M[s0:e0, 1])
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
                d3 = DG3[s:e]
                np.multiply(dct[:, None, :], M[s:e], out=d3[:, :3])
                np.multiply(dht, Q[s:e], out=d3[:, 3])
                np.multiply(dct, f[s:e], out=dc[:bsz])
                np.matmul(DG[s:e], w, out=dh[:bsz])
            dxp = DG
            dW = _rows_matmul_t(DG, HP)
        else:
            w = ctx.w
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
            dW = _rows_matmul_t(DG, HP)
            dc = None
        ed = ctx._edges
        lstm = mode == "LSTM"
        iw = 3 if lstm else 2
        res = [_wrap(dxp) if ed[0] is not None else None,
               _wrap(dh) if ed[1] is not None else None]
        if lstm:
            res.append(_wrap(dc) if ed[2] is not None else None)
        res.append(_wrap(dW) if ed[iw] is not None else None)
        if ctx.has_bias:
            res.append(_wrap(DG.sum(0))
                       if ed[iw + 1] is not None else None)
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
    if not batch_sizes:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
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
