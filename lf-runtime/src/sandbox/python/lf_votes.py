"""What an LF returns, read as Snorkel's applier stores it, shared by the editor's runtimes (lf_runner.py) and
the exported job (served there as lfstudio_runtime/votes.py): an int label, -1 or None (abstain); an integer
of another type (numpy.int64) as the int it is, and a whole float (1.0) too; anything else is no label,
said in words. Imports nothing but the standard library.
"""
import operator


def is_bool(v):
    """A bool, Python's or NumPy's (numpy.bool_; its type is named bool from NumPy 2)."""
    t = type(v)
    return t is bool or (t.__module__ == "numpy" and t.__name__ in ("bool_", "bool"))


def _is_float(v):
    """A float, Python's (numpy.float64 is one) or another NumPy one (numpy.float32, float16)."""
    t = type(v)
    return isinstance(v, float) or (t.__module__ == "numpy" and t.__name__.startswith("float"))


def integer_label(v, _index=operator.index, _float=float):
    """An integer of another type as the int Snorkel would store (numpy.int64 from pandas or numpy), and a
    whole float as its int (1.0 from a pandas column that NaN made float64: Snorkel's applier writes the
    value into an int matrix); a bool, any other float (1.5, NaN) or anything else gives False, and the value
    is reported as it was."""
    if isinstance(v, bool) or is_bool(v):
        return False
    if _is_float(v):
        try:
            f = _float(v)
        except BaseException:  # noqa: BLE001 - a float subclass's own __float__: reported as the value it is
            return False
        return int(f) if type(f) is float and f.is_integer() else False
    try:
        i = _index(v)
    except BaseException:  # noqa: BLE001 - not an integer: reported as the value it is
        return False
    return i if type(i) is int else False


def read_votes(values, offset, votes, k, skip, invalid, _type=type):
    """An LF's values for a chunk of rows, read one by one into `votes` (bytes, 0xFF = abstain, already there):
    an int label in -1..k-1, or an integer of another type (a numpy int, an IntEnum) that is one, is its byte;
    None abstains; `skip` (the sentinel for a row on which the LF raised) is passed over; anything else is
    `invalid(row, value, label)`, where label is the integer it was or False. Returns how many were None.
    By the value's real type, type(v), never v.__class__: an object's __class__ may be a property claiming int."""
    nones = 0
    for j, v in enumerate(values):
        if v is skip:
            continue
        label = v if _type(v) is int or v is None else integer_label(v)
        if _type(label) is int and -1 <= label < k:
            votes[offset + j] = label & 0xFF
        elif label is None:
            nones += 1
        else:
            invalid(offset + j, v, label)
    return nones


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
