import numpy as np
import pytest
import torch

import ember
from oracle import check, make

SHAPE_PAIRS = [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 5)), ((), (2, 3)), ((0, 3), (3,)),
               ((2, 1, 3), (4, 1))]
BINARY = {
    "add": (lambda a, b: a + b), "sub": (lambda a, b: a - b), "mul": (lambda a, b: a * b),
    "div": (lambda a, b: a / b), "pow_pos": (lambda a, b: a.abs() ** b),
    "maximum": (lambda a, b: a.maximum(b) if hasattr(a, "maximum") else a.maximum(b)),
    "atan2": (lambda a, b: a.atan2(b)), "remainder": (lambda a, b: a % (b.abs() + 0.5)),
    "fmod": (lambda a, b: a.fmod(b.abs() + 0.5)), "add_alpha": (lambda a, b: a.add(b, alpha=2.5)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", SHAPE_PAIRS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_forward_and_grad(name, shapes, dtype):
    fn = BINARY[name]
    check(fn, fn, make(shapes[0], dtype, 1), make(shapes[1], dtype, 2))


def test_binary_noncontiguous():
    a = make((4, 3), np.float32, 1, noncontig=True)
    b = make((4, 3), np.float32, 2)
    check(lambda x, y: x * y + x, lambda x, y: x * y + x, a, b)


@pytest.mark.parametrize("scalar", [2, 2.5, -1.5, True])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "rsub", "rdiv", "pow", "rpow", "floordiv", "mod"])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int32, np.uint8, np.bool_, np.float16])
def test_scalar_promotion(scalar, op, dtype):
    fns = {"add": lambda t: t + scalar, "sub": lambda t: t - scalar, "mul": lambda t: t * scalar,
           "div": lambda t: t / scalar, "rsub": lambda t: scalar - t, "rdiv": lambda t: scalar / (t.abs() + 1),
           "pow": lambda t: t.abs() ** abs(scalar), "rpow": lambda t: abs(scalar) ** (t * 1),
           "floordiv": lambda t: t // (abs(scalar) + 1), "mod": lambda t: t % (abs(scalar) + 1)}
    a = make((3, 4), dtype, 3, low=-3, high=3)
    try:
        want = fns[op](torch.from_numpy(a))
    except RuntimeError:
        with pytest.raises(RuntimeError):
            fns[op](ember.from_numpy(a))
        return
    check(fns[op], fns[op], a, grad=False)


DT = [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.float16,
      torch.float32, torch.float64]


@pytest.mark.parametrize("da", DT)
@pytest.mark.parametrize("db", DT)
@pytest.mark.parametrize("zero_dim", [False, True])
def test_tensor_promotion(da, db, zero_dim):
    ta = torch.ones(2, dtype=da)
    tb = torch.ones(() if zero_dim else 2, dtype=db)
    ea = ember.ones(2, dtype=getattr(ember, str(da).split(".")[1]))
    eb = ember.ones(() if zero_dim else 2, dtype=getattr(ember, str(db).split(".")[1]))
    assert str((ea * eb).dtype) == str((ta * tb).dtype)
    assert str((ea / eb).dtype) == str((ta / tb).dtype)


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
@pytest.mark.parametrize("dtype", [np.int64, np.float32])
def test_div_rounding(mode, dtype):
    a = np.array([-7, -3, 0, 3, 7], dtype=dtype)
    b = np.array([2, -2, 3, 2, -3], dtype=dtype)
    check(lambda x, y: x.div(y, rounding_mode=mode), lambda x, y: x.div(y, rounding_mode=mode), a, b,
          grad=False)


def test_broadcast_error_names_shapes():
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match the size of tensor b \(4\)"):
        ember.ones(2, 3) + ember.ones(2, 4)


def test_inplace_int_from_float_errors():
    t = ember.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        t += 1.5
    assert t.tolist() == [1, 2]


def test_uint8_wraps_and_true_div():
    assert (ember.tensor([250, 3], dtype=ember.uint8) + 10).tolist() == [4, 13]
    assert (ember.tensor([1, 2]) / ember.tensor([2, 2])).dtype is ember.float32


def test_inplace_view_changes_base():
    base = ember.zeros(3, 4)
    base[:, 1].add_(5)
    base.t()[3].fill_(-2)
    tb = torch.zeros(3, 4)
    tb[:, 1].add_(5)
    tb.t()[3].fill_(-2)
    np.testing.assert_array_equal(base.numpy(), tb.numpy())
