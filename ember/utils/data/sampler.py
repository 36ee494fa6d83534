"""Samplers: which indices, in which order, in which batches (torch.utils.data.sampler)."""
import numpy as np

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


class Sampler:
    """Base class: ``__iter__`` yields dataset indices (or lists of them for batch samplers)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)

    def _order(self):
        return np.arange(len(self.data_source))


def _seeded_generator(generator):
    """``generator``, else a new Generator seeded by one int64 ``random_()`` from the default
    generator: what PyTorch's RandomSampler does, so ``torch.manual_seed`` fixes the order."""
    if generator is not None:
        return generator
    from ...ops.random import Generator, draw
    seed = int(draw(lambda s: s.from_to(1, 1 << 63, 0, np.int64))[0])
    return Generator().manual_seed(seed)


def _randperm(n, generator):
    from ...ops.random import draw
    return draw(lambda s: s.permutation(n), generator)


def _randint(n, count, generator):
    from ...ops.random import draw
    return draw(lambda s: s.from_to(count, n, 0, np.int64), generator)


class RandomSampler(Sampler):
    """A random permutation (or ``num_samples`` draws with replacement).

    >>> list(RandomSampler(range(4), generator=torch.Generator().manual_seed(0)))
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _lazy(self):
        return self.replacement and self.num_samples > 1 << 20

    def _order(self):
        """The whole order at once, drawn as PyTorch draws it (None when drawn lazily)."""
        if self._lazy():
            return None  # effectively infinite (makemore asks for 1e10): draw lazily
        n = len(self.data_source)
        gen = _seeded_generator(self.generator)
        if self.replacement:  # PyTorch's 32-at-a-time randint calls draw one stream
            return _randint(n, self.num_samples, gen)
        k = self.num_samples
        perms = [_randperm(n, gen) for _ in range(k // n)]
        perms.append(_randperm(n, gen)[:k % n])  # drawn even when k % n == 0, as PyTorch
        return np.concatenate(perms) if len(perms) != 1 else perms[0]

    def __iter__(self):  # a generator, as PyTorch's: nothing is drawn before the first index
        order = self._order()
        if order is not None:
            yield from order.tolist()
            return
        yield from self._lazy_draws()

    def _lazy_draws(self):
        n, gen, left = len(self.data_source), _seeded_generator(self.generator), self.num_samples
        while left > 0:
            chunk = _randint(n, min(left, 4096), gen).tolist()
            left -= len(chunk)
            yield from chunk

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in random order."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in _randperm(len(self.indices), self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Indices 0..len(weights)-1 drawn with probabilities proportional to ``weights``."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}")
        if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0 or negative/inf entries)")
        if not replacement and num_samples > len(w):
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        from ..._tensor import _wrap
        self.weights = _wrap(w)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        from ...ops.random import multinomial
        idx = multinomial(self.weights, self.num_samples, self.replacement, generator=self.generator)
        yield from idx._data.tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of ``batch_size``.

    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def _order(self):
        """The whole epoch's indices as one array, when the sampler can give them at once."""
        return self.sampler._order() if self._has_order() else None

    def _has_order(self):
        """Whether ``_order()`` gives the epoch at once (asked without drawing anything)."""
        t = type(self.sampler)
        return t is SequentialSampler or (t is RandomSampler and not self.sampler._lazy())

    def __iter__(self):
        bs = self.batch_size
        order = self._order()
        if order is not None:
            idx = order.tolist()
            stop = len(idx) - len(idx) % bs if self.drop_last else len(idx)
            for i in range(0, stop, bs):
                yield idx[i:i + bs]
            return
        batch = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == bs:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
