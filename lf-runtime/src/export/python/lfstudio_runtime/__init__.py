"""The worker side of a job exported by `lf-studio export-job`: reads one partition of the input, applies the
project's labeling functions and the fitted label model to it, and writes OUT_DIR/part-NNNNN.jsonl.

Rows, votes and probabilities are those of LF Studio's editor on the same data:
- rows are read as the editor reads them (CSV: columns typed as pandas types them, NaN for a missing value in
  a typed column, the label column hidden; JSONL: JSON values with numbers as JavaScript parses them, NaN for a
  null or missing value in a field of numbers over the whole input; .json: each WRENCH record's "data" or each pandas row, alike; ids are the record
  number, the line number, the WRENCH key, the pandas index or the project's "idField"), and LFs see them the same way: immutable, fields
  as x.name and x["name"], a mutable copy for preprocessors;
- a vote is an int in -1..k-1 or None (abstain); an exception or any other value counts as abstain and is
  counted as an error of that LF, as in the editor;
- the label model is the fitted one's parameters (label_model.json, see modelParams.ts in LF Studio) applied
  in the same order of operations.

It differs from the editor in two ways: the LFs run as plain Python (no sandbox, no per-LF time limit), and
all LFs of a file share one execution of the file per worker process, as they would in Snorkel.

Needs only the Python standard library and NumPy (pyarrow for Parquet input). Nothing here imports Dask:
run.py schedules run_partition on a cluster or runs it in this process.

The modules, each after those it imports:
  errors       JobError, for what the user must fix
  row_class    the editor's row classes (LF Studio's lf_row_class.py): fields by attribute and key, a pandas
               Series' common surface, a mutable copy for preprocessors
  nested       the editor's nested JSON values (LF Studio's lf_nested.py): read-only lists and dicts
  rows         rows as LFs see them, from a partition's records
  js_json      JSON numbers and key order as the editor's JavaScript parses them
  json_shapes  the rows of a .json input: WRENCH, an array of rows, or pandas to_json's orients
  inputs       the input formats, planning partitions and reading one
  statements   an LF file's top level statement by statement, and the LFs a module holds (LF Studio's
               lf_statements.py)
  lf_files     executing the LF files, with Snorkel or the stand-in served as `snorkel`
  votes        what an LF returns, read as the editor reads it (LF Studio's lf_votes.py)
  apply        one LF over a partition's rows: votes, errors, invalid values
  label_model  the fitted label model's parameters applied to votes
  partition    one partition, read, labeled and written
"""
from .errors import JobError
from .inputs import float_fields, numeric_fields, plan_partitions, read_partition
from .label_model import FORMAT, LabelModel, score_votes
from .partition import part_name, run_partition
from .rows import field_union

# The modules in the order each can be executed from its source text: every one after those it imports.
# run.py sends them to the workers in this order (a worker needs nothing from this folder).
MODULES = ("errors", "row_class", "nested", "rows", "js_json", "json_shapes", "inputs", "statements", "lf_files", "votes", "apply", "label_model", "partition")

__all__ = ["FORMAT", "MODULES", "JobError", "LabelModel", "field_union", "float_fields", "numeric_fields", "part_name", "plan_partitions", "read_partition", "run_partition", "score_votes"]
