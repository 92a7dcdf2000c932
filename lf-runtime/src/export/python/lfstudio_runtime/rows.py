"""Rows as LFs see them in the editor: the editor's own row classes (row_class.py, LF Studio's
lf_row_class.py) and nested values (nested.py, its lf_nested.py), built from the partition's records."""
import math

from .nested import freeze as _freeze
from .row_class import make_row_class


_ROW_CLASSES = {}


def row_class(fields):
    fields = tuple(fields)
    cls = _ROW_CLASSES.get(fields)
    if cls is None:
        cls = _ROW_CLASSES[fields] = make_row_class(fields)
    return cls


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
