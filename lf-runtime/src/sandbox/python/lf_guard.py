"""Containment inside the interpreter: the second layer, behind the locked-down OS process.

install() runs once at start-up. It removes the routes from Python to the JavaScript host (the `js` and
`pyodide_js` modules, pyodide's FFI and import hooks, ctypes, every reference to a JavaScript object or an
FFI function left in module globals, `_imp.create_builtin` of the FFI core and other dangerous built-in
modules, constructing JavaScript errors), installs an audit hook that refuses the operations an LF has
no business doing (processes, sockets, file writes, native code, replacing code of the runtime's own
functions and classes, heap walking, new audit hooks), and records the interpreter's shared state.
bridges_closed() then checks every one of those routes and raises when one is open, so a regression stops
the worker's start-up. restore() (lf_restore.py) puts the shared state back before and after every LF, so
what one LF patches (builtins, `re`, the snorkel module and its classes, the row class, sys hooks, recursion
limit) is gone when the next one starts.
"""
import gc
import json
import sys

# restore() and restore_class() are what the runner calls; the baseline is recorded here, by install().
from lf_restore import capture, restore, restore_class  # noqa: F401
# Pyodide's bridges: what they are, closing them (install()) and checking that they are closed.
from lf_bridges import BLOCKED_BUILTINS, PYODIDE_MODULES, SandboxViolation, close_pyodide_routes
import lf_bridges

# The runtime's own modules: user code may not import them, and their classes and functions are protected.
RUNTIME_MODULES = frozenset(["lf_guard", "lf_restore", "lf_runner", "lf_apply", "lf_rows", "lf_row_class", "lf_nested", "lf_votes", "lf_statements", "lf_structure", "lf_ast", "lf_cache_markers", "lf_errors", "lf_bridges"])

# Whose classes restore() puts back before each LF (their attributes; assigning one raises no audit event in
# this pyodide): the runtime's, snorkel's, and those of the standard library that the runner itself goes
# through to import sibling files and report errors, so no LF can bend them for the file's later LFs.
RESTORED_CLASS_OWNERS = RUNTIME_MODULES | frozenset(["snorkel", "json", "traceback", "importlib", "_frozen_importlib", "_frozen_importlib_external"])

# Modules user code may never import: bridges to JavaScript, native code, processes, sockets.
BLOCKED_MODULES = (
    frozenset(
        [
            "ctypes", "subprocess", "socket", "ssl", "_ssl", "selectors", "multiprocessing", "_multiprocessing",
            "resource", "pty", "tracemalloc", "cProfile",
        ]
    )
    | RUNTIME_MODULES
    | PYODIDE_MODULES
    | BLOCKED_BUILTINS
)

# Modules loaded at start-up so that LFs do not pay their import on every run; kept in the baseline.
PRELOADED = (
    "re", "string", "math", "collections", "json", "difflib", "unicodedata", "itertools", "functools",
    "operator", "datetime", "random", "statistics", "textwrap", "html", "urllib.parse", "typing", "dataclasses",
    "enum", "hashlib", "fractions", "decimal", "copy", "heapq", "bisect", "keyword", "numbers", "traceback",
    "linecache", "ast", "base64", "importlib.util", "types", "warnings", "time", "os", "posixpath", "io",
    # Imported at the top of real LF files: once running, their import-time class set-up would be refused.
    "unittest", "csv", "pathlib", "logging", "pickle", "contextlib", "pprint", "argparse", "glob", "fnmatch",
)

_DENIED_EVENTS = frozenset(
    [
        "sys.addaudithook", "sys.settrace", "sys.setprofile", "sys._current_frames", "sys._current_exceptions",
        "gc.get_objects", "gc.get_referrers", "gc.get_referents", "code.__new__", "marshal.loads", "marshal.load",
        "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
        "os.forkpty", "os.kill", "os.killpg", "os.putenv", "os.unsetenv", "os.remove", "os.rename", "os.rmdir",
        "os.mkdir", "os.chmod", "os.chown", "os.link", "os.symlink", "os.truncate", "os.utime", "os.startfile",
        "os.chdir", "os.mkfifo", "os.mknod", "shutil.copyfile", "shutil.copymode", "shutil.copystat",
        "shutil.copytree", "shutil.move", "shutil.rmtree", "shutil.make_archive", "shutil.chown",
        "shutil.unpack_archive", "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname",
        "socket.__new__", "socket.sendto", "urllib.Request", "http.client.connect", "ftplib.connect",
        "smtplib.connect", "webbrowser.open", "ctypes.dlopen", "ctypes.dlsym", "ctypes.addressof",
        "ctypes.cdata", "ctypes.call_function", "ctypes.string_at", "ctypes.wstring_at", "ctypes.set_errno",
        "ctypes.get_errno", "ctypes.create_string_buffer", "ctypes.cdata/buffer", "ctypes.seh_exception",
        "sys.monitoring.register_callback", "sys.remote_exec", "cpython.run_command", "mmap.__new__",
        "sqlite3.connect", "sqlite3.enable_load_extension", "sqlite3.load_extension", "msvcrt.open_osfhandle",
    ]
)

# O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND on emscripten.
_WRITE_FLAGS = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000


def _is_runtime_code(code):
    name = code.co_filename
    return name.startswith("/lib/") or name.startswith("<frozen")


def _make_hook(protected_type_ids, protected_modules, blocked, denied, write_flags, violation, is_runtime_code, stdlib_names, listed):
    import os
    import pathlib

    getframe, getcwd, join, normpath = sys._getframe, os.getcwd, os.path.join, os.path.normpath
    # The path of a listing, read without running any code of the LF's: a str, or one of pathlib's own classes
    # exactly (whose methods no LF can replace); a subclass's __fspath__ or __str__ is never called here.
    path_types = frozenset([pathlib.Path, pathlib.PosixPath, pathlib.PurePath, pathlib.PurePosixPath])

    def hook(event, args):
        # Every socket operation (the name services too: gethostbyaddr, getnameinfo, ...) reaches the host.
        if event in denied or event.startswith("socket."):
            raise violation(f"{event} is not allowed in LF Studio's sandbox")
        if event == "open":
            path, mode, flags = args
            if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & write_flags):
                raise violation(f"writing files ({path!r}) is not allowed in LF Studio's sandbox")
        elif event == "os.listdir" or event == "os.scandir":
            # A folder the file lists (os.listdir, glob, pathlib), not the import system filling its cache:
            # the worker reports it, and the parent sends the folder's files (workspaceFiles.ts).
            if len(listed) < _MAX_LISTED and not getframe(1).f_code.co_filename.startswith("<frozen importlib"):
                arg = args[0]
                path = "." if arg is None else arg if type(arg) is str else str(arg) if type(arg) in path_types else None
                if path is not None:
                    listed.append(normpath(path if path.startswith("/") else join(getcwd(), path)))
        elif event == "import":
            top = args[0].split(".")[0]
            if top in blocked:
                raise ModuleNotFoundError(f"module '{args[0]}' is blocked in LF Studio's sandbox", name=args[0])
        elif event == "object.__setattr__" or event == "object.__delattr__":
            target = args[0]
            if isinstance(target, type):
                if id(target) in protected_type_ids or getattr(target, "__module__", "").split(".")[0] in protected_modules:
                    raise violation(f"changing {target.__qualname__}.{args[1]} is not allowed in LF Studio's sandbox")
            else:
                code = getattr(target, "__code__", None)
                if code is not None and is_runtime_code(code):
                    raise violation(f"changing {args[1]} of a runtime function is not allowed in LF Studio's sandbox")

    return hook


_protected_type_ids = set()
# The folders LF code listed since start-up (each worker serves one unit), at most _MAX_LISTED.
_listed = []
_MAX_LISTED = 256


def listed_folders(_dumps=json.dumps):
    """The folders LF code listed (absolute paths) as a JSON list, for the worker's `missed` reply."""
    return _dumps(_listed)


class _BlockedFinder:
    """First entry of sys.meta_path: blocked modules are never found, whatever route imports them."""

    def __init__(self, blocked):
        self._blocked = blocked

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self._blocked:
            raise ModuleNotFoundError(f"module '{name}' is blocked in LF Studio's sandbox", name=name)
        return None


class _Discard:
    """Where LF output goes: printing is allowed, and costs nothing beyond the LF's own time."""

    def write(self, text):
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False


def protect_type(cls):
    """Classes the runtime creates later (dataset rows) get the same protection as stdlib classes."""
    _protected_type_ids.add(id(cls))


def preload():
    """Import what LFs commonly use, the snorkel package and every built-in module that is not blocked (after
    install() no built-in module can be created any more); run before the memory snapshot is taken."""
    import importlib

    for name in PRELOADED + SNORKEL_MODULES:
        importlib.import_module(name)
    for name in sys.builtin_module_names:
        if name not in BLOCKED_BUILTINS and name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a module that cannot start here is simply not available to LFs
                pass


# Every module of the snorkel stand-in (python/snorkel/): the snapshot keeps imported modules, not files.
SNORKEL_MODULES = (
    "snorkel", "snorkel._compat", "snorkel.labeling", "snorkel.labeling.lf", "snorkel.labeling.lf.nlp",
    "snorkel.labeling.model", "snorkel.labeling.model.label_model", "snorkel.labeling.model.baselines",
    "snorkel.labeling.apply", "snorkel.labeling.apply.core", "snorkel.labeling.apply.pandas",
    "snorkel.labeling.apply.dask", "snorkel.labeling.apply.spark", "snorkel.labeling.analysis",
    "snorkel.preprocess", "snorkel.preprocess.nlp", "snorkel.labeling.preprocess", "snorkel.types", "snorkel.analysis", "snorkel.utils",
    "snorkel.labeling.lf.core", "snorkel.labeling.utils", "snorkel.preprocess.core", "snorkel.map", "snorkel.map.core",
)


def install():
    """Remove the bridges, preload common modules, install the audit hook, record the baseline.

    Returns the milliseconds each step took, for start-up diagnostics.
    """
    import time

    marks = [time.perf_counter()]
    preload()
    marks.append(time.perf_counter())
    # Every module loaded so far, including those about to leave sys.modules: their globals stay reachable
    # through their functions and classes. (pyodide_js is a JavaScript object posing as a module.)
    import builtins
    import types

    loaded = list({id(m): m for m in list(sys.modules.values()) + [builtins] if type(m) is types.ModuleType}.values())
    close_pyodide_routes(loaded, sys.modules.get("_pyodide_core"))
    # Drop every module that reaches JavaScript or native code; the JS side keeps what it needs.
    for name in list(sys.modules):
        if name.split(".")[0] in BLOCKED_MODULES - RUNTIME_MODULES:
            del sys.modules[name]
    # asyncio's pyodide event loop holds JavaScript timers; LFs get no event loop at all.
    for name in list(sys.modules):
        if name == "asyncio" or name.startswith("asyncio."):
            del sys.modules[name]
    import os

    # pyodide fills in a few variables of its own (and the worker's path): LFs see an empty environment.
    os.environ.clear()
    sys.stdout = sys.stderr = _Discard()

    # The audit "import" event only covers the import statement; importlib.import_module goes through
    # sys.meta_path, so refuse blocked names there too.
    sys.meta_path.insert(0, _BlockedFinder(BLOCKED_MODULES))

    # Classes are protected by the module that defines them: the standard library, snorkel and the runtime
    # (dataset row classes are created in lf_rows). User classes stay editable.
    protected_modules = frozenset(sys.stdlib_module_names) | {"snorkel", "builtins"} | RUNTIME_MODULES | PYODIDE_MODULES
    # The runtime's own modules leave sys.modules (so `import lf_runner` is refused), but their globals are
    # still restored: the JavaScript side calls their functions, which keep their module dicts alive.
    own = tuple(sys.modules.pop(name) for name in sorted(RUNTIME_MODULES) if name in sys.modules)
    marks.append(time.perf_counter())
    # restore() reads the baseline from its defaults (a tuple), which the audit hook protects from replacement.
    restore.__defaults__ = restore.__defaults__[:-1] + (capture(own, RESTORED_CLASS_OWNERS),)
    # Start-up objects live as long as the worker: out of the collector's way, so the collection after each LF
    # (lf_runner._settle) looks only at what LFs made.
    gc.freeze()
    marks.append(time.perf_counter())
    sys.addaudithook(
        _make_hook(_protected_type_ids, protected_modules, BLOCKED_MODULES, _DENIED_EVENTS, _WRITE_FLAGS, SandboxViolation, _is_runtime_code, frozenset(sys.stdlib_module_names), _listed)
    )
    marks.append(time.perf_counter())
    return [round((b - a) * 1000, 1) for a, b in zip(marks, marks[1:])]


def open_routes():
    """After install(): every route from user code to JavaScript or native code that is still open
    (lf_bridges.open_routes), as short descriptions; empty when all are closed."""
    return lf_bridges.open_routes(BLOCKED_MODULES - RUNTIME_MODULES)


def bridges_closed():
    """True when no route to JavaScript or native code is open after install(); raises RuntimeError naming the
    open routes otherwise, so that a regression stops the worker's start-up instead of passing silently."""
    return lf_bridges.bridges_closed(BLOCKED_MODULES - RUNTIME_MODULES)
