"""LF Studio's native Python runtime: the user's own CPython, started by the parent inside bubblewrap (see
nativeRuntime.ts), with whatever that environment has installed. It speaks the pyodide worker's protocol
(worker/main.ts, wireProtocol.ts): JSON lines on stdin and stdout; `load` (followed by a binary frame of rows),
`drop`, `parse` (the file's statements, nothing executed), `prepare` (runs the top level) and `apply` (LFs over
a dataset), through the same runner (lf_runner.py). Everything the user's code prints goes to stderr, which
the parent keeps only as a short tail. Limits are set before the first line of user code runs.
"""
import json
import os
import platform
import resource
import sys
import time


def _arg(name, default=None):
    prefix = f"--{name}="
    for a in sys.argv[1:]:
        if a.startswith(prefix):
            return a[len(prefix):]
    return default


# Read before main() gives the LF files an empty argv.
_HIDDEN_LINKS = _arg("hidden-links", "[]")


def _set_limits():
    memory_mb = int(_arg("memory-mb", "0"))
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Nothing an LF does needs to write big files; the private /tmp is small anyway.
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024 * 1024, 64 * 1024 * 1024))


def _hide(hidden):
    """Files no LF may open (the data files that hold gold labels, RunFileOptions.hiddenFiles): refused at
    Python's `open` audit event (open(), io.open, os.open, and so pandas and json reading them), saying why.
    Matched by path and by the host's file identity (device and inode), so a symbolic or hard link, another
    spelling of the path or a bytes path is refused too; a relative path that does not resolve from the current
    folder (os.open with dir_fd, which the event does not carry) is refused when its name is a hidden file's.
    The kernel refuses the path itself in any case (bubblewrap mounts an unreadable empty file over it): this
    hook is what says why. The worker serves one unit and exits, so the hook is this unit's alone."""
    blocked = {}
    paths = {}
    names = {}
    # Other names of a hidden file found in the workspace (nativeRuntime.ts mounts the same empty file over them).
    try:
        links = json.loads(_HIDDEN_LINKS)
    except ValueError:
        links = []
    for h in hidden:
        try:
            paths[os.path.realpath(h["path"])] = h["reason"]
            for link in links:
                if isinstance(link, dict) and os.path.realpath(str(link.get("of"))) == os.path.realpath(h["path"]):
                    paths[os.path.realpath(str(link.get("path")))] = h["reason"]
            names[os.path.basename(h["path"])] = h["reason"]
            # The host's "device:inode" of the file: here its path holds the empty, unreadable file bubblewrap
            # mounts over it (nativeRuntime.ts), but a hard link elsewhere still leads to the real one.
            dev, ino = (int(x) for x in h["id"].split(":"))
            blocked[(dev, ino)] = h["reason"]
        except (AttributeError, ValueError, TypeError, KeyError):
            continue
    if not paths:
        return
    stat, fsdecode, basename, isabs, realpath = os.stat, os.fsdecode, os.path.basename, os.path.isabs, os.path.realpath

    def hook(event, args):
        if event != "open" or not args or isinstance(args[0], int):
            return
        try:
            path = fsdecode(args[0])
        except (TypeError, ValueError):
            return
        try:
            why = paths.get(realpath(path))
            if why is None:
                st = stat(path)
                why = blocked.get((st.st_dev, st.st_ino))
        except (OSError, ValueError):
            why = None if isabs(path) else names.get(basename(path))
        if why is not None:
            raise PermissionError(13, f"LF Studio does not let LFs read this file: {why}", path)

    sys.addaudithook(hook)


def _refuse_private_folders(names):
    """Paths inside a private folder (a project's .lfstudio, a version-control store such as .git: PRIVATE_DIRS),
    wherever it is: refused at Python's `open`, `os.listdir` and `os.scandir` audit events, saying why. The
    kernel finds each of the workspace's empty in any case (nativeRuntime.ts mounts an empty tmpfs over them, at
    any depth); this hook is what says why instead of "No such file"."""
    private = frozenset(n for n in names if n)
    if not private:
        return
    fsdecode, realpath, sep = os.fsdecode, os.path.realpath, os.sep
    reason = (
        "it is in a project's .lfstudio folder (whose saved prompts hold gold labels) or a version-control store such as .git "
        "(which holds every committed copy of the dev set), which no LF file may read"
    )

    def hook(event, args):
        if event not in ("open", "os.listdir", "os.scandir") or not args or isinstance(args[0], int) or args[0] is None:
            return
        try:
            path = realpath(fsdecode(args[0]))
        except (TypeError, ValueError, OSError):
            return
        if not private.isdisjoint(path.split(sep)):
            raise PermissionError(13, f"LF Studio does not let LFs read this: {reason}", args[0])

    sys.addaudithook(hook)


def main():
    t0 = time.perf_counter()
    _set_limits()
    _refuse_private_folders(_arg("private-dirs", "").split(","))
    # The LF files see the argv an interactive Python has (as in pyodide), not this worker's: a package whose
    # __init__ calls argparse's parse_args() then gets its defaults instead of exiting on our flags.
    sys.argv = [""]
    here = os.path.dirname(os.path.abspath(__file__))
    # The protocol keeps a private copy of stdout; fd 1 and sys.stdout now lead to stderr.
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # And of stdin: the LF files get an empty one. The built-in exit() and quit() close sys.stdin before they
    # raise SystemExit (a script's `except FileNotFoundError: exit(1)`), which would end this worker's requests.
    requests = os.fdopen(os.dup(0), "rb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdin = open(0, "r", encoding="utf-8", closefd=False)
    # This folder first (its lf_guard is the native one), then the shared runner; the snorkel stand-in goes
    # last, so a Snorkel installed in this environment is the one LF files import.
    sys.path[0:0] = [here, os.path.dirname(here)]
    sys.path.append(os.path.join(os.path.dirname(here), "shim"))
    import lf_runner

    def send(obj):
        proto.write(json.dumps(obj) + "\n")
        proto.flush()

    def raw(line):
        proto.write(line + "\n")
        proto.flush()

    send({"type": "ready", "loadMs": round((time.perf_counter() - t0) * 1000), "fromSnapshot": False, "bridgesRemoved": True, "pyodideVersion": "cpython-" + platform.python_version()})
    datasets = {}
    prepared = None
    stdin = requests
    while True:
        line = stdin.readline()
        if not line:
            break
        line = line.rstrip(b"\n")
        if not line:
            continue
        req = json.loads(line)
        kind, rid = req.get("type"), req.get("id")
        if kind == "load":
            # The rows follow as a binary frame of exactly `bytes` bytes (rowPayload.ts).
            frame = stdin.read(req["bytes"])
            datasets.pop(req["key"], None)
            try:
                datasets[req["key"]] = lf_runner.load_dataset(frame)
                send({"type": "loaded", "id": rid, "rows": len(datasets[req["key"]][1])})
            except Exception as exc:  # noqa: BLE001 - reported to the parent
                send({"type": "failed", "id": rid, "message": f"{type(exc).__name__}: {exc}"[:2000]})
            continue
        try:
            if kind == "drop":
                datasets.pop(req["key"], None)
            elif kind == "parse":
                raw('{"type":"parsed","id":%d,%s' % (rid, lf_runner.parse_structure(req["source"])[1:]))
            elif kind == "prepare":
                if req.get("hidden"):
                    _hide(req["hidden"])
                text, unit = lf_runner.prepare(req["file"], req["source"], req["siblings"], req.get("root") or "")
                out = json.loads(text)
                # Every LF applied uses the execution prepare left, as Snorkel runs a module's LFs: the file's top
                # level (a spaCy model loaded there, say) runs once per worker, not once per LF, and what one LF
                # leaves in the module is seen by the next, as in Python.
                prepared = [out["lfs"], unit]
                msg = {"type": "prepared", "id": rid, "fileError": out["fileError"], "lfs": out["lfs"]}
                if out.get("problems"):
                    msg["problems"] = out["problems"]
                send(msg)
            elif kind == "apply":
                dataset = datasets.get(req["key"])
                if dataset is None or prepared is None or prepared[1] is None:
                    send({"type": "failed", "id": rid, "message": "no file was prepared" if dataset is not None else f"dataset {req['key']} is not loaded"})
                    continue
                lfs, unit = prepared[0], prepared[1]
                for index in req["indices"]:
                    if index >= len(lfs):
                        break
                    send({"type": "lfStart", "id": rid, "index": index})
                    t = time.perf_counter()
                    result = lf_runner.run_lf(dataset, unit, True, index, lfs[index]["name"], req["cardinality"], req["timeoutMs"] / 1000)
                    raw('{"type":"lfDone","id":%d,"durationMs":%s,"result":%s}' % (rid, round((time.perf_counter() - t) * 1000, 1), result))
                send({"type": "applied", "id": rid})
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            send({"type": "failed", "id": rid, "message": f"{type(exc).__name__}: {exc}"[:2000]})


if __name__ == "__main__":
    main()
