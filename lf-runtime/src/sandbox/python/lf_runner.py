"""LF Studio's labeling-function runner, executed inside pyodide in the sandbox process.

The JavaScript worker calls four entry points: `load_dataset` (lf_rows.py: returns the rows as a Python object
the worker keeps), `parse_structure` (the file's top-level statements, without running it), `prepare` (execute
a file once, list its LFs; JSON text and the unit the worker holds for run_lf) and `run_lf` (one LF over every
row; JSON text). No JavaScript object is ever handed to Python, so user code finds none to abuse.
Each LF runs in a freshly executed copy of its module after the
interpreter's shared state (modules, builtins, hooks) has been put back to the state it had at start-up,
so one LF cannot change what another computes. Everything run_lf needs is bound as a default argument:
defaults and code objects of runner functions cannot be replaced (the audit hook in lf_guard refuses it).
"""
import base64
import gc
import importlib
import importlib.machinery
import json
import linecache
import os
import re
import sys
import time
import types

import lf_guard
import lf_nested
import lf_row_class
import lf_statements
import lf_structure
from lf_apply import RAISED as _RAISED, VOTE_TYPES as _VOTE_TYPES, Stats as _Stats, check_votes as _check_votes, fast_callable as _fast_callable, stop_iteration as _stop_iteration
from lf_errors import NATIVE, current as _current, error_info as _error_info, workspace_roots as _workspace_roots
from lf_finders import FolderPackageFinder as _FolderPackageFinder, SiblingFinder as _SiblingFinder, forget_user_modules as _forget_user_modules, package_root as _package_root
from lf_errors import failed_imports as _failed_imports, package_folders as _package_folders, sibling_modules as _sibling_modules
from lf_rows import load_dataset  # noqa: F401 - an entry point the worker calls
from lf_structure import parse_structure  # noqa: F401 - an entry point the worker calls

try:
    import snorkel._compat as _snorkel
except ImportError:  # the native runtime with a real Snorkel installed: our copy still serves discovery
    import importlib.util as _ilu

    _spec = _ilu.spec_from_file_location("lf_studio_snorkel_compat", lf_guard.COMPAT_PATH)
    _snorkel = _ilu.module_from_spec(_spec)
    _spec.loader.exec_module(_snorkel)


def _strict_json():
    """(dumps, loads) for the runner's own replies and requests, made of json's C parts alone. json.dumps and
    json.loads go through json.JSONEncoder's methods and json's shared encoder and decoder objects, which an
    LF can reassign (a class or instance attribute; neither raises an audit event here): it would then
    rewrite the reply of every later LF of its file, votes included, or the sibling files they import."""
    try:
        from _json import encode_basestring_ascii, make_encoder, make_scanner
    except ImportError:  # an interpreter without json's C accelerator (the native runtime may run one)
        return json.dumps, json.loads
    encoder = make_encoder(None, None, encode_basestring_ascii, None, ":", ",", False, False, True)
    context = types.SimpleNamespace(
        strict=True, object_hook=None, object_pairs_hook=None, parse_float=float, parse_int=int, parse_constant=float, memo={}
    )
    # The scanner copies what it needs from the context when it is made.
    scanner = make_scanner(context)

    def dumps(obj, _encoder=encoder, _join="".join):
        return _join(_encoder(obj, 0))

    def loads(text, _scanner=scanner):
        return _scanner(text, 0)[0]

    return dumps, loads


_dumps, _loads = _strict_json()

# --------------------------------------------------------------------------------------------------------
# Executing a user file
# --------------------------------------------------------------------------------------------------------


def _register_lines(filename, source):
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def _module_name(file):
    stem = file.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem[:-3] if stem.endswith(".py") else stem
    return stem if stem.isidentifier() else "lf_module"


def _execute(file, source, siblings, codes):
    """Run the file's top level (its statements compiled, `codes`) in a new module; returns (module, LFs in
    source order, user file paths, the top-level statements that raised)."""
    _current["file"] = file
    directory = file.replace("\\", "/").rsplit("/", 1)[0] if "/" in file.replace("\\", "/") else ""
    finder = _SiblingFinder(siblings, directory)
    _sibling_modules[file] = frozenset(siblings)
    user_files = frozenset([file] + [finder.path(n) for n in siblings])
    _snorkel._user_files = user_files
    sys.meta_path.insert(0, finder)
    _register_lines(file, source)
    name = _module_name(file)
    module = types.ModuleType(name)
    module.__file__ = file
    if NATIVE and directory:
        # As when the file runs from its own folder: helper modules beside it import, relative paths to
        # resource files resolve there, and `from . import x` works when the folder is a package.
        import os

        os.chdir(directory)
        _forget_user_modules()
        if directory not in sys.path:
            sys.path.insert(0, directory)
        parent, package = directory.rsplit("/", 1) if "/" in directory else ("", directory)
        if package.isidentifier() and parent:
            if parent not in sys.path:
                sys.path.insert(1, parent)
            # Inside a package of packages (label/lfs/keyword.py, each folder with an __init__.py) the file
            # imports its own package from the root, as Python run from the project does (`from label.lfs
            # import Label`), and `from . import x` means label.lfs.x: one package, not two copies of it.
            root, package = _package_root(parent, package, lf_guard.BLOCKED_MODULES)
            _package_folders[file] = f"{root}/{package.split('.')[0]}/"
            if root != parent and root not in sys.path:
                sys.path.insert(2, root)
            module.__package__ = package
            name = f"{package}.{name}"
            module.__name__ = name
            if "." in package or os.path.isfile(f"{directory}/__init__.py"):
                # Its package first, as Python imports pkg before pkg.mod: a package whose __init__.py imports
                # its modules (to gather their LFs) finds this one whole, not half run. If that raises, the
                # file's own import of the package says why, as a statement that raised.
                try:
                    importlib.import_module(package)
                except (Exception, SystemExit):
                    pass
    elif directory:
        # The same package context in the sandbox, with the package served by the finder (pyodide reads no
        # host folder): a folder named like a module already loaded (json, snorkel) or blocked is not one.
        # The user's packages are looked for where the user's Python looks (sys.path above), last.
        parent, package = directory.rsplit("/", 1) if "/" in directory else ("", directory)
        roots = [directory, parent] if package.isidentifier() and parent else [directory]
        # The folder's own name matters only when it is the outermost package: myproj/snorkel/ with an
        # __init__.py in myproj/ is myproj.snorkel, whatever `snorkel` stands for.
        root, dotted = _package_root(parent, package, lf_guard.BLOCKED_MODULES) if package.isidentifier() and parent else (parent, package)
        if package.isidentifier() and parent and ("." in dotted or (package not in sys.modules and package not in lf_guard.BLOCKED_MODULES)):
            sys.modules[name] = module  # `import lfs` from a sibling still finds this module, as before
            # Its own package imported from the root (`from label.lfs import X`): the root is searched on the
            # in-memory filesystem, where the parent puts the package files Python looked for.
            package = dotted
            _package_folders[file] = f"{root}/{package.split('.')[0]}/"
            if root != parent and root not in sys.path:
                sys.path.insert(0, root)
            finder.package = package
            name = f"{package}.{name}"
            module.__name__ = name
            module.__package__ = package
            module.__spec__ = importlib.machinery.ModuleSpec(name, None, origin=file)
            roots.append(root)
        sys.meta_path.append(_FolderPackageFinder(roots))
        if finder.package is not None and ("." in finder.package or "__init__" in siblings):
            # Its package first, as in the user's Python above (a package whose __init__.py imports its
            # modules, this one among them, finds it whole); a raise is the file's own import's to report.
            try:
                importlib.import_module(finder.package)
            except (Exception, SystemExit):
                pass
    sys.modules[name] = module
    problems = _run_statements(codes, module.__dict__, user_files)
    return module, _discover(module, file), user_files, problems


def _statement_codes(file, source):
    """The file's top-level statements compiled one by one (lf_statements.py). A unit executes its file several
    times (prepare, then once per LF and dataset); code objects are immutable, so prepare compiles once, before
    any of the file runs, and the codes travel with the unit (prepare's return value)."""
    return lf_statements.statement_codes(file, source)


def _run_statements(codes, namespace, user_files):
    """Runs the file's top level one statement at a time, like notebook cells: a statement that raises (a
    missing package, a notebook cell calling an applier on a DataFrame that is not there) is recorded with
    its line, and the statements after it still run, so every LF that does not depend on it is defined.
    Returns what raised, as error infos."""
    problems = []
    file = codes[0][1].co_filename if codes else ""
    # Filled as the statements run, so a later statement's NameError is told its cause too.
    failed = _failed_imports[file] = {}
    more = []
    lfs_failed = None
    raised = {}
    for index, (line, code) in enumerate(codes):
        try:
            exec(code, namespace)
            if failed or lfs_failed is not None:
                stored = lf_statements.stored_names(code)
                for name in stored:
                    failed.pop(name, None)  # set after all (`try`-less fallbacks: `vectorizer = None`)
                if "lfs" in stored:
                    lfs_failed = None  # a later statement built the list after all: that one is the file's
        except BaseException as exc:  # noqa: BLE001 - the statement's problem, shown at its line
            info = _error_info(exc, user_files, "import")
            if info["line"] is None:
                info["line"] = line
            # The names the statement would have bound: an LF that uses one raises NameError, told why (the
            # import that failed, the `vectorizer = joblib.load(...)` whose file is not there).
            missing_package = info["kind"] == "missing-package"
            stored = lf_statements.stored_names(code)
            cause = (info["line"], info["message"], missing_package, missing_package)
            earlier = failed.get(getattr(exc, "name", None)) if isinstance(exc, NameError) else None
            if earlier is not None:
                # It raised for want of a name an earlier statement did not set: its names' cause is that one's.
                at, why, missing_package, _ = earlier
                cause = (info["line"], f"NameError: name '{exc.name}' is not defined because the top-level statement at line {at} raised: {why}", missing_package, False)
            for name in code.co_names if missing_package and earlier is None else stored:
                failed.setdefault(name, cause)
            if lf_statements.imports_star(code):
                # `from helpers import *` bound nothing: a name the file uses but never sets may have come from it.
                failed.setdefault("*", cause)
            if "lfs" in stored:
                lfs_failed = line  # a statement that builds the lfs list raised: the list is not the file's
            raised[index] = info
            if len(problems) < _MAX_PROBLEMS:
                problems.append(info)
            else:
                more.append(line)
    if more:
        problems.append({
            "kind": "import",
            "message": f"{len(more)} more top-level statements raised (lines {more[0]} to {more[-1]}), not shown; fix the ones above first: one missing import or package often causes the rest",
            "line": more[0],
            "traceback": None,
        })
    _failed_lfs_list[file] = lfs_failed
    _failed_statements[file] = raised
    return problems


_MAX_PROBLEMS = 50
# LFs one file may define (MAX_LFS in replySchema.ts).
_MAX_LFS = 2000
# Characters of one LF's name, and of all the file's names together (MAX_NAME, MAX_NAME_CHARS in replySchema.ts).
_MAX_NAME = 1000
_MAX_NAME_CHARS = 400_000
# Per file: the line of a top-level statement building its lfs list that raised, or None.
_failed_lfs_list = {}
# Per file: index of each top-level statement that raised -> its problem (the error info shown).
_failed_statements = {}


def _js_len(text):
    """A string's length as the parent counts it (UTF-16 units: an emoji is two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _file_error(error, problems):
    """prepare's reply for a file none of whose LFs can run: why, and the other failing statements beside it."""
    return _dumps({"fileError": error, "lfs": [], **({"problems": problems} if problems else {})}), None


def _is_lf(c):
    """Our LabelingFunction, or Snorkel's own (native runtime with Snorkel installed), given a line."""
    if isinstance(c, _snorkel.LabelingFunction):
        return True
    cls = type(c)
    if not (cls.__module__.startswith("snorkel.") and any(k.__name__ == "LabelingFunction" for k in cls.__mro__)):
        return False
    if not hasattr(c, "_lf_line"):
        code = getattr(getattr(c, "_f", None), "__code__", None)
        c._lf_line = code.co_firstlineno if code is not None and code.co_filename in _snorkel._user_files else 0
        for attr, default in (("_pre", []), ("_resources", {})):
            if not hasattr(c, attr):
                setattr(c, attr, default)
    return True


def _discover(module, file):
    """The module's LFs (lf_statements.module_lfs: values, list items, class attributes), in source order, but
    in the order of the file's `lfs` list when it has one (lf_statements.in_list_order) and no statement
    building it raised (then `lfs` holds an earlier list, or none: not the order the file meant; prepare says so)."""
    lfs = sorted(lf_statements.module_lfs(module, _is_lf), key=lambda lf: lf._lf_line)
    if _lfs_list_broken(module, file):
        return lfs
    return lf_statements.in_list_order(module, lfs, _is_lf)


def _lfs_list_broken(module, file):
    """Whether a statement that builds the module's `lfs` list raised (so what `lfs` holds is not the file's list)."""
    return _failed_lfs_list.get(file) is not None and "lfs" in vars(module)


def prepare(file, source, siblings_json, root=""):
    """Execute the file once. Returns (JSON text: its LFs (name, line) or the error that stops it, the unit).

    The unit, (file, source, siblings JSON, compiled statements, first execution), goes back to run_lf as is:
    the caller (the worker's JavaScript, or native_worker.py) holds it, not a Python global, and it is immutable
    down to the user's own objects, so nothing the file's code does can change what later LFs run.
    """
    lf_guard.restore(True)
    source = lf_statements.without_bom(source)
    _current["file"] = file
    if root:
        _workspace_roots[file] = root
    siblings = _loads(siblings_json) if siblings_json else {}
    user_files = frozenset([file])
    try:
        compile(source, file, "exec")  # the whole file's syntax errors, before any statement runs
        codes = _statement_codes(file, source)
    except SyntaxError as exc:
        return _dumps({"fileError": _error_info(exc, user_files, "syntax"), "lfs": []}), None
    except (RecursionError, MemoryError) as exc:
        # An expression too long or too deeply nested for the compiler (0+0+... a hundred thousand times).
        message = f"{type(exc).__name__}: {exc} (an expression in the file is too long or too deeply nested for Python's compiler: split it into smaller ones)"
        return _dumps({"fileError": {"kind": "syntax", "message": message, "line": None, "traceback": None}, "lfs": []}), None
    try:
        module, lfs, user_files, problems = _execute(file, source, siblings, codes)
    except BaseException as exc:  # noqa: BLE001 - anything the top level raises is the user's problem to see
        lf_guard.restore()
        return _dumps({"fileError": _error_info(exc, user_files, "import"), "lfs": []}), None
    # The interpreter is left as this execution made it: the first LF to run next may use it as is, exactly
    # the state a restore and a fresh execution would give it (run_lf with fresh=True).
    unit = (file, source, siblings_json, codes, (module, tuple(lfs), user_files))
    if not lfs and problems:
        # Nothing to run: the first failing statement is why; the others are still shown (one of them may be the
        # statement that builds the LFs, which the engine names).
        return _file_error(problems[0], problems[1:])
    if len(lfs) > _MAX_LFS:
        # The reply's own limit (replySchema.ts): said as the file's problem, not as a broken reply.
        message = f"the file defines {len(lfs)} labeling functions; at most {_MAX_LFS} are run from one file: split it into files of {_MAX_LFS} or fewer"
        return _file_error({"kind": "import", "message": message, "line": None, "traceback": None}, problems)
    long = next((lf for lf in lfs if not isinstance(lf.name, str) or _js_len(lf.name) > _MAX_NAME), None)
    if long is not None or sum(_js_len(lf.name) for lf in lfs) > _MAX_NAME_CHARS:
        # The reply's limits too (replySchema.ts), said as the file's problem.
        if long is None:
            message = f"the names of the file's labeling functions come to more than {_MAX_NAME_CHARS} characters; give them shorter names, or split the file"
        elif not isinstance(long.name, str):
            message = f"a labeling function's name is a {type(long.name).__name__}, not a string"
        else:
            message = f"the labeling function named {long.name[:40]!r}... has a name of {_js_len(long.name)} characters; LF Studio takes names of at most {_MAX_NAME}: give it a shorter name"
        line = getattr(long, "_lf_line", None)
        return _file_error({"kind": "import", "message": message, "line": line if type(line) is int and line > 0 else None, "traceback": None}, problems)
    lf_structure.name_undefined_lfs(file, source, lfs, _failed_statements.get(file))
    listed = _listed(module)
    if _lfs_list_broken(module, file):
        broken = _failed_lfs_list[file]
        # What `lfs` holds is an earlier list, or none: not the one the file meant. Every LF counts, and the
        # user is told why.
        listed = None
        problems = problems + [{
            "kind": "import",
            "message": f"the statement at line {broken} that builds the file's lfs list raised, so that list is not used: every LF of the file goes into the label model",
            "line": broken,
            "traceback": None,
        }]
    shadow = _snorkel_shadow(file, siblings)
    if shadow is not None:
        problems = problems + [{"kind": "import", "message": shadow, "line": None, "traceback": None}]
    entries = [
        {"name": lf.name, "line": lf._lf_line, **({} if listed is None else {"listed": id(lf) in listed}), **_defined_in(lf, file)}
        for lf in lfs
    ]
    return _dumps({"fileError": None, "lfs": entries, "problems": problems}), unit


def _snorkel_shadow(file, siblings):
    """What to say when the LF file, or a module beside it, is named snorkel: LF Studio gives `import snorkel`
    its own module, but Python run on the file (Snorkel's appliers, the exported job) imports the user's
    snorkel.py instead, and `from snorkel.labeling import ...` fails there. None otherwise."""
    path = file.replace("\\", "/")
    folder, base = path.rsplit("/", 1) if "/" in path else (".", path)
    if base == "snorkel.py":
        what = "this file is named snorkel.py, like the snorkel package"
        rename = "rename it, e.g. to snorkel_lfs.py"
    elif "snorkel" in siblings or (NATIVE and (os.path.isfile(f"{folder}/snorkel.py") or os.path.isfile(f"{folder}/snorkel/__init__.py"))):
        what = "a snorkel.py (or snorkel/ package) beside this file is named like the snorkel package"
        rename = "rename that one, e.g. to snorkel_helpers.py"
    else:
        return None
    return (
        f"{what}: Python run on this file (Snorkel, python3 {base}, the exported job) imports it for `import snorkel`, "
        "so `from snorkel.labeling import labeling_function` fails there (\"'snorkel' is not a package\"), though LF Studio, "
        f"which gives `import snorkel` its own module, runs it; {rename}"
    )


def _defined_in(lf, file):
    """{"definedIn": path} for an LF made by another .py file's top level (imported from another LF file,
    `from keyword_lfs import lf_check`, or from a helper module), even through a factory in a third file
    (make_keyword_lf in helpers.py): the engine counts an LF once per project."""
    origin = getattr(lf, "_lf_home", None)
    if origin is None:  # Snorkel's own LabelingFunction (the user's Python): where its function's code is
        origin = getattr(getattr(getattr(lf, "_f", None), "__code__", None), "co_filename", None)
    if isinstance(origin, str) and origin != file and origin.endswith(".py") and origin.startswith("/") and len(origin) <= 4096:
        return {"definedIn": origin}
    return {}


def _listed(module):
    """Ids of the LFs in the file's list for the applier (`lfs = [...]`, or one named like it: ALL_LFS;
    lf_statements.lf_list), what goes to the label model, or None when the file has no such list."""
    listed = lf_statements.lf_list(module, _is_lf)
    return {id(v) for v in listed} if listed else None


def run_lf(dataset, unit, fresh, index, name, cardinality, budget_s, _restore=lf_guard.restore, _clock=time.perf_counter, _dumps=_dumps, _loads=_loads, _b64=base64.b64encode, _restore_class=lf_guard.restore_class, _error_info=_error_info, _execute=_execute, _len=len, _map=map, _set=set, _bytes=bytes, _type=type, _repair=lf_row_class.repair_index, _iter=iter, _raised=_RAISED, _stop_iteration=_stop_iteration, _vote_types=_VOTE_TYPES, _fast_callable=_fast_callable, _stats=_Stats, _check_votes=_check_votes, _restore_nested=lf_nested.restore):
    """Apply LF number `index` (called `name`) of the unit's file to every row; JSON with votes (base64 int8).

    Stateless on purpose: the unit (what prepare returned) and the dataset come from the caller every time,
    so nothing an earlier LF left in Python can decide what this one runs on. Each LF runs in a fresh
    execution of the file, on state restored to start-up: with `fresh` (the caller's word that nothing has run
    since prepare) in the execution prepare left, else in a new one.
    """
    file, source, siblings_json, codes, first = unit
    if not fresh:
        first = None
        # Keeping, not freeing, what it replaces: nothing an earlier LF left may run in this frame.
        _restore(True)
    t0 = _clock()
    row_class, rows, row_class_items, nested = dataset
    # The file's top level (prepare) or an LF of another dataset may have assigned to this row class; and an
    # earlier LF (or its finalizer, run in _settle's collection) may have changed a nested value: put back here,
    # once, before this LF reads any.
    _restore_class(row_class, row_class_items, True)
    _repair(row_class)
    _restore_nested(nested)
    n = _len(rows)
    votes = bytearray(b"\xff") * n
    result = {"index": index, "votes": "", "errors": 0, "errorRows": [], "firstError": None, "noneCount": 0, "timedOut": False}
    try:
        module, lfs, user_files = first if first is not None else _execute(file, source, _loads(siblings_json) if siblings_json else {}, codes)[:3]
        lf = lfs[index] if index < len(lfs) else None
        if lf is None or lf.name != name:
            raise RuntimeError(f"the file defines different labeling functions each time it runs (expected {name} at position {index})")
    except BaseException as exc:  # noqa: BLE001
        result["firstError"] = _error_info(exc, frozenset([file]), "import")
        result["errors"] = n
        result["votes"] = _b64(bytes(votes)).decode()
        _settle(row_class, row_class_items)
        return _dumps(result)
    f = _fast_callable(lf)
    t_setup = _clock()
    stats = _stats(lf, cardinality, user_files)
    table = {v: v & 0xFF for v in range(-1, cardinality)}
    table[None] = 0xFF
    valid_values = frozenset(table)
    deadline = t0 + budget_s
    pos = 0
    chunk = 64
    try:
        while pos < n:
            part = rows[pos : pos + chunk]
            # Fast path: map in C over a chunk, then check the results in C. Each row goes to the LF once, as
            # in Snorkel's applier (an LF that counts its calls or draws random numbers sees every row once):
            # an exception stops the map at its row, which is that row's error, and the map goes on from the
            # next row; a chunk with an exception or an unusual value (a numpy int) is then checked row by row.
            res = []
            rest = _iter(part)
            size = _len(part)
            while _len(res) < size:
                try:
                    res.extend(_map(f, rest))
                except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt/SystemExit from an LF are its errors too
                    stats.error(pos + _len(res), lambda exc=exc: _error_info(exc, stats.user_files, "exception"))
                    res.append(_raised)
                    continue
                if _len(res) < size:
                    # A StopIteration the LF raised (next() on an empty iterator) ends map() as if the rows had
                    # run out: that row's error, and the map goes on from the next row.
                    stats.error(pos + _len(res), _stop_iteration)
                    res.append(_raised)
            if _set(_map(_type, res)) <= _vote_types and _set(res) <= valid_values:
                votes[pos : pos + _len(part)] = _bytes(_map(table.__getitem__, res))
                stats.none_count += res.count(None)
            else:
                _check_votes(res, pos, votes, stats)
            pos += _len(part)
            now = _clock()
            if now > deadline and pos < n:
                result["timedOut"] = True
                votes = bytearray(b"\xff") * n
                break
            # Grow chunks while they are quick, so a slow LF is still stopped close to its budget.
            if chunk < 4096 and now - t0 < budget_s / 4:
                chunk *= 2
    finally:
        t_loop = _clock()
        # Rows are immutable tuples, but __class__ can be swapped for a same-layout subclass: put it back.
        if _set(_map(_type, rows)) != {row_class}:
            for r in rows:
                if r.__class__ is not row_class:
                    r.__class__ = row_class
        # This LF's execution of the file is garbage from here on (unless it is prepare's, which the caller
        # holds), so its finalizers run in _settle, in this frame.
        module = lfs = user_files = lf = f = None
        stats.lf = stats.user_files = None
        _settle(row_class, row_class_items)
    # Where the time went (setup = state restore + module execution), for benchmarks and diagnostics.
    result["phasesMs"] = [round((t_setup - t0) * 1000, 1), round((t_loop - t_setup) * 1000, 1), round((_clock() - t_loop) * 1000, 1)]
    result.update(votes=_b64(bytes(votes)).decode(), errors=stats.errors, errorRows=stats.error_rows, firstError=stats.first_error, noneCount=stats.none_count)
    return _dumps(result)


def _settle(row_class, row_class_items, _restore=lf_guard.restore, _restore_class=lf_guard.restore_class, _collect=gc.collect, _freeze=gc.freeze, _purge=re.purge, _repair=lf_row_class.repair_index):
    """After an LF, in its own runner frame: put the shared state back, and leave nothing of the LF that can
    run later. An object's __del__ or weakref callback runs when the object is freed, and the cyclic collector
    frees garbage whenever allocations pass its threshold: inside a later LF's loop, where a finalizer could
    rewrite that LF's votes or code through the frames (frame.f_locals writes through from Python 3.13). So
    the LF's garbage is collected here, and what restoring frees is finalized here too; a second collection
    takes the garbage those finalizers left, and whatever remains goes into the collector's permanent
    generation, where nothing is finalized. Whatever they put back into the shared state, the next LF's
    restore keeps rather than frees (lf_restore._GRAVE). re's pattern cache, which restoring globals does not
    empty, is cleared: a pattern planted there under another's key would change what the next LF matches."""
    _collect()
    _restore()
    _purge()
    _restore_class(row_class, row_class_items)
    _repair(row_class)
    _collect()
    _freeze()
