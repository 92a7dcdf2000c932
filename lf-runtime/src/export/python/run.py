#!/usr/bin/env python3
"""Applies an LF Studio project's labeling functions and fitted label model to data, with Dask.

    python3 run.py --input PATH_OR_GLOB [--input ...] --output OUT_DIR [--scheduler ADDRESS]
                   [--partition-rows N] [--workers N] [--uncovered abstain|predict] [--serial] [--overwrite]

Input: CSV (header row), JSONL (one object per line), .json (WRENCH or pandas to_json), or Parquet (with
pyarrow); a glob takes every matching file, in sorted order. Output: OUT_DIR/part-00000.jsonl,
part-00001.jsonl, ... one JSON object per input row, {"id", "probs", "label", "votes"} as `lf-studio label`
writes them (plus "file", the input file, when there are several: row numbers start again in each): rows in
input order within each part, parts in input order. OUT_DIR/_summary.json holds the run's figures (rows,
coverage, labels, per-LF error counts, each part's input file).

Without --scheduler a LocalCluster of --workers processes runs on this machine; with it, the job runs on
that cluster (its workers must be able to read the input paths and write OUT_DIR). The LF files, the Snorkel
stand-in and the label model travel with the tasks, so workers need Python with NumPy and nothing from this
folder. --serial runs every partition in this process, without Dask.

Written by `lf-studio export-job`; job.json, label_model.json and lfs/ beside this file are its inputs.
"""
import argparse
import base64
import glob
import hashlib
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _run_part(spec, part):
    """Runs on a worker: loads the job's runtime package from its modules' source text (once per process) and
    labels one partition. Self-contained, so Dask ships it by value and workers need no file of this folder."""
    import hashlib as _hashlib
    import sys as _sys
    import types as _types

    modules = spec["runtime"]
    name = "_lfstudio_runtime_" + _hashlib.sha256(repr(modules).encode("utf-8")).hexdigest()[:16]
    runtime = _sys.modules.get(name)
    if runtime is None:
        # The package first, then each module after those it imports, so their relative imports find them.
        package = _types.ModuleType(name)
        package.__path__ = []
        package.__package__ = name
        _sys.modules[name] = package
        for module_name, source in modules:
            filename = f"lfstudio_runtime/{module_name}.py"
            if module_name == "__init__":
                module = package
            else:
                module = _types.ModuleType(f"{name}.{module_name}")
                module.__package__ = name
                _sys.modules[module.__name__] = module
                setattr(package, module_name, module)
            module.__file__ = filename
            exec(compile(source, filename, "exec"), module.__dict__)
        runtime = package
    try:
        return runtime.run_partition(spec, part)
    except runtime.JobError as exc:
        # Returned, not raised: the runtime's exception class exists only where the runtime was loaded.
        return {"index": part["index"], "error": str(exc)}


def _read(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return f.read()


def load_spec(args, out_dir, runtime_modules):
    """Everything a task needs, as plain data: sources, label model, field names."""
    job = json.loads(_read("job.json"))
    model = json.loads(_read("label_model.json"))
    lf_files = []
    for f in job["lfFiles"]:
        lf_files.append({**f, "source": _read(f["path"])})
    # Helper modules and resource files beside the LF files, as bytes (base64), for workers without this folder:
    # those export-job copied, and any file put into lfs/ since (a resource file a file run in the user's
    # Python read, which export-job could not see).
    listed = list(job.get("supportFiles", []))
    own = {f["path"] for f in job["lfFiles"]}
    for folder, dirs, names in os.walk(os.path.join(HERE, "lfs")):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = os.path.relpath(os.path.join(folder, name), HERE).replace(os.sep, "/")
            if path not in own and path not in listed and not name.endswith((".pyc", ".tmp")):
                listed.append(path)
    support = []
    for path in listed:
        with open(os.path.join(HERE, path), "rb") as fh:
            support.append({"path": path, "data": base64.b64encode(fh.read()).decode("ascii")})
    spec = {
        "runtime": [[m, _read(os.path.join("lfstudio_runtime", f"{m}.py"))] for m in (*runtime_modules, "__init__")],
        "compat": _read("snorkel_compat.py"),
        "lfFiles": lf_files,
        "support": support,
        "model": model,
        "data": job["data"],
        "uncovered": args.uncovered,
        "output": out_dir,
    }
    digest = hashlib.sha256(json.dumps([spec["runtime"], spec["compat"], lf_files, support, model], sort_keys=True).encode("utf-8"))
    spec["token"] = digest.hexdigest()[:24]
    return job, spec


class Progress:
    """A bar on stderr: redrawn in place on a terminal, one line per tenth otherwise."""

    def __init__(self, parts, rows, enabled=True):
        self.parts, self.rows, self.enabled = parts, rows, enabled
        self.tty = sys.stderr.isatty()
        self.start()

    def start(self):
        self.t0 = time.perf_counter()
        self.last_tenth = -1

    def update(self, done_parts, done_rows, lf_errors=0):
        if not self.enabled:
            return
        frac = done_parts / self.parts if self.parts else 1.0
        rate = done_rows / max(time.perf_counter() - self.t0, 1e-9)
        width = 30
        filled = int(round(frac * width))
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {100 * frac:5.1f}%  {done_parts}/{self.parts} parts  {done_rows:,} rows  "
            f"{rate:,.0f} rows/s  LF errors {lf_errors:,}"
        )
        if self.tty:
            sys.stderr.write("\r" + line + ("\n" if done_parts == self.parts else ""))
            sys.stderr.flush()
        elif int(frac * 10) > self.last_tenth:
            self.last_tenth = int(frac * 10)
            sys.stderr.write(line + "\n")
            sys.stderr.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Apply the LF Studio project's labeling functions and label model with Dask.")
    parser.add_argument("--input", action="append", required=True, metavar="PATH_OR_GLOB", help="CSV, JSONL, .json (WRENCH or pandas to_json) or Parquet file(s); repeatable")
    parser.add_argument("--output", required=True, metavar="OUT_DIR", help="folder for part-*.jsonl (created if missing)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--connect-timeout", type=float, default=30, metavar="SECONDS", help="how long to wait for the scheduler to answer (default 30)")
    parser.add_argument("--partition-rows", type=int, default=50_000, metavar="N", help="rows per partition (default 50000)")
    parser.add_argument("--workers", type=int, default=None, metavar="N", help="LocalCluster worker processes (default: the number of cores)")
    parser.add_argument("--uncovered", choices=["abstain", "predict"], default="abstain", help="label of rows no LF votes on: -1, or the label model's answer")
    parser.add_argument("--serial", action="store_true", help="run every partition in this process, without Dask")
    parser.add_argument("--overwrite", action="store_true", help="replace part files an earlier run left in OUT_DIR")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.partition_rows < 1:
        parser.error("--partition-rows must be at least 1")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")

    sys.path.insert(0, HERE)
    import lfstudio_runtime as rt

    def fail(message, code=1):
        sys.stderr.write(f"lf-studio job: {message}\n")
        return code

    paths = []
    for pattern in args.input:
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            return fail(f"--input {pattern}: no file matches", 2)
        for p in matches:
            if not os.path.isfile(p):
                return fail(f"--input {p}: file not found", 2)
            paths.append(os.path.abspath(p))
    out_dir = os.path.abspath(args.output)
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        return fail(f"--output {args.output} is a file; give a folder", 2)
    os.makedirs(out_dir, exist_ok=True)
    stale = sorted(n for n in os.listdir(out_dir) if n.startswith("part-") and n.endswith(".jsonl"))
    if stale and not args.overwrite:
        return fail(f"--output {args.output} already holds {len(stale)} part files; pass --overwrite to replace them, or choose another folder", 2)
    for n in stale:
        os.remove(os.path.join(out_dir, n))

    job, spec = load_spec(args, out_dir, rt.MODULES)
    t0 = time.perf_counter()
    try:
        parts = rt.plan_partitions(paths, args.partition_rows, job["data"])
    except (rt.JobError, OSError, UnicodeDecodeError) as exc:
        return fail(str(exc))
    planned_rows = sum(p["rows"] for p in parts)
    if len(paths) > 1:
        # Row numbers (the ids without --id-field) start again in each file: each row says which it came from.
        for p in parts:
            p["tagFile"] = True
    lf_names = [lf["name"] for lf in spec["model"]["lfs"]]
    progress = Progress(len(parts), planned_rows, enabled=not args.quiet)

    client = cluster = None
    started = t0
    try:
        if args.serial:
            sys.stderr.write(f"lf-studio job: {len(parts)} partitions from {len(paths)} file(s), in this process\n")

            def run_batch(batch, progress, attempt):
                """Results of the partitions in `batch`, or a message saying why one failed."""
                results = []
                done_rows = 0
                for part in batch:
                    r = _run_part(spec, part)
                    if "error" in r:
                        return r["error"]
                    results.append(r)
                    done_rows += r["rows"]
                    progress.update(len(results), done_rows, _lf_errors(results))
                return results

        else:
            try:
                from dask.distributed import Client, LocalCluster, as_completed
            except ImportError:
                return fail("Dask is not installed (pip install 'dask[distributed]'); or run with --serial")
            if args.scheduler:
                try:
                    client = Client(args.scheduler, timeout=args.connect_timeout)
                except (OSError, ValueError, TypeError) as exc:
                    return fail(f"no Dask scheduler answers at {args.scheduler} ({exc}); start one there, give its address, or drop --scheduler to run on a LocalCluster here")
                where = f"the cluster at {args.scheduler}"
            else:
                import logging

                workers = args.workers or os.cpu_count() or 1
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR)
                client = Client(cluster)
                where = f"a LocalCluster of {workers} worker process(es)"
            sys.stderr.write(f"lf-studio job: {len(parts)} partitions from {len(paths)} file(s) on {where}\n")
            [spec_future] = client.scatter([spec], broadcast=True)

            def run_batch(batch, progress, attempt):
                """Results of the partitions in `batch`, or a message saying why one failed."""
                futures = [
                    client.submit(_run_part, spec_future, part, key=f"lfstudio-part-{part['index']:05d}-{spec['token']}-{attempt}", pure=False)
                    for part in batch
                ]
                results = []
                done_rows = 0
                for future in as_completed(futures):
                    try:
                        r = future.result()
                    except Exception as exc:  # noqa: BLE001 - e.g. a worker without NumPy, or one that died
                        r = {"error": f"a task failed on {where}: {type(exc).__name__}: {exc}"}
                    if "error" in r:
                        for other in futures:
                            other.cancel()
                        return r["error"]
                    results.append(r)
                    done_rows += r["rows"]
                    progress.update(len(results), done_rows, _lf_errors(results))
                return results

        started = time.perf_counter()
        progress.start()
        results = run_batch(parts, progress, 0)
        if isinstance(results, str):
            return fail(results)
        # The editor gives every row every field of the whole input (None where a row has none), so an LF reads
        # x.field on every row once any row has it. A partition reads only its own rows: one whose rows lacked
        # a field that others have (a JSONL or WRENCH field that is rare, or only in later rows) is labelled
        # again with all the fields. (Fields met in another order are left so: only x.keys() shows the order.)
        # Likewise a JSON field's null or missing values are NaN when the field holds only numbers over the whole
        # input (inputs.numeric_fields): a partition that chose otherwise from its own rows, for a field it has
        # nulls or gaps in (all null there while another partition holds a word, say), is labelled again.
        results.sort(key=lambda r: r["index"])
        fields = rt.field_union(r["fields"] for r in results)
        numeric = rt.numeric_fields(r["kinds"] for r in results)
        floats = rt.float_fields(results, numeric)
        lacking = {r["index"] for r in results if r["rows"] and len(r["fields"]) != len(fields)}
        unlike = {r["index"] for r in results if set(r["nanFields"]) != set(numeric).intersection(r["holes"])}
        # And a field's numbers are floats when pandas makes it float64 over the whole input
        # (inputs.float_fields): a partition whose own rows said otherwise is labelled again.
        unlike_floats = {r["index"] for r in results if set(r["floatFields"]) != set(floats).intersection(r["kinds"])}
        if lacking:
            missing = [f for f in fields if any(f not in r["fields"] for r in results if r["rows"])]
            sys.stderr.write(
                f"lf-studio job: labelling {len(lacking)} partition(s) again: their rows lack fields that other rows have "
                f"({', '.join(missing)}), which the editor gives every row (None where a row has none)\n"
            )
        unlike_only = unlike - lacking
        if unlike_only:
            which = [f for f in fields if any(f in r["holes"] and (f in r["nanFields"]) != (f in numeric) for r in results if r["index"] in unlike_only)]
            sys.stderr.write(
                f"lf-studio job: labelling {len(unlike_only)} partition(s) again: the editor reads a null or missing value as NaN "
                f"only in a field that holds numbers throughout the input, which those partitions could not see alone ({', '.join(which)})\n"
            )
        floats_only = unlike_floats - lacking - unlike
        if floats_only:
            which = [f for f in floats if any(f in r["kinds"] and f not in r["floatFields"] for r in results if r["index"] in floats_only)]
            which += [f for f in fields if f not in floats and any(f in r["floatFields"] for r in results if r["index"] in floats_only)]
            sys.stderr.write(
                f"lf-studio job: labelling {len(floats_only)} partition(s) again: the editor makes a field floats, as pandas does, when over "
                f"the whole input it holds only numbers and a row has a fraction or no number there, which those partitions could not see alone ({', '.join(which)})\n"
            )
        if lacking or unlike or unlike_floats:
            redo = [parts[i] for i in sorted(lacking | unlike | unlike_floats)]
            for part in redo:
                part["fields"] = fields
                part["numeric"] = numeric
                part["floats"] = floats
            again = run_batch(redo, Progress(len(redo), sum(p["rows"] for p in redo), enabled=not args.quiet), 1)
            if isinstance(again, str):
                return fail(again)
            redone = {r["index"]: r for r in again}
            results = [redone.get(r["index"], r) for r in results]
    except rt.JobError as exc:
        return fail(str(exc))
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    results.sort(key=lambda r: r["index"])
    seconds = time.perf_counter() - t0
    summary = summarize(results, spec, lf_names, paths, seconds, time.perf_counter() - started)
    with open(os.path.join(out_dir, "_summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    report(summary, out_dir)
    # As lf-studio label: the labels are written, but an LF that failed on every row means the run did not work.
    dead = [lf["name"] for lf in summary["lfs"] if summary["rows"] and lf["errors"] == summary["rows"]]
    for name in dead:
        hint = (
            " (a statement of its file raised, above: a package or file it needs may be missing here; install the package on the "
            "workers, or put the file beside the LF file in the job's lfs/ folder)"
            if summary["statementsRaised"]
            else ""
        )
        sys.stderr.write(f"lf-studio job: {name} failed on every row, so its votes are all abstain{hint} (exit code 1)\n")
    return 1 if dead else 0


def _lf_errors(results):
    return sum(lf["errors"] for r in results for lf in r["lfs"])


def summarize(results, spec, lf_names, paths, seconds, processing_seconds):
    k = len(spec["model"]["classes"])
    rows = sum(r["rows"] for r in results)
    covered = sum(r["covered"] for r in results)
    label_counts = [sum(r["labelCounts"][c] for r in results) for c in range(k)]
    lfs = []
    for j, name in enumerate(lf_names):
        first = next((r["lfs"][j] for r in results if r["lfs"][j]["firstError"]), None)
        lfs.append(
            {
                "name": name,
                "file": spec["model"]["lfs"][j]["file"],
                "errors": sum(r["lfs"][j]["errors"] for r in results),
                "noneCount": sum(r["lfs"][j]["noneCount"] for r in results),
                "firstError": first["firstError"] if first else None,
                "firstErrorRow": first["firstErrorRow"] if first else None,
            }
        )
    return {
        "rows": rows,
        "parts": len(results),
        "inputs": paths,
        "partInputs": {os.path.basename(r["file"]): r["input"] for r in sorted(results, key=lambda r: r["index"])},
        "coverage": covered / rows if rows else 0.0,
        "uncoveredRows": rows - covered,
        "classes": spec["model"]["classes"],
        "labelCounts": dict(zip(spec["model"]["classes"], label_counts)),
        "abstained": sum(r["abstained"] for r in results),
        "uncovered": spec["uncovered"],
        "model": spec["model"]["name"],
        "snorkel": results[0]["snorkel"] if results else None,
        # Top-level statements of the LF files that raised while the rest of each file ran on (as in the editor).
        "statementsRaised": results[0]["raised"] if results else [],
        "lfs": lfs,
        # Wall clock of the whole run (planning, cluster start-up, labelling), and of the labelling alone.
        "seconds": seconds,
        "rowsPerSecond": rows / seconds if seconds > 0 else None,
        "processingSeconds": processing_seconds,
        "processingRowsPerSecond": rows / processing_seconds if processing_seconds > 0 else None,
    }


def report(s, out_dir):
    w = sys.stderr.write
    w(
        f"lf-studio job: wrote {s['rows']:,} rows to {out_dir}/part-*.jsonl in {s['seconds']:.1f} s "
        f"({s['processingSeconds']:.1f} s labelling, {s['processingRowsPerSecond'] or 0:,.0f} rows/s)\n"
    )
    w(f"  coverage {100 * s['coverage']:.1f}%; labels: " + ", ".join(f"{c} {n:,}" for c, n in s["labelCounts"].items()) + (f", -1 {s['abstained']:,}" if s["abstained"] else "") + "\n")
    w(f"  label model: {s['model']}; snorkel: {s['snorkel']}\n")
    for line in s["statementsRaised"]:
        w(f"  warning: {line} (the rest of the file ran on, as in the editor)\n")
    width = max(len(lf["name"]) for lf in s["lfs"]) if s["lfs"] else 0
    w("  errors per LF (rows where it raised or returned an invalid value; counted as abstain):\n")
    for lf in s["lfs"]:
        first = f"  first: {lf['firstError']} (row {lf['firstErrorRow']})" if lf["firstError"] else ""
        w(f"    {lf['name']:<{width}}  {lf['errors']:>9,}{first}\n")


if __name__ == "__main__":
    sys.exit(main())
