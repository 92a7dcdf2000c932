"""Dataset rows as LFs see them, and the one way they arrive: `load_dataset`, from a frame of rows the parent
encodes (rowPayload.ts). Rows are immutable tuples with fields by attribute and by key (lf_row_class.py, which
the exported job shares); whatever an LF assigns to a row class or to RowTuple is put back before the next LF
runs (lf_restore.restore_class). This module is one of lf_guard's RUNTIME_MODULES: user code cannot import it.
"""
import gc
import json

import lf_guard
from lf_nested import freeze as _freeze, record as _record
from lf_row_class import MutableRow, RowTuple, make_row_class as _make_row_class  # noqa: F401


def load_dataset(frame):
    """frame: the rows as the parent encodes them (rowPayload.ts), as bytes or the path of a file holding them.

    Returns the (row class, rows, the row class's attributes, the nested values' record) tuple itself: the JavaScript side keeps it and
    passes it back to run_lf, so no Python global refers to the data and no LF can swap it for another LF; the
    attributes let run_lf put the class back (lf_restore.restore_class) whatever an LF assigned to it.
    """
    if isinstance(frame, str):
        with open(frame, "rb") as f:
            frame = f.read()
    head_size = int.from_bytes(frame[:4], "little")
    head = json.loads(frame[4 : 4 + head_size])
    fields = head["fields"]
    n = head["n"]
    base = 4 + head_size
    columns = [json.loads(frame[base + c["at"] : base + c["at"] + c["size"]]) for c in head["columns"]]
    if any(type(col) is not list or len(col) != n for col in columns):
        raise ValueError("a column of the dataset frame does not hold one value per row")
    row_class = _make_row_class(fields)
    lf_guard.protect_type(row_class)
    nested = []
    if any(isinstance(v, (list, dict)) for col in columns for v in col):
        columns = [[_freeze(v, nested) for v in col] for col in columns]
    rows = tuple(map(row_class, zip(*columns))) if columns else tuple(row_class(()) for _ in range(n))
    # The rows live as long as the worker: out of the collector's way, so the collection after each LF
    # (lf_runner._settle) does not walk them.
    gc.freeze()
    # The nested containers too: their class and contents are put back before each LF (lf_nested.restore).
    return (row_class, rows, tuple(row_class.__dict__.items()), _record(nested))
