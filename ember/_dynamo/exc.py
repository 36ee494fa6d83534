"""``torch._dynamo.exc``: the error ``fullgraph=True`` raises on a graph break."""
from .._compile.api import Unsupported

UserError = Unsupported
__all__ = ["Unsupported", "UserError"]
