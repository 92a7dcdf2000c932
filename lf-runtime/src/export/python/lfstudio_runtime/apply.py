"""Applying one LF to a partition's rows: votes as bytes, with errors and invalid values counted as the
editor counts them (an exception or any value but an int label or None is an abstain and an error)."""
from .lf_files import _error_text
from .votes import invalid_return as _invalid_return, read_votes as _read_votes


_VOTE_TYPES = frozenset([int, type(None)])


class LfStats:
    __slots__ = ("errors", "none", "first_error", "first_error_row")

    def __init__(self):
        self.errors = 0
        self.none = 0
        self.first_error = None
        self.first_error_row = None


def apply_lf(f, rows, k, stats, user_file, ids):
    """One LF over the rows: votes as int8 bytes (0xFF = abstain). Chunks are mapped in C and checked in C.
    Each row goes to the LF once, as in the editor (lf_runner.run_lf) and Snorkel's applier: an exception stops
    the map at its row, which is that row's error, and the map goes on from the next row; a chunk with an
    exception or an unusual value (a numpy int) is then checked row by row."""
    n = len(rows)
    votes = bytearray(b"\xff") * n
    table = {v: v & 0xFF for v in range(-1, k)}
    table[None] = 0xFF
    valid = frozenset(table)
    pos = 0
    chunk = 64
    while pos < n:
        part = rows[pos : pos + chunk]
        res = []
        rest = iter(part)
        while len(res) < len(part):
            try:
                res.extend(map(f, rest))
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - an LF's SystemExit is its error too
                _error(stats, pos + len(res), ids, lambda exc=exc: _error_text(exc, {user_file}))
                res.append(_RAISED)
                continue
            if len(res) < len(part):
                # A StopIteration the LF raised ends map() as if the rows had run out: that row's error, as in
                # the editor (lf_runner.run_lf).
                _error(stats, pos + len(res), ids, lambda: _STOP_ITERATION)
                res.append(_RAISED)
        if set(map(type, res)) <= _VOTE_TYPES and set(res) <= valid:
            votes[pos : pos + len(part)] = bytes(map(table.__getitem__, res))
            stats.none += res.count(None)
        else:
            _check_votes(res, pos, votes, k, stats, ids)
        pos += len(part)
        if chunk < 4096:
            chunk *= 2
    return votes


_STOP_ITERATION = "StopIteration: the LF raised StopIteration (often next() on an iterator with nothing left); give next() a default, e.g. next(iter, None)"

# Stands for the value of a row on which the LF raised (its error is already counted).
_RAISED = object()


def _check_votes(values, offset, votes, k, stats, ids):
    """The LF's values for a chunk checked one by one, as the editor reads them (votes.read_votes)."""
    stats.none += _read_votes(values, offset, votes, k, _RAISED, lambda row, v, label: _error(stats, row, ids, lambda: _invalid_return(v, k)))


def _error(stats, i, ids, message):
    stats.errors += 1
    if stats.first_error is None:
        stats.first_error = message()
        stats.first_error_row = ids[i]


