"""A compiled training step writes the optimizer's update out as generated code: for every
optimizer and option set, N compiled steps give the parameters and the optimizer state_dict
of N eager steps; lr comes from any scheduler at run time; baked hyperparameters are guarded."""
import numpy as np
import pytest

import ember as torch
import ember.nn.functional as F
from ember import nn

O = torch.optim
N = 5

OPTIMIZERS = {
    "sgd": lambda p: O.SGD(p, lr=0.1),
    "sgd_momentum": lambda p: O.SGD(p, lr=0.1, momentum=0.9),
    "sgd_nesterov_wd": lambda p: O.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
    "sgd_dampening_maximize": lambda p: O.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, maximize=True),
    "adam": lambda p: O.Adam(p, lr=0.01),
    "adam_amsgrad_wd": lambda p: O.Adam(p, lr=0.01, amsgrad=True, weight_decay=0.1),
    "adam_maximize": lambda p: O.Adam(p, lr=0.01, maximize=True, betas=(0.3, 0.9)),
    "adamw": lambda p: O.AdamW(p, lr=0.01, weight_decay=0.1),
    "adamw_amsgrad": lambda p: O.AdamW(p, lr=0.01, amsgrad=True, foreach=True),
    "adam_tensor_lr": lambda p: O.Adam(p, lr=torch.tensor(0.01), capturable=True),
    "adagrad": lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.1,
                                   initial_accumulator_value=0.1),
    "adadelta": lambda p: O.Adadelta(p, lr=1.0, weight_decay=0.1),
    "adamax": lambda p: O.Adamax(p, lr=0.01, weight_decay=0.1),
    "asgd": lambda p: O.ASGD(p, lr=0.01, t0=2),          # (t0=2: its averaging starts here)
    "asgd_default": lambda p: O.ASGD(p, lr=0.01, weight_decay=0.1, maximize=True),
    "nadam": lambda p: O.NAdam(p, lr=0.01),
    "nadam_decoupled": lambda p: O.NAdam(p, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    "radam": lambda p: O.RAdam(p, lr=0.01, betas=(0.9, 0.5)),   # rho_t > 5 from step 1
    "radam_wd": lambda p: O.RAdam(p, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    "rmsprop": lambda p: O.RMSprop(p, lr=0.01),
    "rmsprop_centered_momentum": lambda p: O.RMSprop(p, lr=0.01, centered=True, momentum=0.9,
                                                     weight_decay=0.1),
    "rprop": lambda p: O.Rprop(p, lr=0.01),
    "rprop_maximize": lambda p: O.Rprop(p, lr=0.01, maximize=True, etas=(0.3, 1.5)),
}


def data(steps=N, seed=3):
    rng = np.random.default_rng(seed)
    return [(torch.tensor(rng.standard_normal((8, 4)).astype(np.float32)),
             torch.tensor(rng.integers(0, 3, 8))) for _ in range(steps)]


def setup(make_opt, sched=None):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    opt = make_opt(model.parameters())
    s = sched(opt) if sched else None

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        if s is not None:
            s.step()
        return loss
    return model, opt, step


def run(make_opt, compiled, sched=None, batches=None):
    model, opt, step = setup(make_opt, sched)
    fn = torch.compile(step) if compiled else step
    losses = [fn(x, y).item() for x, y in (batches or data())]
    return losses, model, opt, fn


def flat_state(opt):
    sd = opt.state_dict()
    out = {}
    for i, st in sd["state"].items():
        for k, v in st.items():
            out[(i, k)] = v.numpy() if hasattr(v, "numpy") else v
    return out, sd["param_groups"]


def assert_same(a, b, rtol=1e-6, atol=1e-7):
    la, ma, oa = a[:3]
    lb, mb, ob = b[:3]
    np.testing.assert_allclose(la, lb, rtol=rtol, atol=atol)
    for pa, pb in zip(ma.parameters(), mb.parameters()):
        np.testing.assert_allclose(pa.detach().numpy(), pb.detach().numpy(), rtol=rtol, atol=atol)
    (sa, ga), (sb, gb) = flat_state(oa), flat_state(ob)
    assert sa.keys() == sb.keys()
    for k in sa:
        np.testing.assert_allclose(sa[k], sb[k], rtol=rtol, atol=atol, err_msg=str(k))
    assert ga == gb


def update_code(fn):
    code = torch.compiler.code(fn)
    return code[code.index("end of backward"):]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_generated_update_matches_eager(name):
    eager = run(OPTIMIZERS[name], False)
    comp = run(OPTIMIZERS[name], True)
    assert_same(eager, comp)
    fn = comp[3]
    assert not fn._ember_compiled.breaks and len(fn._ember_compiled.graphs()) == 1
    code = update_code(fn)
    # the update is written out (no call of the optimizer's step), lr read at each step
    assert ".step" not in code.replace(".step,", "") and "_run" not in code
    assert "p -= " in code or "p += " in code
    if not name.startswith("rprop"):          # (Rprop's steps do not read lr)
        assert '.param_groups[0]["lr"]' in code


def test_sgd_momentum_code_reads_as_the_rule():
    fn = run(OPTIMIZERS["sgd_momentum"], True)[3]
    code = update_code(fn)
    for line in ("buf *= 0.9", "buf += g", "p -= lr * g", '.grad = None'):
        assert line in torch.compiler.code(fn)
    assert "momentum_buffer" in code and "if " not in code


@pytest.mark.parametrize("sched", [
    lambda o: O.lr_scheduler.StepLR(o, 2, gamma=0.5),
    lambda o: O.lr_scheduler.LambdaLR(o, lambda e: 1.0 / (1 + e)),
    lambda o: O.lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=20),
], ids=["StepLR", "LambdaLR", "OneCycleLR"])
@pytest.mark.parametrize("opt", ["sgd_momentum", "adam"])
def test_schedules_are_followed(sched, opt):
    batches = data(8)
    eager = run(OPTIMIZERS[opt], False, sched, batches)
    comp = run(OPTIMIZERS[opt], True, sched, batches)
    assert_same(eager, comp)
    c = comp[3]._ember_compiled
    assert c.recompiles == 0 and not c.breaks
    assert comp[2].param_groups[0]["lr"] == eager[2].param_groups[0]["lr"]


def test_onecycle_momentum_is_read_at_run_time():
    fn = run(OPTIMIZERS["sgd_momentum"], True,
             lambda o: O.lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=20))[3]
    code = update_code(fn)
    assert '.param_groups[0]["momentum"]' in code and "buf *= momentum" in code


def _onecycle_outside(compiled, batches):
    model, opt, step = setup(OPTIMIZERS["sgd_momentum"])
    sched = O.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=20)
    fn = torch.compile(step) if compiled else step
    for x, y in batches:
        fn(x, y)
        sched.step()            # (outside the compiled step: momentum moves between calls)
    return model, fn


def test_a_hyperparameter_that_keeps_changing_is_read_at_run_time():
    batches = data(10)
    (ma, _), (mb, fn) = _onecycle_outside(False, batches), _onecycle_outside(True, batches)
    for pa, pb in zip(ma.parameters(), mb.parameters()):
        np.testing.assert_allclose(pa.detach().numpy(), pb.detach().numpy(), rtol=1e-6, atol=1e-7)
    c = fn._ember_compiled
    assert c.recompiles == 2 and not c.warned     # two new values baked in, then read
    assert '["momentum"]  # read at every step' in torch.compiler.code(fn)


def test_changing_a_hyperparameter_recompiles():
    batches = data(6)
    results = []
    for compiled in (False, True):
        model, opt, step = setup(OPTIMIZERS["sgd_momentum"])
        fn = torch.compile(step) if compiled else step
        for i, (x, y) in enumerate(batches):
            if i == 3:
                opt.param_groups[0]["momentum"] = 0.5
            fn(x, y)
        results.append((model, opt, fn))
    for pa, pb in zip(results[0][0].parameters(), results[1][0].parameters()):
        np.testing.assert_allclose(pa.detach().numpy(), pb.detach().numpy(), rtol=1e-6)
    fn = results[1][2]
    assert fn._ember_compiled.recompiles == 1
    assert "buf *= 0.5" in torch.compiler.code(fn)


def test_new_param_group_recompiles():
    torch.manual_seed(0)
    body, head = nn.Linear(4, 8), nn.Linear(8, 3)
    opt = O.Adam(body.parameters(), lr=0.01)

    def step(x, y):
        opt.zero_grad()
        F.cross_entropy(head(body(x).relu()), y).backward()
        opt.step()
    fn = torch.compile(step)
    batches = data(4)
    for x, y in batches[:2]:
        fn(x, y)
    w = head.weight.detach().numpy().copy()
    opt.add_param_group({"params": head.parameters(), "lr": 0.1})
    for x, y in batches[2:]:
        fn(x, y)
    assert fn._ember_compiled.recompiles == 1
    assert not np.array_equal(w, head.weight.detach().numpy())     # the new group trains
    assert '.param_groups[1]["lr"]' in torch.compiler.code(fn)


def test_interleaving_eager_and_compiled_steps():
    batches = data(8)
    ref = run(OPTIMIZERS["adam_amsgrad_wd"], False, batches=batches)
    model, opt, step = setup(OPTIMIZERS["adam_amsgrad_wd"])
    cstep = torch.compile(step)
    losses = [(cstep if i % 3 else step)(x, y).item() for i, (x, y) in enumerate(batches)]
    assert_same(ref, (losses, model, opt))


def _partly_trained(compiled):
    torch.manual_seed(0)
    a, b, unused = nn.Linear(4, 8), nn.Linear(8, 3), nn.Linear(3, 3)
    opt = O.Adam([*a.parameters(), *b.parameters(), *unused.parameters()], lr=0.01)
    b.bias.requires_grad_(False)

    def step(x, y):
        opt.zero_grad()
        F.cross_entropy(b(a(x).tanh()), y).backward()
        opt.step()
    fn = torch.compile(step) if compiled else step
    for x, y in data():
        fn(x, y)
    return (a, b, unused), opt, fn


def test_parameters_without_grad_are_skipped():
    (ea, oa, _), (eb, ob, fn) = _partly_trained(False), _partly_trained(True)
    for ma, mb in zip(ea, eb):
        for pa, pb in zip(ma.parameters(), mb.parameters()):
            np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())
    assert len(ob.state) == len(oa.state) == 3
    assert update_code(fn).count("+= upd") == 3


def _trained_with_outside_grads(compiled):
    torch.manual_seed(0)
    a, b = nn.Linear(4, 3), nn.Linear(3, 3)
    opt = O.SGD([*a.parameters(), *b.parameters()], lr=0.1, momentum=0.9)

    def step(x, y):
        F.cross_entropy(a(x), y).backward()
        opt.step()
    fn = torch.compile(step) if compiled else step
    for i, (x, y) in enumerate(data(6)):
        opt.zero_grad()
        if i >= 3:
            b.weight.grad = torch.ones(3, 3)    # a gradient from elsewhere: b.weight steps
        fn(x, y)
    return (a, b), fn


def test_grads_the_step_does_not_decide_are_guarded():
    # zero_grad outside the step, and a parameter the loss does not reach: whether that one
    # has a .grad is decided outside the step, so the compiled step guards on it
    (ea, _), (eb, fn) = _trained_with_outside_grads(False), _trained_with_outside_grads(True)
    for ma, mb in zip(ea, eb):
        for pa, pb in zip(ma.parameters(), mb.parameters()):
            np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())
    assert fn._ember_compiled.recompiles == 1
    code = torch.compiler.code(fn)
    assert "grad = None" not in code and code.count("buf *= 0.9") == 2 + 3


def test_state_dict_save_load_after_compiled_steps_resumes(tmp_path):
    batches = data(8)
    ref = run(OPTIMIZERS["adam"], False, batches=batches)
    model, opt, step = setup(OPTIMIZERS["adam"])
    cstep = torch.compile(step)
    for x, y in batches[:4]:
        cstep(x, y)
    torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / "ck.pt")
    model2, opt2, step2 = setup(OPTIMIZERS["adam"])
    ck = torch.load(tmp_path / "ck.pt")
    model2.load_state_dict(ck["model"])
    opt2.load_state_dict(ck["opt"])
    cstep2 = torch.compile(step2)
    losses = [cstep2(x, y).item() for x, y in batches[4:]]
    np.testing.assert_allclose(losses, ref[0][4:], rtol=1e-6)
    assert_same(ref, (ref[0], model2, opt2))
    # loading into the optimizer a compiled step already uses: the next steps read the new state
    opt.load_state_dict(ck["opt"])
    model.load_state_dict(ck["model"])
    losses = [cstep(x, y).item() for x, y in batches[4:]]
    np.testing.assert_allclose(losses, ref[0][4:], rtol=1e-6)


def _lstm_trained(compiled):
    torch.manual_seed(0)
    rnn, head = nn.LSTM(4, 8), nn.Linear(8, 3)
    opt = O.Adam([*rnn.parameters(), *head.parameters()], lr=0.01, amsgrad=True)

    def step(x, y):
        opt.zero_grad()
        h, _ = rnn(x.view(2, 4, 4))
        loss = F.cross_entropy(head(h).view(8, 3), y)
        loss.backward()
        opt.step()
        return loss
    fn = torch.compile(step) if compiled else step
    return [fn(x, y).item() for x, y in data()], [rnn, head], opt, fn


def test_a_backward_that_calls_each_rule_still_gets_a_generated_update():
    # (an LSTM's gradient rules are called from the generated code rather than recorded)
    (la, ma, oa, _), (lb, mb, ob, fn) = _lstm_trained(False), _lstm_trained(True)
    np.testing.assert_allclose(la, lb, rtol=1e-6)
    for a, b in zip(ma, mb):
        for pa, pb in zip(a.parameters(), b.parameters()):
            np.testing.assert_allclose(pa.detach().numpy(), pb.detach().numpy(), rtol=1e-6, atol=1e-7)
    (sa, _), (sb, _) = flat_state(oa), flat_state(ob)
    for k in sa:
        np.testing.assert_allclose(sa[k], sb[k], rtol=1e-6, atol=1e-7, err_msg=str(k))
    assert "# --- backward ---" in torch.compiler.code(fn)
    assert "_run" not in torch.compiler.code(fn) and "Adam.step, param group 0" in torch.compiler.code(fn)


def test_hooks_and_differentiable_keep_the_call():
    calls = []
    _, opt, step = setup(OPTIMIZERS["adam"])
    fn = torch.compile(step)
    x, y = data(1)[0]
    fn(x, y)
    fn(x, y)
    assert "_adam" in torch.compiler.code(fn)
    h = opt.register_step_post_hook(lambda o, a, k: calls.append(1))
    fn(x, y)
    fn(x, y)
    assert calls == [1, 1]
    assert "Adam.step" in torch.compiler.code(fn).split("def step")[-1]
    h.remove()
    _, opt, step = setup(lambda p: O.SGD(p, lr=0.1, momentum=0.9, differentiable=True))
    fn = torch.compile(step)
    fn(x, y)
    fn(x, y)
    assert "SGD.step" in torch.compiler.code(fn) and "buf *=" not in torch.compiler.code(fn)


def test_zero_grad_in_place_stays_a_call_and_the_step_is_generated():
    def step_of(opt, model):
        def step(x, y):
            opt.zero_grad(set_to_none=False)
            F.cross_entropy(model(x), y).backward()
            opt.step()
        return step
    results = []
    for compiled in (False, True):
        model, opt, _ = setup(OPTIMIZERS["adamw"])
        fn = step_of(opt, model)
        fn = torch.compile(fn) if compiled else fn
        for x, y in data():
            fn(x, y)
        results.append((model, fn))
    for pa, pb in zip(results[0][0].parameters(), results[1][0].parameters()):
        np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())
    code = torch.compiler.code(results[1][1])
    assert "AdamW.zero_grad" in code and "AdamW.step, param group 0" in code


def test_a_global_step_hook_keeps_the_call():
    calls = []
    _, _, step = setup(OPTIMIZERS["sgd_momentum"])
    fn = torch.compile(step)
    x, y = data(1)[0]
    h = O.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append(1))
    try:
        fn(x, y)
        fn(x, y)
    finally:
        h.remove()
    assert calls == [1, 1] and "buf *=" not in torch.compiler.code(fn)


def test_lbfgs_closure_stays_eager():
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = O.LBFGS(model.parameters(), lr=0.5, max_iter=3)
    x, y = data(1)[0]

    def step():
        def closure():
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            return loss
        return opt.step(closure)
    fn = torch.compile(step)
    fn()
    fn()
    assert fn._ember_compiled.breaks     # (a closure is a function passed to the step)


AGAINST_TORCH = {
    "adam": lambda m, p: m.optim.Adam(p, lr=0.01),
    "sgd_momentum": lambda m, p: m.optim.SGD(p, lr=0.1, momentum=0.9),
    "nadam": lambda m, p: m.optim.NAdam(p, lr=0.01),
    "rmsprop_centered": lambda m, p: m.optim.RMSprop(p, lr=0.01, centered=True, momentum=0.5),
}


@pytest.mark.parametrize("name", sorted(AGAINST_TORCH))
def test_against_pytorch(name):
    torch_ = pytest.importorskip("torch")
    make = AGAINST_TORCH[name]
    batches = data()
    losses, model, _, fn = run(lambda p: make(torch, p), True, batches=batches)
    assert "_run" not in update_code(fn)
    tm = torch_.nn.Sequential(torch_.nn.Linear(4, 16), torch_.nn.Tanh(), torch_.nn.Linear(16, 3))
    torch.manual_seed(0)
    init = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    with torch_.no_grad():
        for tp, ep in zip(tm.parameters(), init.parameters()):
            tp.copy_(torch_.tensor(ep.detach().numpy()))
    topt = make(torch_, tm.parameters())
    tl = []
    for x, y in batches:
        topt.zero_grad()
        loss = torch_.nn.functional.cross_entropy(tm(torch_.tensor(x.numpy())),
                                                  torch_.tensor(y.numpy()))
        loss.backward()
        topt.step()
        tl.append(loss.item())
    np.testing.assert_allclose(losses, tl, rtol=1e-5)
    for tp, ep in zip(tm.parameters(), model.parameters()):
        np.testing.assert_allclose(tp.detach().numpy(), ep.detach().numpy(), rtol=1e-5, atol=1e-6)


# --- ember run --compile compiles the optimizer steps too ---------------------------------------
_SCRIPT = '''
import torch
torch.manual_seed(0)
m = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
opt = torch.optim.Adam(m.parameters(), lr=0.01)
sched = torch.optim.lr_scheduler.StepLR(opt, 2, 0.5)
x, y = torch.randn(32, 8), torch.randn(32, 2)
for i in range(6):
    opt.zero_grad()
    loss = ((m(x) - y) ** 2).mean()
    loss.backward()
    opt.step()
    sched.step()
    print(i, repr(loss.item()))
print(repr(m[0].weight.sum().item()), opt.state_dict()["state"][0]["step"].item())
'''


def test_ember_run_compile_generates_the_optimizer_step(tmp_path):
    import os
    import subprocess
    import sys
    script = tmp_path / "train.py"
    script.write_text(_SCRIPT)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}

    def run(*flags, logs=""):
        e = {**env, "TORCH_LOGS": logs} if logs else env
        r = subprocess.run([sys.executable, "-m", "ember", "run", *flags, str(script)],
                           capture_output=True, text=True, env=e, timeout=120)
        assert r.returncode == 0, r.stderr
        return r
    eager = run().stdout
    compiled = run("--compile", logs="output_code")
    assert compiled.stdout == eager          # the same numbers, to the last digit
    assert "Output code of Adam.step" in compiled.stderr
    assert "p += upd" in compiled.stderr     # the update is generated code, not a call
