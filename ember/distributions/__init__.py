"""torch.distributions: Normal, Categorical, Bernoulli, Uniform and kl_divergence.

Built from ember ops, so ``log_prob`` and ``rsample`` are differentiable in the parameters:
``loss = -Normal(mu, sigma).log_prob(x).mean(); loss.backward()``.
"""
from .distribution import Distribution
from .normal import Normal
from .categorical import Categorical
from .bernoulli import Bernoulli
from .uniform import Uniform
from .kl import kl_divergence, register_kl
from . import utils  # noqa: F401

__all__ = ["Distribution", "Normal", "Categorical", "Bernoulli", "Uniform", "kl_divergence",
           "register_kl"]
