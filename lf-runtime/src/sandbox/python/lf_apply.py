"""One LF over a chunk of rows, the parts lf_runner.run_lf uses: the function it calls, the per-LF counts of
errors and None, and the LF's values read as votes where they are not plain ints (lf_votes.py). One of
lf_guard's RUNTIME_MODULES: user code cannot import it.
"""
from lf_errors import MORE_CLASSES as _MORE_CLASSES, return_line as _return_line
from lf_votes import integer_label as _integer_label, invalid_return as _invalid_return


def fast_callable(lf):
    """The LF's function itself when Snorkel's wrapper would add nothing (no preprocessors, no resources)."""
    if lf._pre:
        return lf
    if lf._resources:
        import functools

        return functools.partial(lf._f, **lf._resources)
    return lf._f


def stop_iteration():
    """A row on which the LF raised StopIteration, which map() takes for the end of the rows (the exception is
    gone by then)."""
    return {
        "kind": "exception",
        "message": "StopIteration: the LF raised StopIteration (often next() on an iterator with nothing left); give next() a default, e.g. next(iter, None)",
        "line": None,
        "traceback": None,
    }


# Stands for the value of a row on which the LF raised (its error is already counted).
RAISED = object()


VOTE_TYPES = frozenset([int, type(None)])


class Stats:
    __slots__ = ("lf", "k", "user_files", "errors", "none_count", "error_rows", "first_error")

    def __init__(self, lf, k, user_files):
        self.lf, self.k, self.user_files = lf, k, user_files
        self.errors = 0
        self.none_count = 0
        self.error_rows = []
        self.first_error = None

    def error(self, row_index, info):
        self.errors += 1
        if len(self.error_rows) < 100:
            self.error_rows.append(row_index)
        if self.first_error is None:
            try:
                self.first_error = info() if callable(info) else info
            except BaseException as exc:  # noqa: BLE001 - an exception whose str() or __class__ raises is still the row's error
                self.first_error = {"kind": "exception", "message": f"the LF raised an exception that could not be described ({type(exc).__name__} while describing it)", "line": None, "traceback": None}


def check_votes(values, offset, votes, stats, _type=type, _raised=RAISED):
    """The LF's values for a chunk checked one by one: a numpy int or an IntEnum is a label, None abstains, anything
    else is an invalid return."""
    # type(v), never v.__class__: an object's __class__ may be a property claiming int.
    k = stats.k
    for j, v in enumerate(values):
        if v is _raised:
            continue
        label = v if _type(v) is int or v is None else _integer_label(v)
        if _type(label) is int and -1 <= label < k:
            votes[offset + j] = label & 0xFF
        elif label is None:
            stats.none_count += 1
        else:
            lf = stats.lf
            stats.error(
                offset + j,
                lambda: {
                    "kind": "invalid-return",
                    "message": f"{lf.name} {_invalid_return(v, k)}"
                    + (_MORE_CLASSES.format(k=k) if _type(label) is int and label >= k else ""),
                    "line": _return_line(lf) or lf._lf_line,
                    "traceback": None,
                },
            )
