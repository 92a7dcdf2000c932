"""Rows as LFs see them in the editor: immutable tuples with fields by attribute (x.text) and by key
(x["text"]), and a mutable copy for preprocessors (lf_rows.py in LF Studio's sandbox)."""
import math
import operator
import types


class RowTuple(tuple):
    """A data row: immutable, fields by attribute (x.text) and by key (x["text"])."""

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
        raise AttributeError(f"row has no field {name!r}; fields are: {', '.join(self._fields)}")

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
        # SimpleNamespace takes a mapping as its argument only from Python 3.13; the cluster's Python is often
        # older, so the fields go in as the instance's dict.
        row = cls()
        row.__dict__.update(fields)
        return row


_ROW_CLASSES = {}


def row_class(fields):
    fields = tuple(fields)
    cls = _ROW_CLASSES.get(fields)
    if cls is None:
        namespace = {"__slots__": (), "_fields": fields, "_index": types.MappingProxyType({f: i for i, f in enumerate(fields)})}
        for i, f in enumerate(fields):
            if f.isidentifier() and not hasattr(RowTuple, f):
                namespace[f] = property(operator.itemgetter(i))
        cls = _ROW_CLASSES[fields] = type("Row", (RowTuple,), namespace)
    return cls


def _freeze(value):
    """JSON containers become immutable, so an LF cannot edit a field another LF reads."""
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return types.MappingProxyType({k: _freeze(v) for k, v in value.items()})
    return value


def field_union(records):
    """The fields of `records` (dicts, or lists of names), in first-seen order."""
    fields = []
    seen = set()
    for r in records:
        for f in r:
            if f not in seen:
                seen.add(f)
                fields.append(f)
    return fields


def make_rows(records, fields=None, numeric=(), floats=()):
    """Rows from field dicts, None where a row lacks a field, or NaN in the `numeric` fields, where null is NaN
    too (JSON data as the editor reads it: inputs.numeric_fields), and the numbers of the `floats` fields as
    floats (pandas' float64 columns: inputs.float_fields). The fields are `fields` when given (the whole
    input's, as the editor takes them over the whole file), else the union of the records' in first-seen order."""
    if fields is None:
        fields = field_union(records)
    cls = row_class(fields)
    nested = any(isinstance(v, (list, dict)) for r in records for v in r.values())
    numeric = set(numeric).intersection(fields)
    floats = set(floats).intersection(numeric)
    if numeric:
        freeze = _freeze if nested else None

        def value(r, f):
            v = r.get(f)
            if v is None:
                return math.nan if f in numeric else None
            if f in floats:
                return float(v)
            return freeze(v) if freeze else v

        return [cls(value(r, f) for f in fields) for r in records]
    if nested:
        return [cls(_freeze(r.get(f)) for f in fields) for r in records]
    return [cls(r.get(f) for f in fields) for r in records]
