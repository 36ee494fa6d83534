"""placeholder: nn.Parameter is written by the nn issue"""
from .._tensor import Tensor


class Parameter(Tensor):
    pass


Buffer = UninitializedParameter = Parameter
