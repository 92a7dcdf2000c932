"""One partition: read it, apply the LFs and the label model, write OUT_DIR/part-NNNNN.jsonl."""
import json
import os
import time

from .apply import LfStats, apply_lf
from .errors import JobError
from .inputs import JSON_FORMATS, float_fields, json_field_kinds, numeric_fields, read_partition
from .js_json import MAX_JSON_DEPTH, nesting_depth
from .label_model import LabelModel
from .lf_files import in_folder, load_lfs, snorkel_in_use, statements_raised
from .rows import make_rows

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
    if part["format"] in JSON_FORMATS:
        # As the editor refuses it (jsonSyntax.ts), not a RecursionError in the middle of the rows.
        for row_id, record in zip(ids, records):
            if any(isinstance(v, (dict, list)) for v in record.values()) and nesting_depth(record) > MAX_JSON_DEPTH:
                raise JobError(f"{part['path']}: row {row_id}: the JSON nests more than {MAX_JSON_DEPTH} levels deep, more than LF Studio reads; flatten the nested field, or leave it out of the file")
    # JSON data: NaN for a null or missing number, in the fields the driver found numeric over the whole input
    # when it gave them, else in those that are numeric in this partition (the driver checks it chose alike),
    # and floats in those of them that pandas makes float64, chosen the same way.
    kinds, holes, numeric, floats = {}, [], (), set()
    if part["format"] in JSON_FORMATS:
        kinds, holes = json_field_kinds(records, spec["data"])
        numeric = set(part["numeric"] if "numeric" in part else numeric_fields([kinds]))
        own = {"kinds": kinds, "holes": holes, "rows": len(records), "fields": list(kinds)}
        floats = set(part["floats"] if "floats" in part else float_fields([own], numeric))
    rows = make_rows(records, part.get("fields"), numeric, floats)
    n = len(rows)
    k = model.k
    t2 = time.perf_counter()
    V = np.empty((n, len(lfs)), dtype=np.int8)
    stats = []
    for j, (name, path, folder, f) in enumerate(lfs):
        s = LfStats()
        with in_folder(folder, path):
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
    source = f',"file":{dumps(part["path"])}' if part.get("tagFile") else ""
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.writelines(
            f'{{"id":{dumps(ids[i])}{source},"probs":[{",".join(map(repr, probs[i]))}],"label":{labs[i]},"votes":[{",".join(map(str, votes[i]))}]}}\n'
            for i in range(n)
        )
    os.replace(tmp, out)
    t5 = time.perf_counter()
    counts = np.bincount(labels[labels >= 0], minlength=k).tolist()
    return {
        "index": part["index"],
        "file": out,
        "input": part["path"],
        "rows": n,
        "covered": int(covered.sum()),
        "labelCounts": counts,
        "abstained": int((labels < 0).sum()),
        "lfs": [{"errors": s.errors, "noneCount": s.none, "firstError": s.first_error, "firstErrorRow": s.first_error_row} for s in stats],
        "seconds": {"setup": t1 - t0, "read": t2 - t1, "lfs": t3 - t2, "model": t4 - t3, "write": t5 - t4},
        "snorkel": snorkel_in_use(),
        "raised": statements_raised(spec),
        # The fields its rows had: the driver relabels a partition whose rows lacked a field others have.
        "fields": list(type(rows[0])._fields) if rows else [],
        # What its JSON fields hold, and the numeric ones it gave NaN where null or missing: the driver labels it
        # again when the whole input says otherwise for a field it has holes in.
        "kinds": kinds,
        "nanFields": [f for f in holes if f in numeric],
        "holes": holes,
        "floatFields": sorted(floats.intersection(kinds)),
    }
