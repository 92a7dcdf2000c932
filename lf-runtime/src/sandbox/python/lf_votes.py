"""What an LF returns, read as Snorkel's applier stores it, shared by the editor's runtimes (lf_runner.py) and
the exported job (served there as lfstudio_runtime/votes.py): an int label, -1 or None (abstain); an integer
of another type (numpy.int64) as the int it is; anything else is no label, said in words. Imports nothing but
the standard library.
"""
import operator


def is_bool(v):
    """A bool, Python's or NumPy's (numpy.bool_; its type is named bool from NumPy 2)."""
    t = type(v)
    return t is bool or (t.__module__ == "numpy" and t.__name__ in ("bool_", "bool"))


def integer_label(v, _index=operator.index):
    """An integer of another type as the int Snorkel would store (numpy.int64 from pandas or numpy); a bool, a
    float or anything else gives False, and the value is reported as it was."""
    if isinstance(v, (bool, float)) or is_bool(v):
        return False
    try:
        i = _index(v)
    except BaseException:  # noqa: BLE001 - not an integer: reported as the value it is
        return False
    return i if type(i) is int else False


def short_repr(v):
    try:
        r = repr(v)
    except BaseException:  # noqa: BLE001
        r = f"<{type(v).__name__}>"
    return (r[:60] + "...") if len(r) > 60 else f"{r} ({type(v).__name__})"


def invalid_return(v, k):
    """Why `v` is no label of a task of k classes, after the LF's name: "returned ... ; return ...". A bool is
    explained as Snorkel's applier would store it, which never abstains."""
    if is_bool(v):
        return (
            f"returned {bool(v)} (a bool): Snorkel would store it as class {int(bool(v))}, so False would vote class 0 "
            "on every row the test fails instead of abstaining; return a class id or ABSTAIN, e.g. "
            "`return SPAM if ... else ABSTAIN`"
        )
    return f"returned {short_repr(v)}; return an int label in 0..{k - 1}, -1 (ABSTAIN) or None"
