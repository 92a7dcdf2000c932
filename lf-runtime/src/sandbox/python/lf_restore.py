"""The interpreter's shared state as it was at start-up, and putting it back: lf_guard.install() records the
baseline (capture) in restore()'s defaults, where the audit hook keeps it from being replaced, and the runner
calls restore() before and after every LF, and restore_class() for its dataset's row class. Part of the
runtime (one of lf_guard.RUNTIME_MODULES).
"""
import gc
import sys


def _classes_of(modules, owners):
    """The classes these modules hold whose defining module's top-level name is in `owners`, each with its
    attributes as they are now."""
    found = {}
    for module in modules:
        for value in list(getattr(module, "__dict__", {}).values()):
            if isinstance(value, type) and str(getattr(value, "__module__", "")).partition(".")[0] in owners:
                found.setdefault(id(value), value)
    return tuple((cls, tuple(cls.__dict__.items())) for cls in found.values())


def capture(own_modules, class_owners):
    """The baseline restore() puts back: sys.modules and every module's globals and class (`own_modules` too:
    the runtime's modules, which have left sys.modules), the attributes of the classes `class_owners` define, the
    import machinery, gc callbacks, recursion limit and standard streams."""
    modules = tuple(sys.modules.items())
    dicts = tuple((m, tuple(m.__dict__.items()), type(m)) for m in [m for _, m in modules] + list(own_modules) if hasattr(m, "__dict__"))
    return (
        modules,
        dicts,
        _classes_of([m for _, m in modules] + list(own_modules), class_owners),
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


_MISSING = object()


def _unchanged(d, items, _missing=_MISSING, _len=len):
    """Whether the dict (or class dict) `d` holds exactly `items`, each the very same object."""
    if _len(d) != _len(items):
        return False
    for k, v in items:
        if d.get(k, _missing) is not v:
            return False
    return True


# What restore(keep=True) and restore_class(keep=True) take out of the shared state, kept alive for the worker's
# life: freeing it would run an LF's __del__ or weakref callback inside the next LF's runner frame, whose locals
# a finalizer can rebind (frame.f_locals writes through from Python 3.13). The runner restores with keep=False
# at the end of an LF, in that LF's own frame, where finalizers may run.
_GRAVE = []


def restore_class(cls, items, keep=False, _set=type.__setattr__, _del=type.__delattr__, _missing=_MISSING, _unchanged=_unchanged, _error=Exception, _grave=_GRAVE, _tuple=tuple):
    """Put a class's attributes back to `items` (its own dict when the baseline was taken). Assigning a class
    attribute raises no audit event in this interpreter, so a change to the runtime's classes (the row class,
    snorkel's) cannot be refused as it happens: it is undone before the next LF runs. With `keep`, what it
    replaces is kept (_GRAVE), not freed."""
    d = cls.__dict__
    if _unchanged(d, items):
        return
    if keep:
        _grave.append(_tuple(d.values()))
    kept = {k for k, _ in items}
    for k in [k for k in d if k not in kept]:
        try:
            _del(cls, k)
        except _error:
            pass
    for k, v in items:
        if d.get(k, _missing) is not v:
            try:
                _set(cls, k, v)
            except _error:
                pass


def restore(keep=False, _modules_dict=sys.modules, _meta_path=sys.meta_path, _path=sys.path, _path_hooks=sys.path_hooks, _gc_callbacks=gc.callbacks, _sys=sys, _restore_class=restore_class, _grave=_GRAVE, _tuple=tuple, _unchanged=_unchanged, _type=type, _set_class=object.__setattr__, _base=None):
    """Put the interpreter's shared state back to the start-up baseline. With `keep`, what it replaces is kept
    (_GRAVE), not freed."""
    if _base is None:
        return
    modules, dicts, classes, meta_path, path, path_hooks, callbacks, limit, out, err, inp, importer_cache = _base
    if keep:
        _grave.append((_tuple(_modules_dict.values()), _tuple(_meta_path), _tuple(_path), _tuple(_path_hooks), _tuple(_gc_callbacks), _tuple(_sys.path_importer_cache.values()), _sys.stdout, _sys.stderr, _sys.stdin))
    _modules_dict.clear()
    _modules_dict.update(modules)
    for mod, items, cls in dicts:
        # A module's class first (`module.__class__ = M` is allowed, and M.__getattribute__ would answer every
        # later lookup on it, __dict__ included, for the LFs after this one).
        if _type(mod) is not cls:
            _set_class(mod, "__class__", cls)
        d = mod.__dict__
        if _unchanged(d, items):
            continue
        if keep:
            _grave.append(_tuple(d.values()))
        d.clear()
        d.update(items)
    for cls, items in classes:
        _restore_class(cls, items, keep)
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
