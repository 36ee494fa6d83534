"""torch.nn.functional: one file per family under nn/_functional, re-exported here."""
from ._functional.basic import *  # noqa: F401,F403
from ._functional.activation import *  # noqa: F401,F403
from ._functional.loss import *  # noqa: F401,F403
from ._functional.conv import *  # noqa: F401,F403
from ._functional.pooling import *  # noqa: F401,F403
from ._functional.norm import *  # noqa: F401,F403
from ._functional.attention import *  # noqa: F401,F403
from ._functional.rnn import *  # noqa: F401,F403
from ._functional.sampling import *  # noqa: F401,F403
from ember import _missing; _missing.install(__name__)  # noqa: E402,E702  (unknown names: "torch.X is not implemented in ember")
