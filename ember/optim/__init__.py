"""torch.optim: optimizers (one small update rule per file) and ``lr_scheduler``.

``opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)``
"""
from .optimizer import Optimizer  # noqa: F401
from .sgd import SGD
from .adam import Adam
from .adamw import AdamW
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .rmsprop import RMSprop
from .adagrad import Adagrad
from .adadelta import Adadelta
from .asgd import ASGD
from .rprop import Rprop
from .lbfgs import LBFGS
from .sparse_adam import SparseAdam
from . import lr_scheduler  # noqa: F401

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad",
           "Adadelta", "ASGD", "Rprop", "LBFGS", "SparseAdam", "lr_scheduler"]
from ember import _missing; _missing.install(__name__)  # noqa: E402,E702  (unknown names: "torch.X is not implemented in ember")
