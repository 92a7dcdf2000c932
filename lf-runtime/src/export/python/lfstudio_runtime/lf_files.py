"""The job's LF files and the snorkel API they import: each LF file is executed once per worker process from
its source text, statement by statement as the editor runs it, and whole, afresh for each LF file, where
another LF file imports it (as the editor's sibling import does); with Snorkel's own package when it is
installed and the editor's stand-in under every snorkel module name when it is not. As in the editor, each
runs from its own folder: the job's lfs/ files are written to a folder of the worker's own (materialize), so
the helper modules beside an LF file import and its relative paths to resource files resolve, on any worker."""
import base64
import importlib
import importlib.abc
import importlib.util
import linecache
import os
import stat
import sys
import tempfile
import traceback
import types

from .errors import JobError
from .statements import module_lfs, statement_codes, without_bom


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
        source = without_bom(source)
        module.__file__ = filename
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), module.__dict__)


def run_statements(source, filename, namespace):
    """Runs an LF file's top level one statement at a time, as the editor does (notebook cells): a statement that
    raises (`PandasLFApplier(lfs).apply(df_train)` at the bottom of an exported notebook, a missing package) is
    recorded and the statements after it still run. Returns what raised, one "line N: Error: message" each.
    A syntax error anywhere stops the file, as in the editor."""
    raised = []
    for line, code in statement_codes(filename, source):
        try:
            exec(code, namespace)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - the statement's problem; the file runs on (Ctrl-C stops the job)
            text = _error_text(exc, {filename})
            raised.append(text if text.startswith("line ") else f"line {line}: {text}")
    return raised


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
    "snorkel.map",
    "snorkel.map.core",
    "snorkel.preprocess",
    "snorkel.preprocess.nlp",
    "snorkel.labeling.preprocess",
    "snorkel.analysis",
    "snorkel.types",
    "snorkel.utils",
)

_FINDER = _SourceFinder()
_STATE = {"snorkel": None, "jobs": {}, "raised": {}, "imports": {}}


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


def materialize(spec):
    """Writes the job's lfs/ files (the LF files, the helper modules and resource files beside them) into a
    folder of this machine's own, once per job; returns it. Each write goes through a temporary name, so
    worker processes sharing the machine never see half a file. The folder is this user's alone (another
    user's, or one others may write to, is refused), and a file already there is kept only when it holds what
    the job holds: anything else there is written again."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    root = os.path.join(tempfile.gettempdir(), f"lfstudio-job-{uid}-{spec['token']}")
    os.makedirs(root, mode=0o700, exist_ok=True)
    st = os.lstat(root)
    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()) or st.st_mode & 0o022:
        raise JobError(f"{root} is not a folder of this user's alone (another user's, or writable by others); remove it and run the job again")
    files = [(f["path"], f["source"].encode("utf-8")) for f in spec["lfFiles"]]
    files += [(s["path"], base64.b64decode(s["data"])) for s in spec.get("support", [])]
    for path, data in files:
        target = os.path.join(root, *path.split("/"))
        if _holds(target, data):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}.tmp-{os.getpid()}"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    return root


def _holds(path, data):
    """Whether `path` is a regular file holding exactly `data`."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        with open(path, "rb") as fh:
            return fh.read(len(data) + 1) == data
    except OSError:
        return False


class in_folder:
    """Runs a block with the current folder set to `folder` (an LF file's own, where its relative paths to
    resource files resolve in the editor), and puts the previous one back. With `filename` (an LF file the job
    loaded), also with that file's own helper modules in sys.modules and its folder first on sys.path, as they
    were when it ran: an `import helpers` inside an LF body gets its file's helpers, not those of the LF file
    loaded last (each file has a process of its own in the editor)."""

    def __init__(self, folder, filename=None):
        self.folder = folder
        self.filename = filename

    def __enter__(self):
        self.previous = os.getcwd()
        os.chdir(self.folder)
        imports = _STATE["imports"].get(self.filename) if self.filename else None
        if imports is not None:
            _use_imports(self.folder, *imports)

    def __exit__(self, *exc):
        os.chdir(self.previous)


def _helper_modules(root):
    """The modules loaded from the job's folder (`root`): helper modules and packages beside the LF files, and
    LF files another imports; not the LF files' own modules, registered under private names."""
    out = {}
    for name, loaded in list(sys.modules.items()):
        origin = getattr(loaded, "__file__", None)
        if isinstance(origin, str) and origin.startswith(root + os.sep) and not name.startswith("_lfstudio_lf_"):
            out[name] = loaded
    return out


def _use_imports(folder, root, own):
    """Makes `own` (an LF file's helper modules, by name) the only ones from the job's folder in sys.modules,
    and the file's `folder` first on sys.path: what the file imports then is its own, as in the editor, where
    each file has a process of its own (a helpers.py in each of two folders)."""
    for name in _helper_modules(root):
        if name not in own:
            del sys.modules[name]
    sys.modules.update(own)
    if sys.path[:1] != [folder]:
        if folder in sys.path:
            sys.path.remove(folder)
        sys.path.insert(0, folder)


def load_lfs(spec):
    """The job's LFs as (name, file, folder, callable), in the order of the label model's columns; executed
    once per process and kept for later partitions. Each LF file runs as in the editor: from its own folder
    (materialize), where helper modules beside it import and relative paths resolve."""
    token = spec["token"]
    loaded = _STATE["jobs"].get(token)
    if loaded is not None:
        return loaded
    install_snorkel(spec["compat"])
    # An LF file that reads stdin (input(), a prompt for a threshold) gets an empty one, as in the editor,
    # rather than waiting on a terminal in --serial runs.
    if not getattr(sys.stdin, "name", None) == os.devnull:
        sys.stdin = open(os.devnull, encoding="utf-8")
    # And the argv an interactive Python has, as in the editor (native_worker.py), not run.py's: a package
    # whose __init__ runs argparse's parse_args() at import would otherwise exit on --input and --output.
    sys.argv = [""]
    root = materialize(spec)
    files = {}
    served = []
    for f in spec["lfFiles"]:
        files[f["path"]] = os.path.join(root, *f["path"].split("/"))
        # Under its module name, an LF file is what another LF file or a helper imports: executed whole, as
        # Python imports it (and as the editor's sibling import does).
        if f["module"] in _FINDER.sources or f["module"] not in sys.modules:
            _FINDER.sources[f["module"]] = (files[f["path"]], f["source"])
            served.append(f["module"])
        folder = os.path.dirname(files[f["path"]])
        if folder not in sys.path:
            sys.path.insert(0, folder)
        above = _package_of(folder, root)[1]
        if above and above not in sys.path:
            sys.path.append(above)
    out = []
    raised = []
    for i, f in enumerate(spec["lfFiles"]):
        filename = files[f["path"]]
        folder = os.path.dirname(filename)
        # The editor runs each LF file in a worker of its own: the other LF files it imports are executed
        # afresh for it, never the copy another file's run left behind.
        for other in served:
            sys.modules.pop(other, None)
        # None of the helper modules another file's run imported: this file imports its own, from its folder.
        _use_imports(folder, root, {})
        module = types.ModuleType(f["module"])
        module.__file__ = filename
        linecache.cache[filename] = (len(f["source"]), None, f["source"].splitlines(True), filename)
        private = f"_lfstudio_lf_{token[:8]}_{i}"
        sys.modules[private] = module
        if f["module"] in served:
            sys.modules[f["module"]] = module  # its own helpers may import it back, as in the editor
        package = _package_of(folder, root)[0]
        if package:
            # A file inside a package runs as a module of it, as in the editor: `from .helpers import x` works,
            # and a package with an __init__.py is imported first, as Python imports pkg before pkg.mod (if that
            # raises, the file's own import of it says why).
            module.__package__ = package
            if "." in package or os.path.isfile(os.path.join(folder, "__init__.py")):
                try:
                    with in_folder(folder):
                        importlib.import_module(package)
                except (Exception, SystemExit):  # noqa: BLE001 - reported by the statement that imports it
                    pass
        try:
            with in_folder(folder):
                statements = run_statements(f["source"], filename, module.__dict__)
        except BaseException as exc:  # noqa: BLE001 - a syntax error stops the job with its message
            raise JobError(f"{f['path']}: {_error_text(exc, {filename})}") from None
        raised.extend(f"{f['path']}: {line}" for line in statements)
        # The helper modules this file's run imported, for its LFs' imports at apply time (in_folder).
        _STATE["imports"][filename] = (root, _helper_modules(root))
        kinds = _labeling_function_types()
        found = {}
        # As the editor finds them (statements.module_lfs): values, list items, the attributes of the file's classes.
        for c in module_lfs(module, lambda c: bool(kinds) and isinstance(c, kinds)):
            found.setdefault(c.name, c)
        for lf_name in f["lfs"]:
            if lf_name not in found:
                if statements:
                    # Here, not in the editor, a statement raised: most often a module, package or file the LF
                    # file needs that this machine lacks.
                    shadowed = any("'snorkel' is not a package" in line for line in statements)
                    raise JobError(
                        f"{f['path']} does not define the labeling function {lf_name} here, because its top level raised: "
                        + "; ".join(statements)
                        + (
                            ". A file named snorkel.py (this one, or one beside it) is imported for `import snorkel` here: rename it, "
                            "e.g. to snorkel_lfs.py, in your workspace and export the job again"
                            if shadowed
                            else ". Install the package on the workers, or put the module or file beside the LF file in the job's lfs/ folder"
                        )
                    )
                raise JobError(f"{f['path']} no longer defines the labeling function {lf_name}; export the job again")
            out.append((lf_name, filename, folder, _fast_callable(found[lf_name])))
    for other in served:
        sys.modules.pop(other, None)
    _STATE["jobs"][token] = out
    _STATE["raised"][token] = raised
    return out


def _taken(name, folder):
    """Whether a module name stands for something else than the package at `folder`: a module already imported
    (json, snorkel) or one of the job's LF files."""
    if name in _FINDER.sources or name in _FINDER.aliases:
        return True
    return name in sys.modules and folder not in list(getattr(sys.modules[name], "__path__", None) or ())


def _package_of(folder, root):
    """(the dotted package an LF file runs in, the folder to import it from), as the editor's user's Python
    runs it (lf_runner._execute, lf_finders.package_root): its folder, named as a module, is a package (a
    namespace package without an __init__.py, so `from .helpers import x` works), and the package climbs
    while the folder above holds an __init__.py, within the job's folder (a folder without one inside a
    package is a namespace portion of it: hmm/labeling/ in hmm/). A name that stands for something else
    (_taken) is none. (None, None) when there is no package."""
    name = os.path.basename(folder)
    if not folder.startswith(root + os.sep) or not name.isidentifier():
        return None, None
    names, folders = [name], [folder]
    up = os.path.dirname(folder)
    while up.startswith(root + os.sep) and os.path.isfile(os.path.join(up, "__init__.py")):
        above = os.path.basename(up)
        if not above.isidentifier():
            break
        names.append(above)
        folders.append(up)
        up = os.path.dirname(up)
    # Only the outermost name is imported on its own (myproj/snorkel/ is myproj.snorkel): below a taken one.
    while names and _taken(names[-1], folders[-1]):
        names.pop()
        up = folders.pop()
    if not names:
        return None, None
    return ".".join(reversed(names)), up


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


def statements_raised(spec):
    """The top-level statements of the job's LF files that raised while the rest of each file ran on, as
    "lfs/file.py: line N: Error: message"; after load_lfs."""
    return _STATE["raised"].get(spec["token"], [])


def snorkel_in_use():
    """Which snorkel the LF files get, once install_snorkel has run."""
    return _STATE["snorkel"]
