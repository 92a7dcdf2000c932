"""Dataset rows as LFs see them, and the one way they arrive: `load_dataset`, from a frame of rows the parent
encodes (rowPayload.ts). Rows are immutable tuples with fields by attribute and by key; whatever an LF assigns
to a row class or to RowTuple is put back before the next LF runs (lf_restore.restore_class). This module is
one of lf_guard's RUNTIME_MODULES: user code cannot import it.
"""
import gc
import json
import operator
import types

import lf_guard


class RowTuple(tuple):
    """A data row as LFs see it: immutable, fields by attribute (x.text) and by key (x["text"])."""

    __slots__ = ()
    _fields = ()
    _index = {}

    def __getitem__(self, key, _get=tuple.__getitem__):
        if key.__class__ is str:
            try:
                return _get(self, self._index[key])
            except KeyError:
                raise KeyError(key) from None
        return _get(self, key)

    def get(self, key, default=None):
        i = self._index.get(key)
        return default if i is None else tuple.__getitem__(self, i)

    def __contains__(self, key):
        return key in self._index

    def keys(self):
        return list(self._fields)

    def items(self):
        return list(zip(self._fields, self))

    def to_dict(self):
        return dict(zip(self._fields, self))

    def __getattr__(self, name):
        hint = ""
        if name == "text":
            hint = " (if one of them holds the text, name it in lfstudio.json's \"textField\" or with --text-field)"
        raise AttributeError(f"row has no field {name!r}; fields are: {', '.join(self._fields)}{hint}")

    def _lf_copy(self):
        """Mutable copy handed to preprocessors, which may add fields (x.words = ...)."""
        return MutableRow._of(self.to_dict())

    def __copy__(self):
        return self._lf_copy()

    def __deepcopy__(self, memo):
        return self._lf_copy()

    def __repr__(self):
        return "Row(" + ", ".join(f"{k}={v!r}" for k, v in zip(self._fields, self)) + ")"


class MutableRow(types.SimpleNamespace):
    """What a preprocessor returns: same access styles as a row, plus new fields."""

    def __getitem__(self, key):
        return self.__dict__[key]

    def __setitem__(self, key, value):
        self.__dict__[key] = value

    def __contains__(self, key):
        return key in self.__dict__

    def get(self, key, default=None):
        return self.__dict__.get(key, default)

    def keys(self):
        return list(self.__dict__)

    def _lf_copy(self):
        return MutableRow._of(self.__dict__)

    @classmethod
    def _of(cls, fields):
        # SimpleNamespace takes a mapping as its argument only from Python 3.13 (pyodide's); users' own
        # Python is often older, so the fields go in as the instance's dict.
        row = cls()
        row.__dict__.update(fields)
        return row


def _freeze(value):
    """JSON containers become immutable, so an LF cannot edit a field another LF reads."""
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return types.MappingProxyType({k: _freeze(v) for k, v in value.items()})
    return value


def _make_row_class(fields):
    namespace = {"__slots__": (), "_fields": tuple(fields), "_index": types.MappingProxyType({f: i for i, f in enumerate(fields)})}
    for i, f in enumerate(fields):
        if f.isidentifier() and not hasattr(RowTuple, f):
            namespace[f] = property(operator.itemgetter(i))
    return type("Row", (RowTuple,), namespace)


def load_dataset(frame):
    """frame: the rows as the parent encodes them (rowPayload.ts), as bytes or the path of a file holding them.

    Returns the (row class, rows, the row class's attributes) tuple itself: the JavaScript side keeps it and
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
    if any(isinstance(v, (list, dict)) for col in columns for v in col):
        columns = [[_freeze(v) for v in col] for col in columns]
    rows = tuple(map(row_class, zip(*columns))) if columns else tuple(row_class(()) for _ in range(n))
    # The rows live as long as the worker: out of the collector's way, so the collection after each LF
    # (lf_runner._settle) does not walk them.
    gc.freeze()
    return (row_class, rows, tuple(row_class.__dict__.items()))
