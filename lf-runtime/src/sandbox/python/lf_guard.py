"""Containment inside the interpreter: the second layer, behind the locked-down OS process.

install() runs once at start-up. It removes the routes from Python to the JavaScript host (the `js` and
`pyodide_js` modules, pyodide's FFI, ctypes), installs an audit hook that refuses the operations an LF has
no business doing (processes, sockets, file writes, native code, replacing code of the runtime's own
functions and classes, heap walking, new audit hooks), and records the interpreter's shared state.
restore() puts that state back before and after every LF, so what one LF patches (builtins, `re`, the
snorkel module, sys hooks, recursion limit) is gone when the next one starts.
"""
import gc
import sys

# Modules user code may never import: bridges to JavaScript, native code, processes, sockets.
BLOCKED_MODULES = frozenset(
    [
        "js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "micropip", "ctypes", "_ctypes",
        "subprocess", "_posixsubprocess", "socket", "_socket", "ssl", "_ssl", "select", "selectors",
        "multiprocessing", "_multiprocessing", "mmap", "resource", "pty", "fcntl",
        "lf_guard", "lf_runner",
    ]
)

# Modules loaded at start-up so that LFs do not pay their import on every run; kept in the baseline.
PRELOADED = (
    "re", "string", "math", "collections", "json", "difflib", "unicodedata", "itertools", "functools",
    "operator", "datetime", "random", "statistics", "textwrap", "html", "urllib.parse", "typing", "dataclasses",
    "enum", "hashlib", "fractions", "decimal", "copy", "heapq", "bisect", "keyword", "numbers", "traceback",
    "linecache", "ast", "base64", "importlib.util", "types", "warnings", "time", "os", "posixpath", "io",
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


class SandboxViolation(PermissionError):
    """Raised for operations an LF may not perform."""


def _is_runtime_code(code):
    name = code.co_filename
    return name.startswith("/lib/") or name.startswith("<frozen")


def _make_hook(protected_type_ids, protected_modules, blocked, denied, write_flags, violation, is_runtime_code, stdlib_names):
    def hook(event, args):
        if event in denied:
            raise violation(f"{event} is not allowed in LF Studio's sandbox")
        if event == "open":
            path, mode, flags = args
            if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & write_flags):
                raise violation(f"writing files ({path!r}) is not allowed in LF Studio's sandbox")
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
    """Import what LFs commonly use, and the snorkel package; run before the memory snapshot is taken."""
    import importlib

    for name in PRELOADED + SNORKEL_MODULES:
        importlib.import_module(name)


SNORKEL_MODULES = (
    "snorkel", "snorkel._compat", "snorkel.labeling", "snorkel.labeling.lf", "snorkel.labeling.lf.nlp",
    "snorkel.labeling.model", "snorkel.preprocess", "snorkel.types",
)


def install():
    """Remove the bridges, preload common modules, install the audit hook, record the baseline.

    Returns the milliseconds each step took, for start-up diagnostics.
    """
    import time

    marks = [time.perf_counter()]
    preload()
    marks.append(time.perf_counter())
    # Drop every module that reaches JavaScript or native code; the JS side keeps what it needs.
    for name in list(sys.modules):
        if name.split(".")[0] in BLOCKED_MODULES - {"lf_guard", "lf_runner"}:
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
    # (dataset row classes are created in lf_runner). User classes stay editable.
    protected_modules = frozenset(sys.stdlib_module_names) | {"snorkel", "lf_runner", "lf_guard", "builtins"}
    # The runtime's own modules leave sys.modules (so `import lf_runner` is refused), but their globals are
    # still restored: the JavaScript side calls their functions, which keep their module dicts alive.
    own = tuple(sys.modules.pop(name) for name in ("lf_guard", "lf_runner") if name in sys.modules)
    marks.append(time.perf_counter())
    # restore() reads the baseline from its defaults (a tuple), which the audit hook protects from replacement.
    restore.__defaults__ = restore.__defaults__[:-1] + (_capture(own),)
    marks.append(time.perf_counter())
    sys.addaudithook(
        _make_hook(_protected_type_ids, protected_modules, BLOCKED_MODULES, _DENIED_EVENTS, _WRITE_FLAGS, SandboxViolation, _is_runtime_code, frozenset(sys.stdlib_module_names))
    )
    marks.append(time.perf_counter())
    return [round((b - a) * 1000, 1) for a, b in zip(marks, marks[1:])]


def bridges_closed():
    """Checks, after install(), that user code cannot import any route to JavaScript or native code."""
    import importlib

    for name in ("js", "pyodide_js", "pyodide.code", "pyodide.ffi", "_pyodide_core", "ctypes", "_ctypes"):
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        return False
    return True


def _capture(own_modules):
    modules = tuple(sys.modules.items())
    dicts = tuple((m, tuple(m.__dict__.items())) for m in [m for _, m in modules] + list(own_modules) if hasattr(m, "__dict__"))
    return (
        modules,
        dicts,
        tuple(sys.meta_path),
        tuple(sys.path),
        tuple(sys.path_hooks),
        tuple(gc.callbacks),
        sys.getrecursionlimit(),
        sys.stdout,
        sys.stderr,
        sys.stdin,
        tuple(sys.path_importer_cache.items()),
    )


def restore(_modules_dict=sys.modules, _meta_path=sys.meta_path, _path=sys.path, _path_hooks=sys.path_hooks, _gc_callbacks=gc.callbacks, _sys=sys, _base=None):
    """Put the interpreter's shared state back to the start-up baseline."""
    if _base is None:
        return
    modules, dicts, meta_path, path, path_hooks, callbacks, limit, out, err, inp, importer_cache = _base
    _modules_dict.clear()
    _modules_dict.update(modules)
    for mod, items in dicts:
        d = mod.__dict__
        d.clear()
        d.update(items)
    _meta_path[:] = meta_path
    _path[:] = path
    _path_hooks[:] = path_hooks
    _gc_callbacks[:] = callbacks
    _sys.path_importer_cache.clear()
    _sys.path_importer_cache.update(importer_cache)
    _sys.setrecursionlimit(limit)
    _sys.stdout, _sys.stderr, _sys.stdin = out, err, inp
    mon = getattr(_sys, "monitoring", None)
    if mon is not None:
        for tool in range(6):
            if mon.get_tool(tool) is not None:
                mon.free_tool_id(tool)
