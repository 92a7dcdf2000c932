"""Rows as LFs see them, shared by the editor's runtimes (lf_rows.py) and the exported job (served there as
lfstudio_runtime/row_class.py): immutable tuples with fields by attribute (x.text) and by key (x["text"]),
the parts of a pandas Series' surface that LF files use on rows (x.index, x.values, x.loc[...], x.iloc[...],
x.isna(), x.fillna(...), several fields at once: x[["a", "b"]].mean()), and a mutable copy for preprocessors.
Nested JSON values in fields are lf_nested.py's. Imports nothing but the standard library.
"""
import math
import operator
import types


def _missing(v):
    """What pandas' isna() calls missing: None and NaN."""
    return v is None or (v.__class__ is float and math.isnan(v))


class FieldFlags:
    """A row's per-field booleans (x.isna()): by field name or position, with any() and all() as a Series has.
    One class for every row (defined here, so the sandbox restores it after each LF like the row classes)."""

    __slots__ = ("_fields", "_values")

    def __init__(self, fields, values):
        self._fields = fields
        self._values = tuple(values)

    def any(self):
        return any(self._values)

    def all(self):
        return all(self._values)

    def __getitem__(self, key):
        return self._values[self._fields.index(key)] if key.__class__ is str else self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __repr__(self):
        return "Flags(" + ", ".join(f"{k}={v!r}" for k, v in zip(self._fields, self._values)) + ")"


class FieldSeries:
    """Several fields of a row (x[["sim_a", "sim_b"]]), as the Series pandas gives for them: by name or position,
    x[cols].values and .tolist(), and the reductions LF files take of them (mean, sum, min, max, median, std,
    count, skipping missing values as pandas does), comparisons to a number as flags ((x[cols] > 0.5).any()).
    np.median(x[cols]) reads it as a sequence. One class for every row, restored after each LF like FieldFlags."""

    __slots__ = ("_fields", "_values")

    def __init__(self, fields, values):
        self._fields = tuple(fields)
        self._values = tuple(values)

    @property
    def index(self):
        return self._fields

    @property
    def values(self):
        return self._values

    def tolist(self):
        return list(self._values)

    to_list = tolist

    def to_dict(self):
        return dict(zip(self._fields, self._values))

    def __getitem__(self, key):
        if key.__class__ is str:
            try:
                return self._values[self._fields.index(key)]
            except ValueError:
                raise KeyError(key) from None
        if key.__class__ is list:
            return FieldSeries(key, [self[k] for k in key])
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __repr__(self):
        return "Series(" + ", ".join(f"{k}={v!r}" for k, v in zip(self._fields, self._values)) + ")"

    def _present(self):
        return [v for v in self._values if not _missing(v)]

    def isna(self):
        return FieldFlags(self._fields, (_missing(v) for v in self._values))

    isnull = isna

    def notna(self):
        return FieldFlags(self._fields, (not _missing(v) for v in self._values))

    notnull = notna

    def fillna(self, value):
        return FieldSeries(self._fields, (value if _missing(v) else v for v in self._values))

    def count(self):
        return len(self._present())

    def sum(self):
        return sum(self._present())

    def mean(self):
        present = self._present()
        return sum(present) / len(present) if present else math.nan

    def median(self):
        present = sorted(self._present())
        n = len(present)
        if n == 0:
            return math.nan
        return present[n // 2] if n % 2 else (present[n // 2 - 1] + present[n // 2]) / 2

    def std(self, ddof=1):
        present = self._present()
        if len(present) <= ddof:
            return math.nan
        mean = sum(present) / len(present)
        return math.sqrt(sum((v - mean) ** 2 for v in present) / (len(present) - ddof))

    def var(self, ddof=1):
        std = self.std(ddof)
        return std * std

    def min(self):
        present = self._present()
        return min(present) if present else math.nan

    def max(self):
        present = self._present()
        return max(present) if present else math.nan

    def any(self):
        return any(self._present())

    def all(self):
        return all(self._present())

    def _flags(self, test):
        return FieldFlags(self._fields, (False if _missing(v) else test(v) for v in self._values))

    def __gt__(self, other):
        return self._flags(lambda v: v > other)

    def __ge__(self, other):
        return self._flags(lambda v: v >= other)

    def __lt__(self, other):
        return self._flags(lambda v: v < other)

    def __le__(self, other):
        return self._flags(lambda v: v <= other)


class _Indexer:
    """x.loc[...] / x.at[...] (a field by name) and x.iloc[...] / x.iat[...] (by position): the lookup it is given."""

    __slots__ = ("_get",)

    def __init__(self, get):
        self._get = get

    def __getitem__(self, key):
        return self._get(key)


class RowTuple(tuple):
    """A data row as LFs see it: immutable, fields by attribute (x.text) and by key (x["text"])."""

    __slots__ = ()
    _fields = ()
    _index = {}
    _index_pairs = ()

    def __getitem__(self, key, _get=tuple.__getitem__):
        if key.__class__ is str:
            try:
                return _get(self, self._index[key])
            except KeyError:
                raise KeyError(key) from None
        # A bool is a label to a Series, not a position: x["f" == 2] (x[False]) raises KeyError, as in pandas.
        if key.__class__ is bool or type(key).__name__ == "bool_":
            raise KeyError(key)
        if key.__class__ is list:
            # Several fields: x[["sim_a", "sim_b"]].mean(), as a Series gives them.
            return FieldSeries(key, [self[k] for k in key])
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

    # A pandas Series' surface, for LF files written against PandasLFApplier's rows. A field of the same name
    # comes first (x.values is the field "values" when the data has one).
    @property
    def index(self):
        """The field names (a Series' index): `"text" in x.index`, `list(x.index)`."""
        return self._fields

    @property
    def values(self):
        return tuple(self)

    @property
    def loc(self):
        return _Indexer(self.__getitem__)

    at = loc

    @property
    def iloc(self):
        return _Indexer(tuple(self).__getitem__)

    iat = iloc

    def isna(self):
        return FieldFlags(self._fields, (_missing(v) for v in self))

    isnull = isna

    def notna(self):
        return FieldFlags(self._fields, (not _missing(v) for v in self))

    notnull = notna

    def fillna(self, value):
        """A row with None and NaN replaced by `value`, as Series.fillna(value) gives."""
        return type(self)(value if _missing(v) else v for v in self)

    def __getattr__(self, name):
        raise no_field(name, self._fields)

    def _lf_copy(self):
        """Mutable copy handed to preprocessors, which may add fields (x.words = ...)."""
        return MutableRow._of(self.to_dict())

    def __copy__(self):
        return self._lf_copy()

    def __deepcopy__(self, memo):
        return self._lf_copy()

    def __repr__(self):
        return "Row(" + ", ".join(f"{k}={v!r}" for k, v in zip(self._fields, self)) + ")"


def no_field(name, fields):
    hint = ""
    if name == "text":
        hint = " (if one of them holds the text, name it in lfstudio.json's \"textField\" or with --text-field)"
    return AttributeError(f"row has no field {name!r}; fields are: {', '.join(fields)}{hint}")


class MutableRow(types.SimpleNamespace):
    """What a preprocessor returns: same access styles as a row, plus new fields."""

    def __getitem__(self, key):
        if key.__class__ is list:
            return FieldSeries(key, [self.__dict__[k] for k in key])
        return self.__dict__[key]

    def __setitem__(self, key, value):
        self.__dict__[key] = value

    def __contains__(self, key):
        return key in self.__dict__

    def get(self, key, default=None):
        return self.__dict__.get(key, default)

    def keys(self):
        return list(self.__dict__)

    def items(self):
        return list(self.__dict__.items())

    def to_dict(self):
        return dict(self.__dict__)

    def __getattr__(self, name):
        # Only for names no field has: a Series' surface, as a row has it (RowTuple).
        fields = tuple(self.__dict__)
        values = tuple(self.__dict__.values())
        if name == "index":
            return fields
        if name == "values":
            return values
        if name in ("loc", "at"):
            return _Indexer(self.__getitem__)
        if name in ("iloc", "iat"):
            return _Indexer(values.__getitem__)
        if name in ("isna", "isnull"):
            return lambda: FieldFlags(fields, (_missing(v) for v in values))
        if name in ("notna", "notnull"):
            return lambda: FieldFlags(fields, (not _missing(v) for v in values))
        if name == "fillna":
            return lambda value: MutableRow._of({k: value if _missing(v) else v for k, v in self.__dict__.items()})
        raise no_field(name, fields)

    def _lf_copy(self):
        return MutableRow._of(self.__dict__)

    @classmethod
    def _of(cls, fields):
        # SimpleNamespace takes a mapping as its argument only from Python 3.13; users' own (and a cluster's)
        # Python is often older, so the fields go in as the instance's dict.
        row = cls()
        row.__dict__.update(fields)
        return row


def make_row_class(fields):
    """The row class of `fields`: each field whose name is an identifier and no attribute of RowTuple is a
    property (x.text); every field is a key (x["odd name"])."""
    fields = tuple(fields)
    # _index is a read-only view of a dict (x["text"] in one lookup); the view hands its dict to the other side of
    # ==, so the sandbox puts it back from _index_pairs after each LF (repair_index).
    namespace = {
        "__slots__": (),
        "_fields": fields,
        "_index": types.MappingProxyType({f: i for i, f in enumerate(fields)}),
        "_index_pairs": tuple((f, i) for i, f in enumerate(fields)),
    }
    for i, f in enumerate(fields):
        if f.isidentifier() and not (hasattr(RowTuple, f) and f not in _SERIES_NAMES):
            namespace[f] = property(operator.itemgetter(i))
    return type("Row", (RowTuple,), namespace)


def repair_index(cls, _set=type.__setattr__, _proxy=types.MappingProxyType, _dict=dict, _tuple=tuple):
    """Puts a row class's field index back if an LF edited the dict behind it."""
    pairs = cls.__dict__.get("_index_pairs")
    if pairs is not None and _tuple(cls.__dict__["_index"].items()) != pairs:
        _set(cls, "_index", _proxy(_dict(pairs)))


# The Series names a field may take over (x.values is the data's field "values" when it has one); tuple's own
# methods (x.count, x.index's tuple method) are never fields' attributes.
_SERIES_NAMES = frozenset(["values", "loc", "at", "iloc", "iat", "isna", "isnull", "notna", "notnull", "fillna"])
