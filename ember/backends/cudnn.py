enabled = False
benchmark = False
deterministic = True
allow_tf32 = False


def is_available():
    return False


def version():
    return None
