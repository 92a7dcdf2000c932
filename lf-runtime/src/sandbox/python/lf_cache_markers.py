"""The cache-key markers of the `parse` request (lf_structure.parse_structure): what each top-level statement
of an LF file reaches besides the names it mentions, for the parent's per-LF cache keys (cacheKeys.ts).
Executes nothing. Part of the runtime (lf_structure imports it).
"""
import ast

from lf_ast import LF_CLASSES, LF_DECORATORS, bound_by, bound_names, named


def statement_markers(tree, lf_decorators):
    """A function (statement, names it mentions) -> its markers, for the top-level statements of `tree`;
    `lf_decorators` are the names the labeling_function decorators go by in the file. It adds to the names
    mentioned those that getattr/attrgetter look up by a constant string."""
    routes = _structure_route_names(tree)
    keepers = _structure_keepers(tree)
    containers = _structure_containers(tree, keepers)

    def markers_of(stmt, mentioned):
        return _structure_markers(stmt, lf_decorators, routes, mentioned) | _structure_flow(stmt, keepers, containers, mentioned)
    return markers_of


# --------------------------------------------------------------------------------------------------------
# Markers for the parent's cache keys (cacheKeys.ts), added to a statement's "uses" before its names. Each
# starts with "?", so none is a Python name:
#   ?dynamic:<route>  the statement reaches names in a way its names do not show: globals(), vars(), locals(),
#                     eval/exec/compile, __import__, importlib, inspect, gc, builtins, frames, __dict__,
#                     __globals__, sys.modules, getattr or operator.attrgetter with a name built at run time
#                     (on anything but a parameter of the function it is in)
#   ?header:<route>   the same in what runs when a top-level def or class is defined (decorators, defaults,
#                     annotations, bases)
#   ?exposed          a top-level def or class with a decorator other than labeling_function: the decorator
#                     may put the function where code that never names it finds it (a registry)
#   ?writes           a function in it changes state outside its own scope (global/nonlocal, assignments to
#                     attributes or items of outer names, mutating methods on them, setattr): what it leaves
#                     behind may reach other functions
#   ?import:<module>  a module it imports ("." prefixes as written; `from m import n` gives m and m.n)
#   ?stores:<name>    (a statement that runs at import) the name is only kept there, never called or used:
#                     an element of a list/tuple/set/dict display, the value assigned, an argument of
#                     Snorkel's LabelingFunction/labeling_function/appliers, of dict/list/tuple/set/frozenset,
#                     or of append/extend/insert/add/update on a list or dict of the file (`lfs = [a, b]`,
#                     `lfs = [a, b] + more`, `lfs.append(a)`), read through an attribute or a comprehension
#                     that calls nothing; only displays and plain assignment when the file defines a class
#   ?into:<name>      (a statement that runs at import, when its names could be sorted so) the names through
#                     which what it keeps can be reached later: the names it binds, the list or dict it adds
#                     to; they are not used at import. Without ?into/?stores, every name counts as used.
#   ?runs:<name>      (a top-level def) a name its header uses at import other than by keeping it (decorators,
#                     what they call; defaults and the decorator's arguments are kept, not run)
#   ?many             too many names or markers to list: the parent keys every LF by the whole file
# --------------------------------------------------------------------------------------------------------

_DYNAMIC_NAMES = frozenset((
    "globals", "vars", "locals", "eval", "exec", "compile", "__import__", "__builtins__", "breakpoint",
    # what `from importlib import *`, `from inspect import *` or `from gc import *` bring
    "import_module", "currentframe", "getmembers", "get_objects", "get_referrers",
))
_DYNAMIC_MODULES = frozenset(("importlib", "inspect", "gc", "builtins", "runpy", "pkgutil", "imp"))
_DYNAMIC_FROM = {"sys": frozenset(("modules", "_getframe", "_current_frames", "exc_info", "exception"))}
_DYNAMIC_ATTRS = frozenset((
    "__dict__", "__globals__", "__builtins__", "f_globals", "f_locals", "f_back", "f_builtins", "tb_frame",
    "gi_frame", "cr_frame", "ag_frame", "_getframe", "_current_frames", "currentframe", "modules",
    "get_objects", "get_referrers", "get_referents", "import_module", "__import__", "__getattribute__",
))
_GETTERS = frozenset(("attrgetter", "methodcaller"))
_MUTATORS = frozenset((
    "append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "remove", "discard", "clear",
    "sort", "reverse", "appendleft", "extendleft", "__setitem__", "__delitem__", "__setattr__", "__delattr__", "seed",
))


def _structure_route_names(tree):
    """Names that reach other names dynamically in this file: the builtins and modules above, and what the
    file binds to them (`import inspect as i`, `from importlib import import_module`, `from sys import
    modules`, `from builtins import globals`)."""
    names = set(_DYNAMIC_NAMES) | set(_DYNAMIC_MODULES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in _DYNAMIC_MODULES:
                    names.add(a.asname or a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            top = node.module.split(".")[0]
            for a in node.names:
                if top in _DYNAMIC_MODULES or a.name in _DYNAMIC_FROM.get(node.module, ()) or a.name == "*" and node.module in _DYNAMIC_FROM:
                    names.add(a.asname or a.name)
    return frozenset(names)


def _structure_markers(stmt, lf_decorators, routes, mentioned):
    """The cache-key markers of one top-level statement (see above). Adds to `mentioned` the names that
    getattr/attrgetter look up by a constant string."""
    markers = set()
    try:
        for route in _structure_routes([stmt], routes, mentioned):
            markers.add("?dynamic:" + route)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if isinstance(stmt, ast.ClassDef):
                header = [*stmt.decorator_list, *stmt.bases, *(k.value for k in stmt.keywords)]
            else:
                args = stmt.args
                every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
                header = [*stmt.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d is not None),
                          *(a.annotation for a in every if a.annotation is not None), *([stmt.returns] if stmt.returns else [])]
            for route in _structure_routes(header, routes, mentioned):
                markers.add("?header:" + route)
            if any(not named(d, lf_decorators, LF_DECORATORS) for d in stmt.decorator_list):
                markers.add("?exposed")
            if not isinstance(stmt, ast.ClassDef) and _structure_writes(stmt):
                markers.add("?writes")
        for node in ast.walk(stmt):
            if isinstance(node, ast.Import):
                markers.update("?import:" + a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                module = "." * (node.level or 0) + (node.module or "")
                if node.module:
                    markers.add("?import:" + module)
                for a in node.names:
                    if a.name != "*":
                        markers.add("?import:" + (f"{module}.{a.name}" if node.module else module + a.name))
    except RecursionError:
        markers.add("?many")
    return markers


def _structure_routes(nodes, routes, mentioned):
    """The dynamic routes in `nodes` (names of what was found). getattr(obj, name) and attrgetter(name)
    count when the name is not a constant, unless obj is a parameter of an enclosing function (the row)."""
    found = set()
    stack = [(n, frozenset()) for n in nodes]
    while stack:
        node, params = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            own = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]}
            inner = params | own
            body = [node.body] if isinstance(node, ast.Lambda) else node.body
            stack.extend((n, inner) for n in body)
            header = [*getattr(node, "decorator_list", ()), *args.defaults, *(d for d in args.kw_defaults if d is not None),
                      *(a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs if a.annotation is not None),
                      *([node.returns] if getattr(node, "returns", None) else [])]
            stack.extend((n, params) for n in header)
            continue
        if isinstance(node, ast.Call):
            func = node.func
            callee = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if callee == "getattr" and isinstance(func, ast.Name) and len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
                name = node.args[1]
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    if name.value.isidentifier() and len(name.value) <= 200:
                        mentioned.add(name.value)
                elif not (isinstance(node.args[0], ast.Name) and node.args[0].id in params):
                    found.add("getattr")
                stack.extend((n, params) for n in [*node.args, *(k.value for k in node.keywords)])
                continue
            if callee in _GETTERS:
                checked = node.args if callee == "attrgetter" else node.args[:1]
                if checked and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in checked):
                    mentioned.update(n for n in (a.value.split(".")[0] for a in checked) if n.isidentifier() and len(n) <= 200)
                else:
                    found.add(callee)
                stack.extend((n, params) for n in [*node.args, *(k.value for k in node.keywords)])
                if isinstance(func, ast.Attribute):
                    stack.append((func.value, params))
                continue
        if isinstance(node, ast.Name):
            if node.id in routes or node.id == "getattr" or node.id in _GETTERS:
                found.add(node.id)
            continue
        if isinstance(node, ast.Attribute):
            if node.attr in _DYNAMIC_ATTRS:
                found.add(node.attr)
        stack.extend((child, params) for child in ast.iter_child_nodes(node))
    return found


def _structure_root(node):
    """The name an attribute, item or call chain starts from (`a` of a.b[c].d()), or None."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call, ast.Starred)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _structure_writes(fn):
    """Whether a function (or one nested in it) changes state outside its own scope: global/nonlocal, stores
    to attributes or items of names it does not bind, mutating method calls on them, setattr/delattr."""
    stack = [(fn, frozenset())]
    while stack:
        node, outer_local = stack.pop()
        args = node.args
        every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
        body = [node.body] if isinstance(node, ast.Lambda) else node.body
        declared = set()
        local = ({a.arg for a in every} | bound_names(body, declared) | outer_local)
        if declared:
            return True
        todo = list(body)
        while todo:
            n = todo.pop()
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                stack.append((n, frozenset(local)))
                continue
            if isinstance(n, ast.comprehension):
                local |= bound_names([n.target])
            targets = ()
            if isinstance(n, ast.Assign):
                targets = n.targets
            elif isinstance(n, (ast.AugAssign, ast.AnnAssign)):
                targets = (n.target,)
            elif isinstance(n, ast.Delete):
                targets = n.targets
            for t in targets:
                for part in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else (t,)):
                    if isinstance(part, (ast.Attribute, ast.Subscript)):
                        root = _structure_root(part)
                        if root is None or root not in local:
                            return True
            if isinstance(n, ast.Call):
                f = n.func
                if isinstance(f, ast.Attribute) and f.attr in _MUTATORS:
                    root = _structure_root(f.value)
                    if root is not None and root not in local:
                        return True
                if isinstance(f, ast.Name) and f.id in ("setattr", "delattr") and n.args:
                    root = _structure_root(n.args[0])
                    if root is None or root not in local:
                        return True
            todo.extend(ast.iter_child_nodes(n))
    return False


_KEEPERS_SNORKEL = frozenset((
    *LF_DECORATORS, *LF_CLASSES, "PandasLFApplier", "LFApplier", "DaskLFApplier",
    "SparkLFApplier", "PandasParallelLFApplier", "LFAnalysis",
))
_KEEPERS_BUILTIN = frozenset(("dict", "list", "tuple", "set", "frozenset"))
_KEEPING_METHODS = frozenset(("append", "extend", "insert", "add", "update"))
_CALLING = (ast.Call, ast.Lambda, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)


def _structure_bindings(tree):
    """(names bound by `from snorkel... import` of the callees above, every other name the file binds anywhere,
    or None when a star import from elsewhere may bind anything)."""
    snorkel = set()
    other = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            from_snorkel = not node.level and (node.module or "").split(".")[0] == "snorkel"
            for a in node.names:
                if a.name == "*":
                    if not from_snorkel:
                        return snorkel, None
                elif from_snorkel and a.name in _KEEPERS_SNORKEL:
                    snorkel.add(a.asname or a.name)
                else:
                    other.add(a.asname or a.name)
        elif isinstance(node, ast.Import):
            other.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            other.add(node.id)
        else:
            other.update(bound_by(node))
    return snorkel, other


def _structure_keepers(tree):
    """Names of callables that keep their arguments without calling them while the file runs: Snorkel's
    LabelingFunction, labeling_function, appliers and LFAnalysis imported from snorkel, and the container
    builtins, unless the file binds the name some other way. Empty when the file defines a class (its
    methods may run on any operation) or star-imports from elsewhere."""
    if any(isinstance(n, ast.ClassDef) for n in ast.walk(tree)):
        return None
    snorkel, other = _structure_bindings(tree)
    if other is None:
        return None
    return frozenset((snorkel | _KEEPERS_BUILTIN) - other)


def _structure_container_value(node, keepers):
    if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp)):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _structure_container_value(node.left, keepers) or _structure_container_value(node.right, keepers)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _KEEPERS_BUILTIN and node.func.id in keepers


def _structure_containers(tree, keepers):
    """Module-level names that are plain lists, sets or dicts of the file: bound only by top-level assignments
    of a display or comprehension (or `+` of one, or dict(...)/list(...)) and `+=`, nowhere else."""
    if keepers is None:
        return frozenset()
    good = set()
    bad = set()
    direct = set()
    for top in tree.body:
        if isinstance(top, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = top.targets if isinstance(top, ast.Assign) else [top.target]
            try:
                ok = isinstance(top, ast.AugAssign) or (top.value is not None and _structure_container_value(top.value, keepers))
            except RecursionError:
                ok = False
            for t in targets:
                if isinstance(t, ast.Name):
                    direct.add(id(t))
                    (good if ok else bad).add(t.id)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load) and id(node) not in direct:
                bad.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bad.update(a.asname or a.name.split(".")[0] for a in node.names)
        else:
            bad.update(bound_by(node))
    return frozenset(good - bad)


def _structure_flow(stmt, keepers, containers, mentioned):
    """The ?stores/?into markers of a statement that runs at import, the ?runs markers of a top-level def
    (see above). Names in `mentioned` only."""
    runs = set()
    stores = set()
    into = set()

    def visit(node, kept):
        if isinstance(node, ast.Name):
            (stores if kept else runs).add(node.id)
            return
        if kept:
            if isinstance(node, ast.Constant):
                return
            # With a class in the file, hashing, `+` and unpacking may run its methods.
            if isinstance(node, (ast.List, ast.Tuple)) or keepers is not None and (
                    isinstance(node, (ast.Set, ast.Starred)) or isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)):
                for child in ast.iter_child_nodes(node):
                    visit(child, True)
                return
            if isinstance(node, ast.Dict):
                for k in node.keys:
                    if k is not None:
                        visit(k, keepers is not None)
                for child in node.values:
                    visit(child, True)
                return
            # Reading an attribute, or copying what a list holds, calls none of it (no class in the file).
            if isinstance(node, ast.Attribute) and keepers is not None:
                visit(node.value, True)
                return
            comps = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
            if isinstance(node, comps) and keepers is not None and not any(
                    g.is_async or any(isinstance(n, _CALLING) for part in g.ifs for n in ast.walk(part)) for g in node.generators) and not any(
                    isinstance(n, _CALLING) for part in ((node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,)) for n in ast.walk(part)):
                for g in node.generators:
                    visit(g.iter, True)
                    for cond in g.ifs:
                        visit(cond, False)
                for part in ((node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,)):
                    visit(part, True)
                return
            if isinstance(node, ast.Call) and keepers is not None:
                f = node.func
                if isinstance(f, ast.Name) and f.id in keepers:
                    runs.add(f.id)
                    for child in (*node.args, *(k.value for k in node.keywords)):
                        visit(child, True)
                    return
                if isinstance(f, ast.Attribute) and f.attr in _KEEPING_METHODS and isinstance(f.value, ast.Name) and f.value.id in containers:
                    into.add(f.value.id)
                    for child in (*node.args, *(k.value for k in node.keywords)):
                        visit(child, True)
                    return
        for child in ast.iter_child_nodes(node):
            visit(child, False)

    def target(t):
        """Where an assignment keeps its value; False when that may run code."""
        if isinstance(t, ast.Name):
            into.add(t.id)
            return True
        if isinstance(t, (ast.Tuple, ast.List)):
            return all(target(e.value if isinstance(e, ast.Starred) else e) for e in t.elts)
        if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id in containers:
            into.add(t.value.id)
            visit(t.slice, False)
            return True
        return False

    try:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = stmt.args
            every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
            # The function keeps its defaults (and what its decorators are given); decorators run.
            for d in stmt.decorator_list:
                visit(d, True)
            for expr in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
                visit(expr, True)
            for expr in [*(a.annotation for a in every if a.annotation is not None), *([stmt.returns] if stmt.returns else [])]:
                visit(expr, False)
            for tp in getattr(stmt, "type_params", None) or ():
                visit(tp, False)
            # A bare decorator name is called with the function.
            runs.update(d.id for d in stmt.decorator_list if isinstance(d, ast.Name))
            return {"?runs:" + n for n in runs if n in mentioned}
        if keepers is None:
            return set()
        if isinstance(stmt, ast.Assign):
            if not all(target(t) for t in stmt.targets):
                return set()
            visit(stmt.value, True)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is None or not target(stmt.target):
                return set()
            visit(stmt.annotation, False)
            visit(stmt.value, True)
        elif isinstance(stmt, ast.AugAssign):
            if not isinstance(stmt.op, ast.Add) or not target(stmt.target):
                return set()
            if isinstance(stmt.target, ast.Name) and stmt.target.id not in containers:
                return set()
            visit(stmt.value, True)
        elif isinstance(stmt, ast.Expr):
            visit(stmt.value, True)
        else:
            return set()
    except RecursionError:
        return {"?many"} if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) else set()
    if into & runs:
        return set()
    kept = {n for n in stores - runs if n in mentioned}
    return {"?stores:" + n for n in kept} | {"?into:" + n for n in into}
