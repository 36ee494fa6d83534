def is_built():
    return False


class matmul:
    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = False
