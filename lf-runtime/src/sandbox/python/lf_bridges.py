"""Pyodide's routes from Python to JavaScript and native code, closed and checked: the guard's first task
(lf_guard.install() calls close_pyodide_routes(); the worker's start-up calls lf_guard.bridges_closed(), which
runs open_routes() here). Part of the runtime (lf_guard imports it); user code cannot import it.
"""
import sys

# Built-in modules of this pyodide build (sys.builtin_module_names) that _imp.create_builtin refuses after
# install(), and that leave sys.modules: the FFI core (JavaScript), ctypes (native calls into the wasm module
# and host JavaScript), the event loop (pyodide runs it on JavaScript timers: _asyncio hands out the running
# loop), processes, sockets and raw file descriptors, CPython's test modules (raw C-API and memory access),
# remote debugging, and hooks into the interpreter's own execution (allocation tracing, profiler, fault
# handler). Every other built-in module is imported at start-up and handed out as that same module object.
BLOCKED_BUILTINS = frozenset(
    [
        "_pyodide_core", "_ctypes", "_asyncio", "_posixsubprocess", "_socket", "select", "mmap", "fcntl", "termios",
        "_testcapi", "_testinternalcapi", "_testlimitedcapi", "_testbuffer", "_testclinic", "_testclinic_limited",
        "_xxtestfuzz", "xxsubtype", "_remote_debugging", "_tracemalloc", "_lsprof", "faulthandler",
    ]
)

# The built-in modules that are bridges themselves: to JavaScript, and to native code. Nothing may keep a
# reference to them or to their functions (the other blocked built-ins are refused by the audit hook).
BRIDGE_BUILTINS = frozenset(["_pyodide_core", "_ctypes"])

# Top-level names of the Python side of pyodide and its JavaScript modules: their import hooks are removed,
# their classes are protected like the standard library's, and module globals that refer to them are cleared.
PYODIDE_MODULES = frozenset(["js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "micropip"])


class SandboxViolation(PermissionError):
    """Raised for operations an LF may not perform. Messages name it `SandboxViolation`, without the runtime's
    module (lf_errors.exception_text); its __module__ stays this module's, so the sandbox puts its attributes
    back after each LF like the rest of the runtime's classes."""



_HEAPTYPE = 1 << 9
_IMMUTABLETYPE = 1 << 8

# Top-level names of the modules no reference may lead to once install() has run.
_BRIDGE_TOPS = PYODIDE_MODULES | {"ctypes", "_ctypes"}

# Filled by install() for open_routes(): the FFI's C base class of JavaScript objects (JsProxy) and the classes
# defined by pyodide's Python modules. Never the core module itself: whatever is kept here is readable through
# the globals of this module's functions (the classes are reachable anyway, through object.__subclasses__()).
_ffi = {"base": None, "classes": ()}


def _subclasses(root=object):
    """Every class derived from `root`, found through __subclasses__() as user code can find them."""
    found = [root]
    seen = {id(root)}
    for cls in found:  # grows while it is walked
        try:
            subs = type.__subclasses__(cls)
        except TypeError:
            continue
        found.extend([sub for sub in subs if id(sub) not in seen and not seen.add(id(sub))])
    return found[1:]


def _js_proxy_base(core):
    """The FFI's C base class of every JavaScript object (pyodide.ffi.JsProxy as the core defines it)."""
    exc = getattr(core, "JsException", None) if core is not None else None
    for cls in getattr(exc, "__mro__", ()):
        if cls.__name__ == "JsProxy" and not cls.__flags__ & _HEAPTYPE:
            return cls
    return None


def _js_types(js_base):
    """The classes of JavaScript objects: the FFI's C base class and every class derived from it."""
    return frozenset(_subclasses(js_base) + [js_base]) if js_base is not None else frozenset()


def _top(name):
    return name.partition(".")[0] if type(name) is str else ""


def _bridge_keys(namespace, js_types, _module=type(sys), _builtin=type(len), _tops=_BRIDGE_TOPS, _cores=BRIDGE_BUILTINS):
    """Keys of a namespace whose values lead to JavaScript or native code: JavaScript objects, modules of
    pyodide or ctypes, and functions of the FFI core or of _ctypes. A single comprehension: it runs over the
    globals of every module at start-up."""
    return [
        k
        for k, v in list(namespace.items())
        if type(v) in js_types
        or (type(v) is _module and _top(v.__dict__.get("__name__")) in _tops)
        or (type(v) is _builtin and type(owner := v.__self__) is _module and owner.__dict__.get("__name__") in _cores)
    ]


def _defined_by_pyodide(value, _function=type(_top)):
    """A Python function that runs in the globals of one of pyodide's modules (functools.wraps copies the
    __module__ of what it wraps, so the globals tell)."""
    return type(value) is _function and _top(value.__globals__.get("__name__")) in PYODIDE_MODULES


def _pyodide_function_keys(namespace, _function=type(_top)):
    """Keys of a namespace (not pyodide's own) whose values are functions pyodide defined: pyodide replaces
    some functions of the standard library with its own, which call into JavaScript (time.sleep)."""
    return [
        k
        for k, v in list(namespace.items())
        if type(v) is _function and v.__globals__ is not namespace and _top(v.__globals__.get("__name__")) in PYODIDE_MODULES
    ]


def _from_pyodide(entry, _function=type(_top)):
    """An import hook (finder class or instance, path hook) that pyodide installed."""
    owner = entry if isinstance(entry, type) or type(entry) is _function else type(entry)
    return _top(getattr(owner, "__module__", None)) in PYODIDE_MODULES


def _refuse_js_construction(cls, *args, **kwargs):
    raise SandboxViolation("creating JavaScript objects is not allowed in LF Studio's sandbox")


def _make_create_builtin(modules, blocked, builtin_names):
    """_imp.create_builtin after install(): hands out the built-in modules imported at start-up (as the same
    module objects, which restore() resets with the others) and refuses the rest. It keeps no reference to
    the original function, which is dropped: nothing can create a built-in module any more."""

    def create_builtin(spec):
        name = spec.name
        if type(name) is not str:
            raise TypeError("spec.name must be a str")
        if name in blocked:
            raise ModuleNotFoundError(f"built-in module '{name}' is blocked in LF Studio's sandbox", name=name)
        for known, module in modules:
            if known == name:
                return module
        if name in builtin_names:
            raise ModuleNotFoundError(f"built-in module '{name}' is not available in LF Studio's sandbox", name=name)
        raise ModuleNotFoundError(f"no built-in module named '{name}'", name=name)

    return create_builtin


def _refuse_create_dynamic(spec, file=None):
    raise ImportError("loading extension modules is not allowed in LF Studio's sandbox")


def close_pyodide_routes(modules, core):
    """Close what pyodide leaves open to Python code once `js`/`pyodide_js` are unregistered and its modules
    have left sys.modules. `modules`: every module object loaded so far; they stay reachable through the
    globals of their functions and classes, which object.__subclasses__() finds."""
    import _imp
    import shutil

    js_base = _js_proxy_base(core)
    js_types = _js_types(js_base)
    _ffi["base"] = js_base

    # Import hooks: pyodide's JsFinder serves registered JavaScript objects as modules (and, below a module
    # that is a JavaScript object, any attribute of it); its other finder rewrites paths. Neither has a use.
    for entry in list(sys.meta_path):
        if _from_pyodide(entry):
            proxies = getattr(entry, "jsproxies", None)
            if type(proxies) is dict:
                proxies.clear()
            sys.meta_path.remove(entry)
    sys.path_hooks[:] = [hook for hook in sys.path_hooks if not _from_pyodide(hook)]
    for key, finder in list(sys.path_importer_cache.items()):
        if (finder is not None and _from_pyodide(finder)) or _top(str(key).rstrip("/").rpartition("/")[2]) in PYODIDE_MODULES:
            del sys.path_importer_cache[key]

    # Standard-library functions pyodide replaced with its own (time.sleep, asyncio.run: both go through its
    # JavaScript event loop) get back the originals they wrap. pyodide's own classes are noted for the check.
    classes = []
    for module in modules:
        d = module.__dict__
        if _top(d.get("__name__")) in PYODIDE_MODULES:
            classes += [v for v in list(d.values()) if isinstance(v, type) and _top(getattr(v, "__module__", None)) in PYODIDE_MODULES]
            continue
        for key in _pyodide_function_keys(d):
            wrapped = getattr(d[key], "__wrapped__", None)
            if callable(wrapped) and not _defined_by_pyodide(wrapped):
                d[key] = wrapped
    _ffi["classes"] = tuple({id(c): c for c in classes + list(js_types)}.values())
    # The wheel format pyodide registers with shutil runs its package loader (which holds JavaScript objects).
    for unregister in (shutil.unregister_archive_format, shutil.unregister_unpack_format):
        try:
            unregister("whl")
        except Exception:  # noqa: BLE001 - not registered in this build
            pass
    registry = getattr(sys.modules.get("typing"), "_overload_registry", None)
    if isinstance(registry, dict):
        for key in [k for k in registry if _top(k) in PYODIDE_MODULES]:
            del registry[key]

    # Module globals: no JavaScript object, FFI function or pyodide module stays in any module's namespace,
    # and so none is reachable from a function defined there (function.__globals__ is readable).
    for module in modules:
        d = module.__dict__
        if d.get("__name__") not in BRIDGE_BUILTINS:
            for key in _bridge_keys(d, js_types):
                del d[key]

    # Classes of JavaScript objects stay reachable through object.__subclasses__(); the one whose constructor
    # makes a JavaScript object (JsException makes a JS Error) no longer constructs anything.
    for cls in js_types:
        if "__new__" in cls.__dict__ and cls.__flags__ & _HEAPTYPE and not cls.__flags__ & _IMMUTABLETYPE:
            type.__setattr__(cls, "__new__", staticmethod(_refuse_js_construction))

    # _imp.create_builtin makes a new module from the interpreter's table of built-in modules, whatever
    # sys.modules and the finders say (it made _pyodide_core and _ctypes): replace it, dropping the original.
    # Extension modules (.so) have no place here either.
    names = frozenset(sys.builtin_module_names)
    created = tuple((name, sys.modules[name]) for name in sorted(names - BLOCKED_BUILTINS) if name in sys.modules)
    _imp.create_builtin = _make_create_builtin(created, BLOCKED_BUILTINS, names)
    _imp.create_dynamic = _refuse_create_dynamic


def _check_imports(found):
    """Importing a bridge, by every route user code has."""
    import importlib
    import importlib.util

    routes = (("import", __import__), ("importlib.import_module", importlib.import_module), ("importlib.util.find_spec", importlib.util.find_spec))
    names = ("js", "pyodide_js", "pyodide", "pyodide.code", "pyodide.ffi", "_pyodide", "_pyodide._base", "micropip", "ctypes")
    for name in names + tuple(sorted(BLOCKED_BUILTINS)):
        for how, route in routes if name in names or name in BRIDGE_BUILTINS else routes[1:2]:
            try:
                result = route(name)
            except ImportError:
                continue
            except Exception as exc:  # noqa: BLE001 - not refused: e.g. find_spec of a module in sys.modules
                found.append(f"{how}({name!r}) is not refused ({type(exc).__name__}: {exc})")
                continue
            if result is not None:
                found.append(f"{how}({name!r}) succeeds")


def _check_builtin_creation(found):
    """Blocked built-in modules created from the interpreter's own table; extension modules loaded."""
    import _imp
    from importlib.machinery import BuiltinImporter, ModuleSpec

    attempts = [("_imp.create_builtin", _imp.create_builtin, name) for name in sorted(BLOCKED_BUILTINS)]
    attempts += [("BuiltinImporter.create_module", BuiltinImporter.create_module, name) for name in sorted(BRIDGE_BUILTINS)]
    for how, create, name in attempts:
        try:
            create(ModuleSpec(name, BuiltinImporter, origin="built-in"))
        except ImportError:
            continue
        found.append(f"{how} creates {name}")
    try:
        _imp.create_dynamic(ModuleSpec("_lf_probe", None, origin="/lib/python3/lib-dynload/_lf_probe.so"))
    except ImportError:
        pass
    else:
        found.append("_imp.create_dynamic loads extension modules")


def _check_import_machinery(found, js_types, blocked_modules):
    """pyodide's finders and hooks, and bridge modules left in sys.modules."""
    caches = (("sys.meta_path", sys.meta_path), ("sys.path_hooks", sys.path_hooks), ("sys.path_importer_cache", list(sys.path_importer_cache.values())))
    for where, entries in caches:
        for entry in entries:
            if entry is not None and _from_pyodide(entry):
                found.append(f"{where} holds {entry!r}")
    names = [name for name in list(sys.modules) if _top(name) in blocked_modules]
    for name in dict.fromkeys(names + _bridge_keys(sys.modules, js_types)):
        found.append(f"sys.modules[{name!r}] is importable")


def _check_reachable(found, js_types, classes):
    """What is reachable without importing anything, where pyodide leaves references: the globals of every
    module in sys.modules, the registries it adds to, and for each of its classes (noted by install(); user
    code finds them through object.__subclasses__()) the namespace and the globals, closures and defaults of
    its functions, all readable attributes. The test suite walks everything reachable from all classes and
    modules; that is too slow for every start-up."""
    import builtins
    import shutil
    import types

    function = types.FunctionType
    seen = set()

    def scan(where, namespace, stdlib=False):
        for key in _bridge_keys(namespace, js_types):
            found.append(f"{where}[{key!r}] leads to JavaScript or native code")
        for key in _pyodide_function_keys(namespace) if stdlib else ():
            found.append(f"{where}[{key!r}] is pyodide's {namespace[key].__qualname__}")

    for module in list(sys.modules.values()) + [builtins]:
        if type(module) is types.ModuleType and id(module.__dict__) not in seen:
            seen.add(id(module.__dict__))
            name = module.__dict__.get("__name__")
            scan(name, module.__dict__, _top(name) not in PYODIDE_MODULES)
    for fmt in [f[0] for f in shutil.get_archive_formats()] + [f[0] for f in shutil.get_unpack_formats()]:
        if fmt == "whl":
            found.append("shutil's whl format runs pyodide's package loader")
    registry = getattr(sys.modules.get("typing"), "_overload_registry", {})
    for key in [k for k in registry if _top(k) in PYODIDE_MODULES]:
        found.append(f"typing's overload registry holds pyodide's {key}")

    for cls in classes:
        where = f"{cls.__module__}.{cls.__qualname__}"
        namespace = type.__getattribute__(cls, "__dict__")
        scan(where, namespace)
        for key, value in list(namespace.items()):
            if type(value) in (staticmethod, classmethod):
                value = value.__func__
            for fn in (value.fget, value.fset, value.fdel) if type(value) is property else (value,):
                if type(fn) is not function:
                    continue
                if id(fn.__globals__) not in seen:
                    seen.add(id(fn.__globals__))
                    scan(f"{where}.{key}.__globals__", fn.__globals__)
                cells = {}
                for i, cell in enumerate(fn.__closure__ or ()):
                    try:
                        cells[i] = cell.cell_contents
                    except ValueError:
                        pass
                scan(f"{where}.{key}.__closure__", cells)
                scan(f"{where}.{key}.__defaults__", dict(enumerate(fn.__defaults__ or ())))
                scan(f"{where}.{key}.__kwdefaults__", fn.__kwdefaults__ or {})


def _check_js_construction(found, js_types):
    """Classes of JavaScript objects are reachable through __subclasses__(): none may produce an instance,
    called or through any __new__ of its bases."""
    for cls in js_types:
        makers = [cls] + [c.__dict__["__new__"] for c in cls.__mro__ if "__new__" in c.__dict__]
        for maker in makers:
            for args in ((), ("Error", "probe")):
                try:
                    made = maker(*args) if maker is cls else maker(cls, *args)
                except Exception:  # noqa: BLE001 - refused, whatever the error
                    continue
                if type(made) in js_types:
                    found.append(f"{cls.__qualname__} can be constructed ({getattr(maker, '__qualname__', maker)})")


def open_routes(blocked_modules):
    """After install(): every route from user code to JavaScript or native code that is still open, as short
    descriptions (empty when all are closed). Covers what a labeling function could try: importing a bridge
    by any route, creating a blocked built-in module or loading an extension module, pyodide's import hooks,
    sys.modules, module globals, what pyodide's classes reach (user code finds them through
    object.__subclasses__()), and constructing the classes of JavaScript objects. `blocked_modules`: top-level
    names no entry of sys.modules may have."""
    found = []
    js_types = _js_types(_ffi["base"])
    if not js_types:
        found.append("pyodide's FFI core was not found at install(), so the classes of JavaScript objects are unknown")
    _check_imports(found)
    _check_builtin_creation(found)
    _check_import_machinery(found, js_types, blocked_modules)
    _check_reachable(found, js_types, _ffi["classes"])
    _check_js_construction(found, js_types)
    return found


def bridges_closed(blocked_modules):
    """Checks, after install(), that no route to JavaScript or native code is open (see open_routes()).

    Returns True when all are closed, and raises RuntimeError naming the open routes otherwise, so that a
    regression stops the worker's start-up instead of passing silently.
    """
    found = open_routes(blocked_modules)
    if found:
        raise RuntimeError("routes to JavaScript or native code are open in LF Studio's sandbox: " + "; ".join(found[:20]))
    return True
