"""One LF over a chunk of rows, the parts lf_runner.run_lf uses: the function it calls, the per-LF counts of
errors and None, and the LF's values read as votes where they are not plain ints (lf_votes.py). One of
lf_guard's RUNTIME_MODULES: user code cannot import it.
"""
from lf_errors import MORE_CLASSES as _MORE_CLASSES, return_line as _return_line
from lf_votes import invalid_return as _invalid_return, read_votes as _read_votes


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


def check_votes(values, offset, votes, stats, _type=type, _raised=RAISED, _read_votes=_read_votes):
    """The LF's values for a chunk checked one by one (lf_votes.read_votes): a numpy int or an IntEnum is a label,
    None abstains, anything else is an invalid return."""
    k = stats.k
    lf = stats.lf

    def invalid(row, v, label):
        stats.error(
            row,
            lambda: {
                "kind": "invalid-return",
                "message": f"{lf.name} {_invalid_return(v, k)}" + (_MORE_CLASSES.format(k=k) if _type(label) is int and label >= k else ""),
                "line": _return_line(lf) or lf._lf_line,
                "traceback": None,
            },
        )

    stats.none_count += _read_votes(values, offset, votes, k, _raised, invalid)