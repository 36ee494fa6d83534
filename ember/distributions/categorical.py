"""Categorical(probs | logits) over ``K`` classes (the last dimension)."""
import numpy as np

from .._tensor import Size
from ..autograd.grad_mode import no_grad
from .distribution import Distribution
from .utils import lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Categorical"]


def _simplex(v):
    return (v >= 0).all(-1) & ((v.sum(-1) - 1).abs() < 1e-6)


class Categorical(Distribution):
    """Categorical: ``Categorical(logits=scores).sample()`` gives class indices (int64)."""

    arg_constraints = {"probs": (_simplex, "Simplex()"),
                       "logits": (lambda v: (v == v).all(-1), "IndependentConstraint(Real(), 1)")}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.size()[-1]
        batch_shape = self._param.size()[:-1] if self._param.ndim > 1 else Size()
        super().__init__(batch_shape, validate_args=validate_args)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @property
    def param_shape(self):
        return self._param.size()

    @property
    def mean(self):
        from ..ops.creation import full
        return full(self._extended_shape(), float("nan"), dtype=self.probs.dtype)

    @property
    def mode(self):
        return self.probs.argmax(dim=-1)

    @property
    def variance(self):
        from ..ops.creation import full
        return full(self._extended_shape(), float("nan"), dtype=self.probs.dtype)

    def sample(self, sample_shape=Size()):
        from ..ops.random import multinomial
        sample_shape = Size(sample_shape)
        with no_grad():
            probs_2d = self.probs.reshape(-1, self._num_events)
            n = int(np.prod(sample_shape)) if len(sample_shape) else 1
            samples_2d = multinomial(probs_2d, n, True).T
            return samples_2d.reshape(self._extended_shape(sample_shape))

    def _validate_sample(self, value):
        self._check_value(value)
        v = value._data
        if not (np.all(v == np.floor(v)) and np.all(v >= 0) and np.all(v <= self._num_events - 1)):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) "
                f"to be within the support (IntegerInterval(lower_bound=0, upper_bound="
                f"{self._num_events - 1})) of the distribution {self!r}, but found invalid "
                f"values:\n{value}")

    def log_prob(self, value):
        from ..ops.shape import broadcast_tensors
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = broadcast_tensors(value, self.logits)
        value = value[..., :1]
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self):
        min_real = float(np.finfo(self.logits._data.dtype).min)
        logits = self.logits.clamp(min=min_real)
        p_log_p = logits * self.probs
        return -p_log_p.sum(-1)

    def enumerate_support(self, expand=True):
        from ..ops.creation import arange
        values = arange(self._num_events, dtype=None)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
