"""The argument checks PyTorch's optimizers share, with PyTorch's ValueError texts."""


def check_lr(lr):
    if hasattr(lr, "numel") and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonneg(name, value):
    if not 0.0 <= value:
        raise ValueError(f"Invalid {name} value: {value}")


def check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def check_adam_like(lr, betas, eps, weight_decay):
    check_lr(lr)
    check_nonneg("epsilon", eps)
    check_betas(betas)
    check_nonneg("weight_decay", weight_decay)
