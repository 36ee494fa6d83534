"""Loss functions and modules against PyTorch: every reduction, weights, bad inputs."""
import numpy as np
import pytest
import torch

import ember
from module_oracle import compare
from oracle import TOL, assert_close, make

import ember.nn as enn
import ember.nn.functional as EF
import torch.nn as tnn
import torch.nn.functional as TF

RED = ["mean", "sum", "none"]


def run(fe, ft, inputs, grad_idx=(0,), dtype=np.float32):
    """Compare loss values and dtypes and the gradients of the inputs listed in grad_idx."""
    compare(fe, ft, inputs, dtype=dtype, tol=TOL, grad_inputs=grad_idx, proj="uniform", seed=3)


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.15])
def test_cross_entropy(reduction, dtype, weighted, smoothing):
    x = make((7, 5), dtype)
    t = np.array([0, 4, 2, 2, 1, 3, -100])
    w = make((5,), dtype, seed=4, low=0.5, high=2.0)
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    run(lambda a: EF.cross_entropy(a, ember.tensor(t), weight=ember.tensor(w) if weighted else None, **kw),
        lambda a: TF.cross_entropy(a, torch.tensor(t), weight=torch.tensor(w) if weighted else None, **kw),
        [x], dtype=dtype)


@pytest.mark.parametrize("reduction", RED)
def test_cross_entropy_kdim_ignore_and_probs(reduction):
    x = make((2, 4, 3, 2))
    t = np.random.default_rng(0).integers(0, 4, (2, 3, 2))
    t[0, 1, 1] = 1
    run(lambda a: EF.cross_entropy(a, ember.tensor(t), ignore_index=1, reduction=reduction),
        lambda a: TF.cross_entropy(a, torch.tensor(t), ignore_index=1, reduction=reduction), [x])
    p = np.asarray(torch.softmax(torch.tensor(make((2, 4, 3, 2), seed=5)), 1))
    w = make((4,), seed=6, low=0.5, high=2)
    run(lambda a, b: EF.cross_entropy(a, b, weight=ember.tensor(w), label_smoothing=0.1, reduction=reduction),
        lambda a, b: TF.cross_entropy(a, b, weight=torch.tensor(w), label_smoothing=0.1, reduction=reduction),
        [x, p], grad_idx=(0, 1))
    # unbatched (C,) input with a 0-d target
    run(lambda a: EF.cross_entropy(a, ember.tensor(2), reduction=reduction),
        lambda a: TF.cross_entropy(a, torch.tensor(2), reduction=reduction), [make((5,))])


def test_cross_entropy_double_backward():
    x = make((4, 3), np.float64)
    t = np.array([0, 2, 1, 1])
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ge, = ember.autograd.grad(EF.cross_entropy(xe, ember.tensor(t), label_smoothing=0.1), xe, create_graph=True)
    gt, = torch.autograd.grad(TF.cross_entropy(xt, torch.tensor(t), label_smoothing=0.1), xt, create_graph=True)
    assert_close(ge, gt, np.float64)
    (ge ** 2).sum().backward()
    (gt ** 2).sum().backward()
    assert_close(xe.grad, xt.grad, np.float64)


def test_cross_entropy_bad_inputs():
    x = ember.zeros(3, 5)
    with pytest.raises(RuntimeError, match="expected scalar type Long but found Float"):
        EF.cross_entropy(x, ember.tensor([1.0, 2.0, 0.0]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target batch_size \(2\)"):
        EF.cross_entropy(x, ember.tensor([1, 2]))
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        EF.cross_entropy(x, ember.tensor([1, 7, 0]))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        EF.cross_entropy(x, ember.tensor([1, 2, 0]), reduction="avg")
    with pytest.raises(RuntimeError, match="weight tensor should be defined"):
        EF.cross_entropy(x, ember.tensor([1, 2, 0]), weight=ember.ones(4))


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll(reduction, weighted):
    x = np.asarray(torch.log_softmax(torch.tensor(make((6, 4))), 1))
    t = np.array([0, 3, 1, 1, 2, 0])
    w = make((4,), seed=2, low=0.5, high=2)
    run(lambda a: EF.nll_loss(a, ember.tensor(t), weight=ember.tensor(w) if weighted else None,
                              ignore_index=3, reduction=reduction),
        lambda a: TF.nll_loss(a, torch.tensor(t), weight=torch.tensor(w) if weighted else None,
                              ignore_index=3, reduction=reduction), [x])


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("name,kw", [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
                                     ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {"delta": 0.7}),
                                     ("soft_margin_loss", {}), ("poisson_nll_loss", {}),
                                     ("poisson_nll_loss", {"log_input": False, "full": True}),
                                     ("kl_div", {}), ("kl_div", {"log_target": True}),
                                     ("hinge_embedding_loss", {"margin": 0.5}),
                                     ("multilabel_soft_margin_loss", {})])
def test_pointwise_losses(reduction, name, kw):
    x = make((5, 4), low=0.1, high=2.0) if name == "poisson_nll_loss" and not kw.get("log_input", True) \
        else make((5, 4))
    t = make((5, 4), seed=7, low=0.0, high=3.0)
    if name in ("soft_margin_loss", "hinge_embedding_loss"):
        t = np.sign(make((5, 4), seed=7)).astype(np.float32)
    if name == "multilabel_soft_margin_loss":
        t = (t > 1.5).astype(np.float32)
    run(lambda a, b: getattr(EF, name)(a, b, reduction=reduction, **kw),
        lambda a, b: getattr(TF, name)(a, b, reduction=reduction, **kw), [x, t],
        grad_idx=(0, 1) if name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss") else (0,))


def test_kl_batchmean_and_mse_broadcast_warning():
    x = np.asarray(torch.log_softmax(torch.tensor(make((4, 3))), 1))
    t = np.asarray(torch.softmax(torch.tensor(make((4, 3), seed=1)), 1))
    run(lambda a, b: EF.kl_div(a, b, reduction="batchmean"), lambda a, b: TF.kl_div(a, b, reduction="batchmean"),
        [x, t])
    with pytest.warns(UserWarning, match="different to the input size"):
        EF.mse_loss(ember.zeros(3, 2), ember.zeros(3, 1))


@pytest.mark.parametrize("reduction", RED)
def test_bce(reduction):
    x = np.asarray(torch.sigmoid(torch.tensor(make((6, 3)))))
    t = (make((6, 3), seed=2) > 0).astype(np.float32)
    w = make((6, 3), seed=3, low=0.5, high=1.5)
    run(lambda a, b: EF.binary_cross_entropy(a, b, reduction=reduction),
        lambda a, b: TF.binary_cross_entropy(a, b, reduction=reduction), [x, t], grad_idx=(0, 1))
    run(lambda a: EF.binary_cross_entropy(a, ember.tensor(t), weight=ember.tensor(w), reduction=reduction),
        lambda a: TF.binary_cross_entropy(a, torch.tensor(t), weight=torch.tensor(w), reduction=reduction), [x])
    pw = make((3,), seed=4, low=0.5, high=3)
    run(lambda a, b: EF.binary_cross_entropy_with_logits(a, b, reduction=reduction, pos_weight=ember.tensor(pw)),
        lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction=reduction, pos_weight=torch.tensor(pw)),
        [make((6, 3)) * 4, t], grad_idx=(0, 1))
    run(lambda a: EF.binary_cross_entropy_with_logits(a, ember.tensor(t), weight=ember.tensor(w), reduction=reduction),
        lambda a: TF.binary_cross_entropy_with_logits(a, torch.tensor(t), weight=torch.tensor(w), reduction=reduction),
        [make((6, 3))])
    with pytest.raises(ValueError, match="must be the same as input size"):
        EF.binary_cross_entropy_with_logits(ember.zeros(3), ember.zeros(4))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        EF.binary_cross_entropy(ember.tensor([1.5]), ember.tensor([1.0]))


@pytest.mark.parametrize("reduction", RED)
def test_pair_losses(reduction):
    a, b = make((5, 4)), make((5, 4), seed=1)
    n = make((5, 4), seed=2)
    y = np.array([1, -1, 1, -1, 1], dtype=np.float32)
    run(lambda p, q: EF.cosine_embedding_loss(p, q, ember.tensor(y), margin=0.2, reduction=reduction),
        lambda p, q: TF.cosine_embedding_loss(p, q, torch.tensor(y), margin=0.2, reduction=reduction),
        [a, b], grad_idx=(0, 1))
    run(lambda p, q: EF.margin_ranking_loss(p, q, ember.tensor(y), margin=0.1, reduction=reduction),
        lambda p, q: TF.margin_ranking_loss(p, q, torch.tensor(y), margin=0.1, reduction=reduction),
        [a[:, 0].copy(), b[:, 0].copy()], grad_idx=(0, 1))
    for swap in (False, True):
        run(lambda p, q, r: EF.triplet_margin_loss(p, q, r, margin=0.5, swap=swap, reduction=reduction),
            lambda p, q, r: TF.triplet_margin_loss(p, q, r, margin=0.5, swap=swap, reduction=reduction),
            [a, b, n], grad_idx=(0, 1, 2))
    t = np.array([0, 3, 1, 2, 2])
    w = make((4,), seed=9, low=0.5, high=2)
    for p in (1, 2):
        run(lambda x: EF.multi_margin_loss(x, ember.tensor(t), p=p, weight=ember.tensor(w), reduction=reduction),
            lambda x: TF.multi_margin_loss(x, torch.tensor(t), p=p, weight=torch.tensor(w), reduction=reduction), [a])
    var = make((5, 4), seed=3, low=0.1, high=2)
    run(lambda x, v: EF.gaussian_nll_loss(x, ember.tensor(b), v, full=True, reduction=reduction),
        lambda x, v: TF.gaussian_nll_loss(x, torch.tensor(b), v, full=True, reduction=reduction),
        [a, var], grad_idx=(0, 1))
    tl = np.array([[3, 0, -1, 1], [0, 1, 2, 3], [1, -1, 0, 0], [2, 1, -1, 0], [-1, 0, 0, 0]])
    run(lambda x: EF.multilabel_margin_loss(x, ember.tensor(tl), reduction=reduction),
        lambda x: TF.multilabel_margin_loss(x, torch.tensor(tl), reduction=reduction), [a])


LOSS_MODULES = [("MSELoss", {}), ("L1Loss", {"reduction": "sum"}), ("SmoothL1Loss", {"beta": 0.3}),
                ("HuberLoss", {"delta": 2.0}), ("KLDivLoss", {"reduction": "batchmean"}),
                ("BCEWithLogitsLoss", {}), ("SoftMarginLoss", {}), ("MultiLabelSoftMarginLoss", {}),
                ("PoissonNLLLoss", {}), ("CrossEntropyLoss", {"label_smoothing": 0.1}), ("NLLLoss", {}),
                ("GaussianNLLLoss", {})]


@pytest.mark.parametrize("name,kw", LOSS_MODULES)
def test_loss_module_repr_and_state(name, kw):
    me, mt = getattr(enn, name)(**kw), getattr(tnn, name)(**kw)
    assert repr(me) == repr(mt)
    assert list(me.state_dict()) == list(mt.state_dict())
    assert me.reduction == mt.reduction


def test_weighted_loss_buffers():
    w = [1.0, 2.0, 0.5]
    me, mt = enn.CrossEntropyLoss(weight=ember.tensor(w)), tnn.CrossEntropyLoss(weight=torch.tensor(w))
    assert list(me.state_dict()) == list(mt.state_dict()) == ["weight"]
    me = enn.BCEWithLogitsLoss(pos_weight=ember.tensor(w))
    mt = tnn.BCEWithLogitsLoss(pos_weight=torch.tensor(w))
    assert list(me.state_dict()) == list(mt.state_dict())
    # legacy size_average / reduce
    assert enn.MSELoss(size_average=False).reduction == tnn.MSELoss(size_average=False).reduction == "sum"
    assert enn.MSELoss(reduce=False).reduction == "none"


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("form", ["padded", "concat"])
def test_ctc_loss(reduction, form):
    T, N, C = 12, 3, 5
    lp = np.asarray(torch.log_softmax(torch.tensor(make((T, N, C))), 2))
    tg = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 4, 4, 1]])
    tl, il = np.array([3, 2, 4]), np.array([12, 9, 10])
    targ = tg if form == "padded" else np.concatenate([tg[n, :tl[n]] for n in range(N)])
    run(lambda a: EF.ctc_loss(a, ember.tensor(targ), ember.tensor(il), ember.tensor(tl), reduction=reduction),
        lambda a: TF.ctc_loss(a, torch.tensor(targ), torch.tensor(il), torch.tensor(tl), reduction=reduction),
        [lp])
    me, mt = enn.CTCLoss(reduction=reduction, zero_infinity=True), tnn.CTCLoss(reduction=reduction, zero_infinity=True)
    il[2] = 5  # impossible alignment: zeroed
    run(lambda a: me(a, ember.tensor(targ), ember.tensor(il), ember.tensor(tl)),
        lambda a: mt(a, torch.tensor(targ), torch.tensor(il), torch.tensor(tl)), [lp])
