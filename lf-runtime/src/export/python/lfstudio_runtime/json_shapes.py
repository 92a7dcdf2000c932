"""The rows of a .json input in each shape the editor reads (readJson.ts): a WRENCH split, an array of row
objects, or pandas' DataFrame.to_json with any orient, as [id, fields] pairs with the editor's ids."""
import json

from .errors import JobError
from .js_json import _js_string


JSON_SHAPES = (
    'a WRENCH split {"<id>": {"label": ..., "data": {...}}}, an array of row objects, one object per line, '
    'or what pandas DataFrame.to_json writes (orient "records", "index", "columns", "split" or "table")'
)


def is_json_lines(text):
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return False
    first, sep, rest = stripped.partition("\n")
    if not sep or not rest.strip():
        return False
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


def _js_str(v):
    """String(v) as JavaScript gives it, for ids taken from a pandas index (readJson.ts)."""
    if v is None:
        return "null"
    if isinstance(v, list):
        return ",".join("" if e is None else _js_str(e) for e in v)
    if isinstance(v, dict):
        return "[object Object]"
    return _js_string(v)


def _unique_or_positions(ids):
    return ids if len(set(ids)) == len(ids) else [str(i + 1) for i in range(len(ids))]


def json_records(path, root, data):
    """[id, fields] for each row of a parsed .json file, with the editor's ids (readJson.ts)."""
    if isinstance(root, list):
        if root and all(isinstance(r, list) for r in root):
            raise JobError(f'{path}: the file holds rows as arrays of values without column names (pandas to_json(orient="values")); write it with orient="records" (or "split")')
        return [[str(i + 1), r] for i, r in enumerate(root)]
    if not isinstance(root, dict):
        raise JobError(f"{path}: expected {JSON_SHAPES}; found {type(root).__name__} at the top level")
    values = list(root.values())
    if not values or any(isinstance(v, dict) and isinstance(v.get("data"), dict) for v in values):
        return _wrench_records(path, root)
    if isinstance(root.get("columns"), list) and isinstance(root.get("data"), list):
        columns, rows = root["columns"], root["data"]
        for j, c in enumerate(columns):
            if not isinstance(c, str):
                raise JobError(f'{path}: "columns" must hold column names, found {type(c).__name__} at position {j + 1}')
        index = root.get("index") if isinstance(root.get("index"), list) else None
        if index is not None and len(index) != len(rows):
            raise JobError(f'{path}: "index" has {len(index)} entries but "data" has {len(rows)} rows')
        ids = _unique_or_positions([_js_str(index[i]) if index is not None else str(i + 1) for i in range(len(rows))])
        out = []
        for i, cells in enumerate(rows):
            if not isinstance(cells, list) or len(cells) != len(columns):
                raise JobError(f'{path}: row {i + 1} of "data" must be an array of {len(columns)} values, one per column')
            out.append([ids[i], dict(zip(columns, cells))])
        return out
    if isinstance(root.get("schema"), dict) and isinstance(root.get("data"), list):
        primary = root["schema"].get("primaryKey")
        key = primary[0] if isinstance(primary, list) and len(primary) == 1 and isinstance(primary[0], str) else None
        rows = root["data"]
        keyed = key is not None and all(isinstance(r, dict) and key in r for r in rows)
        ids = _unique_or_positions([_js_str(r[key]) if keyed else str(i + 1) for i, r in enumerate(rows)])
        if keyed:
            for r in rows:
                del r[key]
        return [[ids[i], r] for i, r in enumerate(rows)]
    if all(not isinstance(v, dict) for v in values):
        return [["1", root]]  # one object of plain values: a single row (a one-line lines=True file)
    for k, v in root.items():
        if not isinstance(v, dict):
            raise JobError(f'{path}: expected {JSON_SHAPES}; the top-level key "{k}" holds {type(v).__name__}, not a row or a column')
    text_field = data["textField"]
    outer = list(root)
    inner = list(values[0])
    by_columns = text_field not in inner and (text_field in outer or len(outer) < len(inner))
    if not by_columns:
        return [[k, v] for k, v in root.items()]
    rows = {}
    for column, cells in root.items():
        for rid, v in cells.items():
            rows.setdefault(rid, {})[column] = v
    return [[rid, fields] for rid, fields in rows.items()]


def _wrench_records(path, root):
    records = []
    for key, record in root.items():
        fields = record.get("data") if isinstance(record, dict) else None
        if not isinstance(fields, dict):
            raise JobError(f'{path}: record "{key}" has no "data" object')
        records.append([key, fields])
    return records
