"""Python side effects a replayed graph would skip, found in a function's bytecode.

A compiled function is replayed as its graph: Python code that changes state outside the
function (a global counter, a list that collects losses, an attribute of some object) would
run once, at the trace, and never again.  ``python_side_effects`` looks for such writes in
the function's own bytecode; a function that has one runs eagerly (a graph break), which is
always correct.  Writes to the function's own local variables are fine, as are tensor writes
(``x[i] = v``, ``x.add_(1)``): the tracer sees those.
"""
import dis

_MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault",
             "add", "discard", "popitem", "write", "writelines", "put", "send", "sort", "reverse"}
_OUTER_LOADS = {"LOAD_GLOBAL", "LOAD_DEREF", "LOAD_CLASSDEREF", "LOAD_NAME"}
_NAME_LOADS = _OUTER_LOADS | {"LOAD_FAST", "LOAD_ATTR", "LOAD_METHOD"}


def python_side_effects(fn):
    """A description of the first outside write in ``fn``'s bytecode, or None."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    ins = list(dis.get_instructions(code))
    for i, op in enumerate(ins):
        name = op.opname
        if name in ("STORE_GLOBAL", "DELETE_GLOBAL", "STORE_DEREF", "DELETE_DEREF"):
            return _where(code, op, f"assigns the outer variable {op.argval!r}")
        if name in ("STORE_ATTR", "DELETE_ATTR", "STORE_SUBSCR", "DELETE_SUBSCR"):
            src = _loaded_name(ins, i)
            if src is not None and src[0] in _OUTER_LOADS:
                what = "item" if "SUBSCR" in name else f"attribute {op.argval!r}"
                return _where(code, op, f"writes an {what} of the outer object {src[1]!r}")
        if name in ("LOAD_METHOD", "LOAD_ATTR") and op.argval in _MUTATORS and i > 0 \
                and ins[i - 1].opname in _OUTER_LOADS:
            return _where(code, op, f"calls {ins[i - 1].argval}.{op.argval}()")
    return None


def _loaded_name(ins, i):
    """The nearest name load before instruction i (the object a store writes into)."""
    for op in reversed(ins[max(0, i - 6):i]):
        if op.opname in _NAME_LOADS:
            root = op
            # walk back over attribute chains (a.b.c[...] = v writes into a)
            k = ins.index(op)
            while k > 0 and ins[k].opname in ("LOAD_ATTR", "LOAD_METHOD") and \
                    ins[k - 1].opname in _NAME_LOADS:
                k -= 1
                root = ins[k]
            return root.opname, root.argval
    return None


def _where(code, op, what):
    line = op.positions.lineno if getattr(op, "positions", None) else code.co_firstlineno
    return what, code.co_filename, line
