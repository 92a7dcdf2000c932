"""Input files and their partitions: CSV (or TSV), JSONL, .json (WRENCH or pandas to_json) and Parquet, read as
the editor reads them. The driver plans the partitions once (plan_partitions); each worker reads its own (read_partition)."""
import csv
import importlib.util
import io
import json
import math
import os
import re
import shlex
import sys

from .errors import JobError
from .js_json import _js_string, js_loads
from .json_shapes import is_json_lines, json_records

# The editor reads fields of any length; the csv module's default cap is 128 KiB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

# Input: formats and partitions
# --------------------------------------------------------------------------------------------------------

FORMATS = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".parquet": "parquet", ".pq": "parquet"}


def format_of(path):
    fmt = FORMATS.get(os.path.splitext(path)[1].lower())
    if fmt is None:
        raise JobError(f"{path}: unsupported file type; use .csv (or .tsv), .jsonl (or .ndjson), .json (WRENCH or pandas to_json) or .parquet{_conversion_hint(path)}")
    if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise JobError(f"{path}: reading Parquet needs pyarrow (pip install pyarrow)")
    return fmt


_COMPRESSED = {".gz": "gunzip -k", ".bz2": "bunzip2 -k", ".xz": "unxz -k", ".zst": "unzstd", ".zip": "unzip"}
_PANDAS_READERS = {".feather": "read_feather", ".arrow": "read_feather", ".orc": "read_orc", ".xlsx": "read_excel", ".xls": "read_excel", ".pkl": "read_pickle", ".pickle": "read_pickle"}


def _conversion_hint(path):
    """How to turn a compressed input or another pandas table format into one the job reads (as the editor says it)."""
    inner, ext = os.path.splitext(path)
    ext = ext.lower()
    if ext in _COMPRESSED and os.path.splitext(inner)[1].lower() in FORMATS:
        # A compressed file has no byte ranges to split into partitions.
        return f": decompress it first ({_COMPRESSED[ext]} {shlex.quote(path)}) and give {shlex.quote(inner)}"
    if ext in _PANDAS_READERS:
        out = inner + ".jsonl"
        code = f"import pandas as pd; pd.{_PANDAS_READERS[ext]}({json.dumps(path)}).to_json({json.dumps(out)}, orient=\"records\", lines=True, force_ascii=False)"
        return f": convert it with pandas (python3 -c {shlex.quote(code)}) and give {shlex.quote(out)}"
    return ""


def plan_partitions(paths, partition_rows, data):
    """Splits the input files into partitions of about `partition_rows` rows, in input order. Each partition
    says where its rows are (a byte range, row groups, or the records themselves) and the number of its first
    record or line, so ids are the editor's. The driver runs this once; each partition is read by a worker."""
    parts = []
    for path in paths:
        fmt = format_of(path)
        try:
            planned = globals()["_plan_" + fmt](path, partition_rows, data)
        except UnicodeDecodeError:
            raise JobError(not_utf8_message(path)) from None
        for p in planned:
            p.setdefault("format", fmt)
            p.update(path=path, index=len(parts))
            parts.append(p)
    return parts


def not_utf8_message(path):
    """Where the file stops being UTF-8 and how to convert it, as LF Studio says it (data/utf8.ts)."""
    name = os.path.basename(path)
    with open(path, "rb") as f:
        head = f.read(2)
        if head in (b"\xff\xfe", b"\xfe\xff"):
            return (
                f'{path}: the file is UTF-16 encoded, not UTF-8; re-save it as UTF-8 (in VS Code: "Save with Encoding" > UTF-8, '
                f'or iconv -f utf-16 -t utf-8 "{name}" > converted && mv converted "{name}")'
            )
        f.seek(0)
        first = None
        bad = 0
        for number, line in enumerate(f, 1):
            try:
                line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                bad += 1
                if first is None:
                    before = line[: exc.start].decode("utf-8", errors="replace")
                    first = (number, len(before) + 1, line[exc.start], before[-20:])
    if first is None:
        return f"{path}: the file is not valid UTF-8; re-save it as UTF-8"
    number, column, byte, before = first
    where = f"after {json.dumps(before, ensure_ascii=False)}" if before else "at the start of the line"
    others = f" ({bad} lines have such bytes)" if bad > 1 else ""
    return (
        f"{path}:{number}:{column}: line {number} is not valid UTF-8: byte 0x{byte:02X} {where}, column {column}{others}. The file is "
        "probably Windows-1252 (or Latin-1, which it extends); re-save it as UTF-8 (in VS Code: \"Reopen with Encoding\" > Western "
        f'(Windows 1252), then "Save with Encoding" > UTF-8, or iconv -f cp1252 -t utf-8 "{name}" > converted && mv converted "{name}": '
        "cp1252, not latin1, which would turn its curly quotes and dashes into control characters)"
    )


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
        source = _Lines(lines())
        reader = csv.reader(source, delimiter=delimiter)
        header = None
        try:
            for rec in reader:
                if rec:
                    header = pandas_names([h.strip() for h in rec])
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
                if _blank_record(rec, source.last):
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


# pandas' missing markers (its default na_values), as the editor reads them (readCsv.ts).
_CSV_MISSING = frozenset(
    ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
)
# Numbers may have spaces around them, as pandas reads them (" 5" is 5).
_CSV_INT = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+[ \t\n\v\f\r]*")
_CSV_FLOAT = re.compile(r"[ \t\n\v\f\r]*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\v\f\r]*")
_CSV_SPACES = re.compile(r"[ \t]*")
# Infinities as pandas reads them (inf, -Infinity, INF, ...; df.to_csv() writes inf for a division by zero),
# unlike a number too large for a double (1e400) or one with spaces around it, which keep their column as strings.
_CSV_INF = re.compile(r"[+-]?(inf|infinity)", re.IGNORECASE)


class _Lines:
    """The lines a csv.reader reads, the last one kept: whether a record of one field was quoted."""

    def __init__(self, lines):
        self._lines = iter(lines)
        self.last = ""

    def __iter__(self):
        return self

    def __next__(self):
        self.last = next(self._lines)
        return self.last


def _blank_record(rec, last_line):
    """A record to skip: no fields, or one unquoted field of nothing but spaces (its line, `last_line`, has no
    quote), a line pandas and the editor (readCsv.ts) take as blank in a file of any number of columns; a quoted
    one ("   ") is a value."""
    return not rec or (len(rec) == 1 and _CSV_SPACES.fullmatch(rec[0]) is not None and '"' not in last_line)
_CSV_BOOLS = frozenset(["True", "False", "true", "false", "TRUE", "FALSE"])


def untyped_fields(data):
    """The fields pandas' types never apply to, as in the editor (DatasetBuilder.typedField): the text and label
    fields stay as written (the id field is typed; a row's id is read from the value as written)."""
    return {data["textField"], data.get("labelField")}


class _CsvTyping:
    """Column types over the whole file, as the editor gives them (typeColumns in readCsv.ts): a column whose
    present values are all integers holds ints (int64, or uint64 when none is negative, exactly; beyond those,
    strings), all numbers floats, all True/False booleans, any other strings; the missing markers are NaN in
    every one of them, as pandas gives them. A column of numbers with one written with a point or an exponent,
    or with a missing value, is float64 in pandas: floats. The text and label columns are left as they are."""

    def __init__(self, header, data):
        skip = untyped_fields(data)
        self.columns = [i for i, name in enumerate(header) if name not in skip]
        # Per column index still possibly typed: [floats, bools, present, written as integers, missing, least
        # and greatest integer]
        self.open = {i: [True, True, 0, True, False, 0, 0] for i in self.columns}
        self.header = header

    def see(self, rec):
        done = []
        for i, flags in self.open.items():
            if i >= len(rec):
                continue
            v = rec[i]
            if v in _CSV_MISSING:
                flags[4] = True
                continue
            flags[2] += 1
            if flags[3] and not _CSV_INT.fullmatch(v):
                flags[3] = False
            if flags[3]:
                n = int(v)
                flags[5] = min(flags[5], n)
                flags[6] = max(flags[6], n)
            if flags[0] and not ((_CSV_FLOAT.fullmatch(v) and math.isfinite(float(v))) or _CSV_INF.fullmatch(v)):
                flags[0] = False
            # An integer beyond int64 and uint64 keeps the column strings, beside a float or a missing value too.
            if flags[0] and _CSV_INT.fullmatch(v) and not -(2**63) <= int(v) <= 2**64 - 1:
                flags[0] = False
            if flags[1] and v not in _CSV_BOOLS:
                flags[1] = False
            if not (flags[3] or flags[0] or flags[1]):
                done.append(i)
        for i in done:
            del self.open[i]

    def types(self):
        out = {}
        for i in self.columns:
            floats, bools, present, int_form, missing, least, greatest = self.open.get(i, (False, False, 0, False, False, 0, 0))
            if int_form and not missing:
                fits = -(2**63) <= least and greatest <= 2**63 - 1 or 0 <= least and greatest <= 2**64 - 1
                kind = "int" if fits else "str"
            else:
                kind = "bool" if bools else "float" if floats else "str"
            out[self.header[i]] = kind if present else "str"
        return out


def _typed_csv_value(v, kind):
    if v in _CSV_MISSING:
        return math.nan
    if kind == "str":
        return v
    if kind == "bool":
        return v.lower() == "true"
    if kind == "int":
        return int(v)
    return float(v)


def pandas_names(header):
    """The column names as pandas' read_csv gives them (readCsv.ts): "Unnamed: <i>" for a column without a
    name, ".1", ".2"... after a repeated one."""
    names = [name or f"Unnamed: {i}" for i, name in enumerate(header)]
    written = set(names)
    counts = {}
    for i, name in enumerate(names):
        col = name
        seen = counts.get(col, 0)
        while seen > 0:
            counts[name] = seen + 1
            col = f"{name}.{seen}"
            seen = seen + 1 if col in written else counts.get(col, 0)
        names[i] = col
        counts[col] = seen + 1
    return names


def _check_header(path, header, data):
    if data["textField"] not in header and not _text_optional(data):
        raise JobError(f'{path}: no "{data["textField"]}" column; the columns are {", ".join(header)}')
    if data.get("idField") and data["idField"] not in header:
        raise JobError(f'{path}: no id column "{data["idField"]}"; the columns are {", ".join(header)}')


def _plan_json(path, partition_rows, data):
    """A .json file in any shape the editor reads (readJson.ts): one object per line is JSONL; otherwise its
    records become [id, fields] pairs kept in the plan."""
    with open(path, "r", encoding="utf-8-sig") as f:
        text = f.read()
    if is_json_lines(text):
        return [dict(p, format="jsonl") for p in _plan_jsonl(path, partition_rows, data)]
    try:
        root = js_loads(text)
    except ValueError as exc:
        raise JobError(f"{path}: invalid JSON: {exc}") from None
    records = json_records(path, root, data)
    for _, fields in records:
        if not isinstance(fields, dict):
            raise JobError(f"{path}: a row holds {type(fields).__name__}, not an object of fields such as {{\"text\": \"...\"}}")
        fields.pop(data["labelField"], None)
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


def _text_optional(data):
    """As in the editor (datasetBuilder.ts): data without text is fine under the default name "text"; a text
    field named otherwise must be on every row."""
    return data["textField"] == "text"


def read_partition(part, data):
    """(ids, rows) of one partition, checked as the editor checks rows."""
    try:
        ids, records = globals()["_read_" + part["format"]](part, data)
    except UnicodeDecodeError:
        raise JobError(not_utf8_message(part["path"])) from None
    text_field = data["textField"]
    optional = _text_optional(data)
    for i, r in enumerate(records):
        text = r.get(text_field, _ABSENT)
        # A JSON null is None, as pandas gives it (and the editor: datasetBuilder.ts).
        if (text is _ABSENT and optional) or text is None:
            continue
        if text is _ABSENT or text.__class__ is not str:
            where = _where(part, i, ids)
            if text is _ABSENT:
                raise JobError(f'{where} has no "{text_field}" field; available fields: {", ".join(r) or "(none)"}')
            raise JobError(f'{where}: field "{text_field}" must be a string, found {type(text).__name__}; write "" (or null) where a row has no text, or leave such rows out')
    return ids, records


_ABSENT = object()


def _where(part, i, ids):
    return f"{part['path']} (row id {ids[i]})"


def _row_id(part, fields, fallback, data, where, json_text=None):
    """The row's id: the id field's value, or `fallback`. `json_text` is set when the fields were parsed from
    JSON as the editor parses it (js_json): the line they came from, or "" (a .json file) when there is none."""
    field = data.get("idField")
    if not field:
        return fallback
    value = fields.get(field)
    if value is None or value == "":
        raise JobError(f'{where} has no value for the id field "{field}"')
    if isinstance(value, (dict, list, bool)):
        raise JobError(f'{where}: id field "{field}" must be a string or number')
    if json_text is not None and isinstance(value, (int, float)) and abs(value) >= 2**53:
        # As the editor does (datasetBuilder.ts): an integer literal as written (js_json turns an integral float
        # literal into an int, so the line is read again to tell 9007199254740993 from 9007199254740993.0,
        # which has lost digits); in a .json file, without its line, an int of int64's range (js_json's exact
        # ones), else an error.
        if json_text:
            exact = json.loads(json_text).get(field)
        else:
            exact = value if value.__class__ is int and -(2**63) <= value < 2**63 else None
        if exact.__class__ is int:
            return str(exact)
        raise JobError(
            f'{where}: id {_js_string(value)} in field "{field}" is an integer too large to be read exactly (2^53 or more); '
            f'write the ids as strings ("{field}": "...")'
        )
    return _js_string(value)


# JSON input: NaN for a missing number
# --------------------------------------------------------------------------------------------------------

JSON_FORMATS = ("jsonl", "json")


def json_field_kinds(records, data):
    """What a JSONL or .json partition's rows hold in each field that pandas' types apply to: "other" when some
    row holds a value that is neither a number nor null (a bool, a string, a list, an object), else "float" when
    some row holds a number an int64 column cannot hold (a fraction, 2^63 or more), else "num" when
    some row holds a number, else "null"; and the fields some row lacks or holds null in (where the choice
    between None and NaN shows). See numeric_fields and float_fields."""
    skip = untyped_fields(data)
    kinds = {}
    values = {}  # field -> rows holding a value other than null
    for r in records:
        for f, v in r.items():
            if v is None:
                kinds.setdefault(f, "null")
                continue
            values[f] = values.get(f, 0) + 1
            if v.__class__ is int or v.__class__ is float:
                if v.__class__ is float or not -(2**63) <= v < 2**63:
                    if kinds.get(f) != "other":
                        kinds[f] = "float"
                elif kinds.get(f) not in ("other", "float"):
                    kinds[f] = "num"
            else:
                kinds[f] = "other"
    n = len(records)
    return {f: k for f, k in kinds.items() if f not in skip}, [f for f in kinds if f not in skip and values.get(f, 0) < n]


def numeric_fields(kinds):
    """The fields whose null or missing values are NaN, as the editor reads JSON data (DatasetBuilder.
    missingNumbersAsNaN): those no partition found anything but numbers and nulls in (one null everywhere
    too), given each partition's json_field_kinds. The editor decides over the whole file, so a partition
    that decided over its own rows alone and chose otherwise for a field it has holes in is labelled again."""
    out = {}
    for part_kinds in kinds:
        for f, k in part_kinds.items():
            out[f] = out.get(f, True) and k != "other"
    return [f for f, numeric in out.items() if numeric]


def float_fields(results, numeric):
    """The `numeric` fields whose numbers are floats, as pd.read_json makes a column float64 and the editor
    gives it (DatasetBuilder.missingNumbersAsNaN): those with NaN on some row (null, or a key a row lacks) or a
    number an int64 cannot hold, given each partition's result (its "kinds", "holes" and "fields")."""
    out = set()
    for r in results:
        for f in numeric:
            if r["kinds"].get(f) == "float" or f in r["holes"] or (r["rows"] and f not in r["fields"]):
                out.add(f)
    return sorted(out)


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
        ids.append(_row_id(part, value, str(line_no), data, f"{part['path']}:{line_no}", line))
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
    source = _Lines(io.StringIO(text, newline=""))
    reader = csv.reader(source, delimiter=delimiter)
    try:
        for rec in reader:
            if _blank_record(rec, source.last):
                continue
            record += 1
            if len(rec) != len(header):
                line = part["line"] + reader.line_num - 1
                raise JobError(
                    f"{part['path']}:{line}: record has {len(rec)} fields but the header has {len(header)} columns; "
                    f"quote fields that contain {DELIMITER_NAMES[delimiter]} or line breaks"
                )
            fields = {names[c]: rec[i] for c, i in enumerate(keep)}
            # The id as written, before the id column is typed (as the editor takes it).
            ids.append(_row_id(part, fields, str(record), data, f"{part['path']} record {record}"))
            for name, kind in types_.items():
                fields[name] = _typed_csv_value(fields[name], kind)
            records.append(fields)
    except csv.Error as exc:
        raise JobError(f"{part['path']}:{part['line'] + reader.line_num - 1}: {exc}") from None
    return ids, records


def _read_json(part, data):
    # The record keys (or positions, or the pandas index) are the ids, unless the project names an id field.
    records = [dict(f) for _, f in part["records"]]
    ids = [_row_id(part, f, str(k), data, f'{part["path"]} record "{k}"', "") for (k, _), f in zip(part["records"], records)]
    return ids, records


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
