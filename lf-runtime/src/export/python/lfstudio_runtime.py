"""The worker side of a job exported by `lf-studio export-job`: reads one partition of the input, applies the
project's labeling functions and the fitted label model to it, and writes OUT_DIR/part-NNNNN.jsonl.

Rows, votes and probabilities are those of LF Studio's editor on the same data:
- rows are read as the editor reads them (CSV: every column a string, the label column hidden; JSONL: JSON
  values with numbers as JavaScript parses them; WRENCH .json: each record's "data"; ids are the record number,
  the line number, the WRENCH key or the project's "idField"), and LFs see them the same way: immutable, fields
  as x.name and x["name"], a mutable copy for preprocessors;
- a vote is an int in -1..k-1 or None (abstain); an exception or any other value counts as abstain and is
  counted as an error of that LF, as in the editor;
- the label model is the fitted one's parameters (label_model.json, see modelParams.ts in LF Studio) applied
  in the same order of operations.
It differs from the editor in two ways: the LFs run as plain Python (no sandbox, no per-LF time limit), and
all LFs of a file share one execution of the file per worker process, as they would in Snorkel.

Needs only the Python standard library and NumPy (pyarrow for Parquet input). Nothing here imports Dask:
run.py schedules run_partition on a cluster or runs it in this process.
"""
import csv
import decimal
import importlib.abc
import importlib.util
import io
import json
import linecache
import math
import operator
import os
import re
import sys
import time
import traceback
import types

FORMAT = "lf-studio-label-model/1"
JOB_FORMAT = "lf-studio-job/1"

# The editor reads fields of any length; the csv module's default cap is 128 KiB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class JobError(Exception):
    """A problem with the job or its input that the user must fix; the message names the file and line."""


# --------------------------------------------------------------------------------------------------------
# Rows as LFs see them in the editor
# --------------------------------------------------------------------------------------------------------


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


def make_rows(records):
    """Rows from field dicts: the union of their fields in first-seen order, None where a row lacks one."""
    fields = []
    seen = set()
    for r in records:
        for f in r:
            if f not in seen:
                seen.add(f)
                fields.append(f)
    cls = row_class(fields)
    nested = any(isinstance(v, (list, dict)) for r in records for v in r.values())
    if nested:
        return [cls(_freeze(r.get(f)) for f in fields) for r in records]
    return [cls(r.get(f) for f in fields) for r in records]


# --------------------------------------------------------------------------------------------------------
# JSON as the editor parses it (JavaScript numbers and key order)
# --------------------------------------------------------------------------------------------------------


def _js_float(s):
    return js_number(float(s))


def js_number(f):
    """A float as the editor's LFs see the JavaScript number: the editor sends rows as JSON, which writes an
    integral number below 1e21 in digits (an int here: 1.0 is 1; 1e20 is 100000000000000000000, its shortest
    digits, not the float's binary value) and has no infinity or NaN (null)."""
    if not math.isfinite(f):
        return None
    if f.is_integer() and abs(f) < 1e21:
        return int(f) if abs(f) < 2**53 else int(decimal.Decimal(repr(f)))
    return f


def _js_int(s):
    i = int(s)
    return i if -(2**53) <= i <= 2**53 else _js_float(s)


def _no_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _is_index_key(k):
    return k[:1].isdigit() and k.isdigit() and (k == "0" or k[0] != "0") and int(k) < 4294967295


def _js_object(pairs):
    d = dict(pairs)
    # JavaScript objects list integer-like keys first, in ascending order.
    if any(_is_index_key(k) for k in d):
        index = sorted((k for k in d if _is_index_key(k)), key=int)
        rest = [k for k in d if not _is_index_key(k)]
        d = {k: d[k] for k in index + rest}
    return d


_decoder = json.JSONDecoder(parse_float=_js_float, parse_int=_js_int, parse_constant=_no_constant, object_pairs_hook=_js_object)


def js_loads(text):
    return _decoder.decode(text)


def _js_string(v):
    """String(v) of a JavaScript value, for ids taken from a field."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        r = repr(v)
        if "e" in r:
            mant, exp = r.split("e")
            mant = mant[:-2] if mant.endswith(".0") else mant
            return f"{mant}e{'+' if not exp.startswith('-') else ''}{int(exp)}"
        return r
    return str(v)


# --------------------------------------------------------------------------------------------------------
# Input: formats and partitions
# --------------------------------------------------------------------------------------------------------

FORMATS = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "wrench", ".parquet": "parquet", ".pq": "parquet"}


def format_of(path):
    fmt = FORMATS.get(os.path.splitext(path)[1].lower())
    if fmt is None:
        raise JobError(f"{path}: unsupported file type; use .csv (or .tsv), .jsonl (or .ndjson), WRENCH .json or .parquet")
    if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise JobError(f"{path}: reading Parquet needs pyarrow (pip install pyarrow)")
    return fmt


def plan_partitions(paths, partition_rows, data):
    """Splits the input files into partitions of about `partition_rows` rows, in input order. Each partition
    says where its rows are (a byte range, row groups, or the records themselves) and the number of its first
    record or line, so ids are the editor's. The driver runs this once; each partition is read by a worker."""
    parts = []
    for path in paths:
        fmt = format_of(path)
        for p in globals()["_plan_" + fmt](path, partition_rows, data):
            p.update(path=path, format=fmt, index=len(parts))
            parts.append(p)
    return parts


def _plan_jsonl(path, partition_rows, data):
    parts = []
    start = 0
    pos = 0
    lines = 0
    first_line = 1
    with open(path, "rb") as f:
        for raw in f:
            pos += len(raw)
            lines += 1
            if lines - first_line + 1 == partition_rows:
                parts.append({"start": start, "end": pos, "line": first_line, "rows": lines - first_line + 1})
                start = pos
                first_line = lines + 1
    if pos > start:
        parts.append({"start": start, "end": pos, "line": first_line, "rows": lines - first_line + 1})
    if not parts:
        raise JobError(f"{path}: the file is empty; it needs at least one row of data")
    return parts


DELIMITER_NAMES = {",": "commas", "\t": "tabs", ";": "semicolons"}


def csv_delimiter(path):
    """As LF Studio reads it (csvParser.ts): a tab for .tsv; else what the header row uses: a comma when it holds
    one, else a tab or a semicolon, else a comma."""
    if path.lower().endswith(".tsv"):
        return "\t"
    with open(path, "rb") as f:
        header = f.readline().decode("utf-8-sig", errors="replace")
    for d in (",", "\t", ";"):
        if d in header:
            return d
    return ","


def _plan_csv(path, partition_rows, data):
    parts = []
    delimiter = csv_delimiter(path)
    with open(path, "rb") as f:
        consumed = [0, 0]  # bytes, lines

        def lines():
            for raw in f:
                consumed[0] += len(raw)
                consumed[1] += 1
                yield raw.decode("utf-8-sig" if consumed[1] == 1 else "utf-8")

        # csv.reader pulls one line at a time and yields a record as soon as its last line is in, so the
        # bytes consumed when a record comes out are exactly where the next one starts.
        reader = csv.reader(lines(), delimiter=delimiter)
        header = None
        try:
            for rec in reader:
                if rec:
                    header = [h.strip() for h in rec]
                    break
            if header is None:
                raise JobError(f"{path}: the file is empty; expected a header row naming the columns")
            _check_header(path, header, data)
            typing = _CsvTyping(header, data)
            start, line = consumed[0], consumed[1] + 1
            record = 0
            first = 1
            count = 0
            for rec in reader:
                if not rec:
                    continue
                record += 1
                count += 1
                typing.see(rec)
                if count == partition_rows:
                    parts.append({"start": start, "end": consumed[0], "line": line, "first": first, "rows": count, "header": header, "delimiter": delimiter})
                    start, line, first, count = consumed[0], consumed[1] + 1, record + 1, 0
            if count:
                parts.append({"start": start, "end": consumed[0], "line": line, "first": first, "rows": count, "header": header, "delimiter": delimiter})
        except csv.Error as exc:
            raise JobError(f"{path}:{consumed[1]}: {exc}") from None
    if not parts:
        raise JobError(f"{path}: the file has a header row but no data rows")
    types_ = typing.types()
    for p in parts:
        p["types"] = types_
    return parts


# pandas' missing markers, as the editor reads them (readCsv.ts).
_CSV_MISSING = frozenset(["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "#N/A", "n/a", "<NA>"])
_CSV_INT = re.compile(r"[+-]?[0-9]+")
_CSV_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_CSV_BOOLS = frozenset(["True", "False", "true", "false", "TRUE", "FALSE"])


class _CsvTyping:
    """Column types over the whole file, as the editor gives them (typeColumns in readCsv.ts): a column whose
    present values are all integers holds ints, all numbers numbers, all True/False booleans; the missing
    markers are NaN in a typed column, as pandas gives them. The text, id and label columns stay strings."""

    def __init__(self, header, data):
        skip = {data["textField"], data.get("idField"), data.get("labelField")}
        # Per column index: [ints, floats, bools, present]
        self.open = {i: [True, True, True, 0] for i, name in enumerate(header) if name not in skip}
        self.header = header

    def see(self, rec):
        done = []
        for i, flags in self.open.items():
            if i >= len(rec):
                continue
            v = rec[i]
            if v in _CSV_MISSING:
                continue
            flags[3] += 1
            if flags[0] and not (_CSV_INT.fullmatch(v) and abs(int(v)) <= 2**53 - 1):
                flags[0] = False
            if flags[1] and not _CSV_FLOAT.fullmatch(v):
                flags[1] = False
            if flags[2] and v not in _CSV_BOOLS:
                flags[2] = False
            if not (flags[0] or flags[1] or flags[2]):
                done.append(i)
        for i in done:
            del self.open[i]

    def types(self):
        out = {}
        for i, (ints, floats, bools, present) in self.open.items():
            if present:
                out[self.header[i]] = "bool" if bools else "int" if ints else "number"
        return out


def _typed_csv_value(v, kind):
    if v in _CSV_MISSING:
        return math.nan
    if kind == "bool":
        return v.lower() == "true"
    if kind == "int":
        return int(v)
    return js_number(float(v))


def _check_header(path, header, data):
    seen = set()
    for i, name in enumerate(header):
        if name == "":
            raise JobError(f"{path}: column {i + 1} of the header has no name; every column needs a unique name")
        if name in seen:
            raise JobError(f'{path}: the header names column "{name}" twice; column names must be unique')
        seen.add(name)
    if data["textField"] not in header:
        raise JobError(f'{path}: no "{data["textField"]}" column; the columns are {", ".join(header)}')
    if data.get("idField") and data["idField"] not in header:
        raise JobError(f'{path}: no id column "{data["idField"]}"; the columns are {", ".join(header)}')


def _plan_wrench(path, partition_rows, data):
    with open(path, "r", encoding="utf-8-sig") as f:
        try:
            root = js_loads(f.read())
        except ValueError as exc:
            raise JobError(f"{path}: invalid JSON: {exc}") from None
    if not isinstance(root, dict):
        raise JobError(f'{path}: expected a WRENCH object {{"<id>": {{"label": ..., "data": {{...}}}}}} at the top level')
    records = []
    for key, record in root.items():
        fields = record.get("data") if isinstance(record, dict) else None
        if not isinstance(fields, dict):
            raise JobError(f'{path}: record "{key}" has no "data" object')
        fields.pop(data["labelField"], None)
        records.append([key, fields])
    if not records:
        raise JobError(f"{path}: the file contains no rows")
    return [{"records": records[i : i + partition_rows], "rows": len(records[i : i + partition_rows])} for i in range(0, len(records), partition_rows)]


def _plan_parquet(path, partition_rows, data):
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    parts = []
    groups = []
    rows = 0
    first = 1
    for g in range(meta.num_row_groups):
        groups.append(g)
        rows += meta.row_group(g).num_rows
        if rows >= partition_rows:
            parts.append({"groups": groups, "first": first, "rows": rows})
            first += rows
            groups, rows = [], 0
    if groups:
        parts.append({"groups": groups, "first": first, "rows": rows})
    if not parts:
        raise JobError(f"{path}: the file contains no rows")
    return parts


def read_partition(part, data):
    """(ids, rows) of one partition, checked as the editor checks rows."""
    ids, records = globals()["_read_" + part["format"]](part, data)
    text_field = data["textField"]
    for i, r in enumerate(records):
        text = r.get(text_field, _ABSENT)
        if text is _ABSENT or text.__class__ is not str:
            where = _where(part, i, ids)
            if text is _ABSENT:
                raise JobError(f'{where} has no "{text_field}" field; available fields: {", ".join(r) or "(none)"}')
            raise JobError(f'{where}: field "{text_field}" must be a string, found {type(text).__name__}; write "" where a row has no text, or leave such rows out')
    return ids, records


_ABSENT = object()


def _where(part, i, ids):
    return f"{part['path']} (row id {ids[i]})"


def _row_id(part, fields, fallback, data, where):
    field = data.get("idField")
    if not field:
        return fallback
    value = fields.get(field)
    if value is None or value == "":
        raise JobError(f'{where} has no value for the id field "{field}"')
    if isinstance(value, (dict, list, bool)):
        raise JobError(f'{where}: id field "{field}" must be a string or number')
    return _js_string(value)


def _read_bytes(part):
    with open(part["path"], "rb") as f:
        f.seek(part["start"])
        raw = f.read(part["end"] - part["start"])
    if part["start"] == 0 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw


def _read_jsonl(part, data):
    label_field = data["labelField"]
    ids, records = [], []
    text = _read_bytes(part).decode("utf-8")
    line_no = part["line"] - 1
    for line in text.split("\n"):
        line_no += 1
        if line.endswith("\r"):
            line = line[:-1]
        if not line.strip():
            continue
        try:
            value = js_loads(line)
        except ValueError as exc:
            raise JobError(f"{part['path']}:{line_no}: line {line_no} is not valid JSON ({exc}); each line must hold one JSON object") from None
        if not isinstance(value, dict):
            raise JobError(f"{part['path']}:{line_no}: line {line_no} does not hold a JSON object")
        value.pop(label_field, None)
        ids.append(_row_id(part, value, str(line_no), data, f"{part['path']}:{line_no}"))
        records.append(value)
    return ids, records


def _read_csv(part, data):
    header = part["header"]
    label_field = data["labelField"]
    keep = [i for i, name in enumerate(header) if name != label_field]
    names = [header[i] for i in keep]
    text = _read_bytes(part).decode("utf-8")
    ids, records = [], []
    record = part["first"] - 1
    delimiter = part["delimiter"]
    types_ = part["types"]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for rec in reader:
            if not rec:
                continue
            record += 1
            if len(rec) != len(header):
                line = part["line"] + reader.line_num - 1
                raise JobError(
                    f"{part['path']}:{line}: record has {len(rec)} fields but the header has {len(header)} columns; "
                    f"quote fields that contain {DELIMITER_NAMES[delimiter]} or line breaks"
                )
            fields = {names[c]: rec[i] for c, i in enumerate(keep)}
            for name, kind in types_.items():
                fields[name] = _typed_csv_value(fields[name], kind)
            ids.append(_row_id(part, fields, str(record), data, f"{part['path']} record {record}"))
            records.append(fields)
    except csv.Error as exc:
        raise JobError(f"{part['path']}:{part['line'] + reader.line_num - 1}: {exc}") from None
    return ids, records


def _read_wrench(part, data):
    return [str(k) for k, _ in part["records"]], [dict(f) for _, f in part["records"]]


def _read_parquet(part, data):
    import pyarrow.parquet as pq

    table = pq.ParquetFile(part["path"]).read_row_groups(part["groups"])
    records = table.to_pylist()
    label_field = data["labelField"]
    ids = []
    for i, r in enumerate(records):
        r.pop(label_field, None)
        ids.append(_row_id(part, r, str(part["first"] + i), data, f"{part['path']} row {part['first'] + i}"))
    return ids, records


# --------------------------------------------------------------------------------------------------------
# The LF files and the snorkel API they import
# --------------------------------------------------------------------------------------------------------


class _SourceFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves modules from source text: the job's LF files (so they may import each other) and, when Snorkel
    is not installed, the snorkel stand-in under every name LF files import it by."""

    def __init__(self):
        self.sources = {}  # module name -> (filename, source)
        self.aliases = {}  # module name -> function filling the module

    def find_spec(self, name, path=None, target=None):
        if name in self.sources or name in self.aliases:
            is_package = name in self.aliases and any(other.startswith(name + ".") for other in self.aliases)
            filename = self.sources[name][0] if name in self.sources else f"<{name}>"
            return importlib.util.spec_from_loader(name, self, origin=filename, is_package=is_package)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__name__
        if name in self.aliases:
            self.aliases[name](module)
            return
        filename, source = self.sources[name]
        module.__file__ = filename
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), module.__dict__)


# The module names LF files import Snorkel's API from; where Snorkel is not installed each is served with every
# public name of the stand-in (snorkel_compat.py, the editor's own snorkel/_compat.py).
SNORKEL_MODULES = (
    "snorkel",
    "snorkel.labeling",
    "snorkel.labeling.lf",
    "snorkel.labeling.lf.nlp",
    "snorkel.labeling.apply",
    "snorkel.labeling.apply.core",
    "snorkel.labeling.apply.dask",
    "snorkel.labeling.apply.pandas",
    "snorkel.labeling.apply.spark",
    "snorkel.labeling.model",
    "snorkel.labeling.model.baselines",
    "snorkel.labeling.model.label_model",
    "snorkel.labeling.analysis",
    "snorkel.preprocess",
    "snorkel.preprocess.nlp",
    "snorkel.analysis",
    "snorkel.types",
    "snorkel.utils",
)

_FINDER = _SourceFinder()
_STATE = {"snorkel": None, "jobs": {}}


def install_snorkel(compat_source):
    """Snorkel's own package when it can be imported, else the stand-in. Returns which one LF files get."""
    if _STATE["snorkel"] is not None:
        return _STATE["snorkel"]
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    if importlib.util.find_spec("snorkel") is not None:
        import snorkel

        _STATE["snorkel"] = f"snorkel {getattr(snorkel, '__version__', '')}".strip()
        return _STATE["snorkel"]
    compat = types.ModuleType("lfstudio_snorkel_compat")
    compat.__file__ = "snorkel_compat.py"
    exec(compile(compat_source, "snorkel_compat.py", "exec"), compat.__dict__)
    compat._MISSING_ADVICE = (
        "needs Snorkel (pip install snorkel) on the machine running the job; the exported job applies the "
        "labeling functions and the label model itself."
    )
    public = {k: v for k, v in vars(compat).items() if not k.startswith("_")}

    def fill(module):
        module.__dict__.update(public)
        module._compat = compat

    for name in SNORKEL_MODULES:
        _FINDER.aliases[name] = fill
    _STATE["snorkel"] = "LF Studio's stand-in (Snorkel not installed)"
    return _STATE["snorkel"]


def _labeling_function_types():
    out = []
    for name in ("snorkel.labeling", "snorkel.labeling.lf"):
        cls = getattr(sys.modules.get(name), "LabelingFunction", None)
        if isinstance(cls, type) and cls not in out:
            out.append(cls)
    return tuple(out)


def load_lfs(spec):
    """The job's LFs as (name, file, callable), in the order of the label model's columns; executed once per
    process and kept for later partitions."""
    token = spec["token"]
    loaded = _STATE["jobs"].get(token)
    if loaded is not None:
        return loaded
    install_snorkel(spec["compat"])
    names = {}
    for i, f in enumerate(spec["lfFiles"]):
        name = f["module"] if f["module"] not in sys.modules and f["module"] not in _FINDER.sources else f"_lfstudio_lf_{token[:8]}_{i}"
        names[f["path"]] = name
        _FINDER.sources[name] = (f["path"], f["source"])
    out = []
    for f in spec["lfFiles"]:
        name = names[f["path"]]
        try:
            module = sys.modules.get(name) or importlib.import_module(name)
        except BaseException as exc:  # noqa: BLE001 - anything the top level raises stops the job with its message
            raise JobError(f"{f['path']}: {_error_text(exc, {f['path']})}") from None
        kinds = _labeling_function_types()
        found = {}
        for value in list(vars(module).values()):
            for c in value if isinstance(value, (list, tuple)) else (value,):
                if kinds and isinstance(c, kinds) and c.name not in found:
                    found[c.name] = c
        for lf_name in f["lfs"]:
            if lf_name not in found:
                raise JobError(f"{f['path']} no longer defines the labeling function {lf_name}; export the job again")
            out.append((lf_name, f["path"], _fast_callable(found[lf_name])))
    _STATE["jobs"][token] = out
    return out


def _fast_callable(lf):
    """The LF's function itself when the wrapper would add nothing (no preprocessors, no resources)."""
    f = getattr(lf, "_f", None)
    if f is None or getattr(lf, "_pre", None):
        return lf
    resources = getattr(lf, "_resources", None)
    if resources:
        import functools

        return functools.partial(f, **resources)
    return f


def _error_text(exc, user_files):
    frames = [fr for fr in traceback.extract_tb(exc.__traceback__) if fr.filename in user_files]
    if isinstance(exc, SyntaxError) and exc.filename in user_files:
        return f"line {exc.lineno}: SyntaxError: {exc.msg}"
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
    return f"line {frames[-1].lineno}: {message}" if frames else message


# --------------------------------------------------------------------------------------------------------
# Applying the LFs
# --------------------------------------------------------------------------------------------------------

_VOTE_TYPES = frozenset([int, type(None)])


class LfStats:
    __slots__ = ("errors", "none", "first_error", "first_error_row")

    def __init__(self):
        self.errors = 0
        self.none = 0
        self.first_error = None
        self.first_error_row = None


def apply_lf(f, rows, k, stats, user_file, ids):
    """One LF over the rows: votes as int8 bytes (0xFF = abstain). Chunks are mapped in C and checked in C;
    a chunk with an exception or an unusual value is redone row by row."""
    n = len(rows)
    votes = bytearray(b"\xff") * n
    table = {v: v & 0xFF for v in range(-1, k)}
    table[None] = 0xFF
    valid = frozenset(table)
    pos = 0
    chunk = 64
    while pos < n:
        part = rows[pos : pos + chunk]
        try:
            res = list(map(f, part))
            fast = set(map(type, res)) <= _VOTE_TYPES and set(res) <= valid
        except KeyboardInterrupt:
            raise
        except BaseException:  # noqa: BLE001 - the row-by-row pass counts it
            fast = False
        if fast:
            votes[pos : pos + len(part)] = bytes(map(table.__getitem__, res))
            stats.none += res.count(None)
        else:
            _apply_slowly(f, part, pos, votes, k, stats, user_file, ids)
        pos += len(part)
        if chunk < 4096:
            chunk *= 2
    return votes


def _apply_slowly(f, part, offset, votes, k, stats, user_file, ids):
    for j, x in enumerate(part):
        try:
            v = f(x)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - an LF's SystemExit is its error too
            _error(stats, offset + j, ids, lambda: _error_text(exc, {user_file}))
            continue
        label = v if v.__class__ is int or v is None else _integer_label(v)
        if label.__class__ is int and -1 <= label < k:
            votes[offset + j] = label & 0xFF
        elif label is None:
            stats.none += 1
        else:
            _error(stats, offset + j, ids, lambda: f"returned {_short_repr(v)}; return an int label in 0..{k - 1}, -1 (ABSTAIN) or None")


def _integer_label(v):
    """An integer of another type as the int Snorkel would store (numpy.int64 from pandas or numpy), as LF
    Studio's runner takes it; a bool, a float or anything else gives False, and the value is reported as it was."""
    if isinstance(v, (bool, float)) or type(v).__name__ == "bool_":
        return False
    try:
        i = operator.index(v)
    except Exception:  # noqa: BLE001 - not an integer: reported as the value it is
        return False
    return i if i.__class__ is int else False


def _error(stats, i, ids, message):
    stats.errors += 1
    if stats.first_error is None:
        stats.first_error = message()
        stats.first_error_row = ids[i]


def _short_repr(v):
    try:
        r = repr(v)
    except BaseException:  # noqa: BLE001
        r = f"<{type(v).__name__}>"
    return (r[:60] + "...") if len(r) > 60 else f"{r} ({type(v).__name__})"


# --------------------------------------------------------------------------------------------------------
# The label model (mirrors scoreWithParams in LF Studio's modelParams.ts)
# --------------------------------------------------------------------------------------------------------


class LabelModel:
    def __init__(self, params):
        import numpy as np

        if params.get("format") != FORMAT:
            raise JobError(f"label_model.json has format {params.get('format')!r}; this job reads {FORMAT!r}")
        self.np = np
        self.k = len(params["classes"])
        self.m = len(params["lfs"])
        self.class_balance = np.asarray(params["classBalance"], dtype=np.float64)
        self.uncovered = np.asarray(params["uncoveredProbs"], dtype=np.float64)
        self.overrides = [(o["narrow"], o["broad"]) for o in params["overrides"]]
        self.tol = float(params["tieTolerance"])
        self.scorer = params["scorer"]
        kind = self.scorer["kind"]
        if kind == "log-linear":
            self.bias = np.asarray(self.scorer["bias"], dtype=np.float64)
            self.weights = np.asarray(self.scorer["weights"], dtype=np.float64).reshape(self.m, self.k, self.k)
        elif kind == "one-vs-rest":
            acc = np.asarray(self.scorer["accuracy"], dtype=np.float64)
            self.fs_weights = np.log(acc) - np.log(1 - acc)  # problems x LFs
            rates = self.scorer["positiveRates"]
            self.fs_base = np.asarray([math.log(max(r, 1e-9)) - math.log(max(1 - r, 1e-9)) for r in rates], dtype=np.float64)
            self.positives = np.asarray(self.scorer["positives"], dtype=np.int64)
        elif kind != "vote-share":
            raise JobError(f"label_model.json: unknown scorer {kind!r}")
        best = 0
        for c in range(1, self.k):
            if self.class_balance[c] > self.class_balance[best]:
                best = c
        self.prior_best = best

    def predict(self, V, uncovered="abstain"):
        """V: n x m int array (-1 = abstain). Returns (probs n x k, labels n, covered n)."""
        np = self.np
        V = np.asarray(V, dtype=np.int64)
        n, m = V.shape
        if m != self.m:
            raise JobError(f"the label model has {self.m} LFs but the votes have {m} columns")
        voted = V >= 0
        covered = voted.any(axis=1)
        # Overrides: the broad LF's vote is set aside where a narrow LF inside it votes a different label.
        aside = np.zeros((n, m), dtype=bool)
        for a, b in self.overrides:
            aside[:, b] |= voted[:, a] & voted[:, b] & (V[:, a] != V[:, b])
        use = voted & ~aside
        k = self.k
        kind = self.scorer["kind"]
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            if kind == "log-linear":
                S = np.tile(self.bias, (n, 1))
                for j in range(m):
                    rows = np.nonzero(use[:, j])[0]
                    if rows.size:
                        S[rows] += self.weights[j, V[rows, j]]
                S -= S.max(axis=1, keepdims=True)
                E = np.exp(S)
                P = E / E.sum(axis=1, keepdims=True)
            elif kind == "vote-share":
                C = np.zeros((n, k), dtype=np.float64)
                for j in range(m):
                    rows = np.nonzero(use[:, j])[0]
                    if rows.size:
                        C[rows, V[rows, j]] += 1.0
                total = C.sum(axis=1, keepdims=True)
                P = C / np.where(total > 0, total, 1.0)
            else:
                Q = len(self.fs_base)
                LO = np.tile(self.fs_base, (n, 1))
                for j in range(m):
                    rows = np.nonzero(use[:, j])[0]
                    if rows.size:
                        sign = np.where(V[rows, j][:, None] == self.positives[None, :], 1.0, -1.0)
                        LO[rows] += sign * self.fs_weights[:, j][None, :]
                if k == 2:
                    p1 = 1.0 / (1.0 + np.exp(-LO[:, 0]))
                    P = np.stack([1.0 - p1, p1], axis=1)
                else:
                    P = 1.0 / (1.0 + np.exp(-LO[:, :Q]))
                    P = P / P.sum(axis=1, keepdims=True)
        P[~covered] = self.uncovered
        # Most likely class; among classes within tol of the best, the one the class balance favours.
        mx = P.max(axis=1, keepdims=True)
        tied = P >= mx - self.tol
        score = np.where(tied, self.class_balance[None, :], -np.inf)
        labels = score.argmax(axis=1)
        labels[~covered] = self.prior_best if uncovered == "predict" else -1
        return P, labels, covered


def score_votes(params, votes, uncovered="abstain"):
    """Probabilities and labels for a list of vote rows (for checks outside a job)."""
    import numpy as np

    P, labels, _ = LabelModel(params).predict(np.asarray(votes, dtype=np.int64).reshape(len(votes), len(params["lfs"])), uncovered)
    return P.tolist(), labels.tolist()


# --------------------------------------------------------------------------------------------------------
# One partition
# --------------------------------------------------------------------------------------------------------

_MODELS = {}


def part_name(index):
    return f"part-{index:05d}.jsonl"


def run_partition(spec, part):
    """Reads partition `part`, labels it and writes spec["output"]/part-NNNNN.jsonl; returns its figures."""
    import numpy as np

    t0 = time.perf_counter()
    lfs = load_lfs(spec)
    model = _MODELS.get(spec["token"])
    if model is None:
        model = _MODELS[spec["token"]] = LabelModel(spec["model"])
    t1 = time.perf_counter()
    ids, records = read_partition(part, spec["data"])
    rows = make_rows(records)
    n = len(rows)
    k = model.k
    t2 = time.perf_counter()
    V = np.empty((n, len(lfs)), dtype=np.int8)
    stats = []
    for j, (name, path, f) in enumerate(lfs):
        s = LfStats()
        V[:, j] = np.frombuffer(bytes(apply_lf(f, rows, k, s, path, ids)), dtype=np.int8)
        stats.append(s)
    t3 = time.perf_counter()
    P, labels, covered = model.predict(V, spec["uncovered"])
    t4 = time.perf_counter()
    out = os.path.join(spec["output"], part_name(part["index"]))
    tmp = f"{out}.tmp-{os.getpid()}"
    dumps = json.dumps
    probs = P.tolist()
    votes = V.tolist()
    labs = labels.tolist()
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.writelines(
            f'{{"id":{dumps(ids[i])},"probs":[{",".join(map(repr, probs[i]))}],"label":{labs[i]},"votes":[{",".join(map(str, votes[i]))}]}}\n'
            for i in range(n)
        )
    os.replace(tmp, out)
    t5 = time.perf_counter()
    counts = np.bincount(labels[labels >= 0], minlength=k).tolist()
    return {
        "index": part["index"],
        "file": out,
        "rows": n,
        "covered": int(covered.sum()),
        "labelCounts": counts,
        "abstained": int((labels < 0).sum()),
        "lfs": [{"errors": s.errors, "noneCount": s.none, "firstError": s.first_error, "firstErrorRow": s.first_error_row} for s in stats],
        "seconds": {"setup": t1 - t0, "read": t2 - t1, "lfs": t3 - t2, "model": t4 - t3, "write": t5 - t4},
        "snorkel": _STATE["snorkel"],
    }
