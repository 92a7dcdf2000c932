"""Python's parser on an LF file or candidate, before any of it runs (the `parse` request): top-level statement
spans and what each binds and reads, and the labeling functions defined at module level. Runs only on a clean
worker; it executes nothing, so the worker stays clean. Part of the runtime (lf_runner imports it).
"""
import ast
import json

def parse_structure(source):
    """The file's structure as the parser sees it, before any of it runs, as JSON
    {"statements": [...], "lfs": [...], "error": null}, or {"statements": null, "lfs": null, "error":
    {"message", "line"}} when the text does not parse.

    Each top-level statement: "start"/"end" (1-based lines, decorators included), "def" (a function's name),
    "bodyLine"/"bodyCol" (where a function's body starts; col in UTF-8 bytes), "uses" (every name it mentions,
    after the cache-key markers described at _structure_markers, each starting with "?"),
    "kind" (import, def, class, assign or other), "defines" (names it binds at module level, in nested if/try/
    with/for blocks too), "reads" (names it looks up outside its own function scopes: module names and
    builtins) and "params" (a function's positional parameters, else null).

    Each labeling function defined at module level, also inside a top-level if/try/with: "name" (Snorkel's
    name for it), "function" (the decorated def, or the function a LabelingFunction(...) wraps when it is a
    plain name), "kind" (decorated or instance), "statement" (index of the top-level statement holding it),
    "start"/"end" (a decorated def from its first decorator; an instance's whole simple statement),
    "defLine", "indent" (the column the def or statement starts at) and "decorator" ({"start", "end"} of the
    labeling_function decorator).

    The parent builds per-LF cache keys from the spans and its own copy of the text, and LLM candidates and
    insertions from the rest; it asks a worker for this only while that worker has run no user code.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        return json.dumps({"statements": None, "lfs": None, "error": {"message": str(exc.msg)[:500], "line": line}})
    except (ValueError, RecursionError, MemoryError) as exc:
        message = "the code is nested too deeply to parse" if isinstance(exc, RecursionError) else f"{type(exc).__name__}: {exc}"
        return json.dumps({"statements": None, "lfs": None, "error": {"message": message[:500], "line": None}})
    statements = []
    lf_decorators = _structure_lf_names(tree)[0]
    routes = _structure_route_names(tree)
    keepers = _structure_keepers(tree)
    containers = _structure_containers(tree, keepers)
    for stmt in tree.body:
        start = stmt.lineno
        for d in getattr(stmt, "decorator_list", ()):
            start = min(start, d.lineno)
        is_def = isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.body
        mentioned, reads = _structure_names_of(stmt)
        markers = _structure_markers(stmt, lf_decorators, routes, mentioned)
        markers |= _structure_flow(stmt, keepers, containers, mentioned)
        # ?stores/?into may be left out (each name then counts as executed at import); the rest may not.
        if any(len(m) > 10000 or len(markers) + len(mentioned) > 4000 for m in markers if m.startswith(("?stores:", "?into:"))):
            markers = {m for m in markers if not m.startswith(("?stores:", "?into:"))}
        if any(len(n) > 10000 for n in (*mentioned, *markers)):  # more than the parent accepts
            mentioned = {n for n in mentioned if len(n) <= 10000}
            markers = {m for m in markers if len(m) <= 10000}
            markers.add("?many")
        counted = [m for m in markers if not m.startswith(("?stores:", "?into:"))]
        if len(counted) > 200 or len(markers) + len(mentioned) > 4000:
            markers = {m for m in markers if not m.startswith(("?import:", "?stores:", "?into:", "?runs:"))}
            markers.add("?many")
        uses = sorted(markers) + sorted(mentioned)
        statements.append({
            "start": start,
            "end": stmt.end_lineno or stmt.lineno,
            "def": stmt.name if is_def else None,
            "bodyLine": stmt.body[0].lineno if is_def else None,
            "bodyCol": stmt.body[0].col_offset if is_def else None,
            "uses": uses[:4000],
            "kind": _structure_kind(stmt),
            "defines": _structure_names(_structure_bound([stmt])),
            "reads": _structure_names(reads),
            "params": [a.arg for a in stmt.args.posonlyargs + stmt.args.args] if is_def else None,
        })
    return json.dumps({"statements": statements, "lfs": _structure_lfs(tree), "error": None})


_STRUCTURE_LF_DECORATORS = frozenset(("labeling_function", "nlp_labeling_function"))
_STRUCTURE_LF_CLASSES = frozenset(("LabelingFunction", "NLPLabelingFunction"))
_STRUCTURE_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_STRUCTURE_BLOCKS = tuple(getattr(ast, n) for n in ("If", "Try", "TryStar", "With", "AsyncWith") if hasattr(ast, n))


def _structure_names(names):
    """Sorted, each at most 10 000 characters, at most 4000 of them (what the parent accepts)."""
    return sorted(n for n in names if isinstance(n, str) and len(n) <= 10000)[:4000]


def _structure_kind(stmt):
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return "import"
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return "def"
    if isinstance(stmt, ast.ClassDef):
        return "class"
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return "assign"
    return "other"


def _structure_bound(nodes, declared=None):
    """Names the statements bind in their own scope: assignment and loop targets, imports, defs, classes,
    `except ... as`, `with ... as`, match captures; not what nested functions, classes or comprehensions bind.
    Names they declare global or nonlocal are added to `declared` when it is given."""
    out = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
            continue
        if isinstance(node, _STRUCTURE_SCOPES):
            continue
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                out.add(node.id)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.update(a.asname or a.name.split(".")[0] for a in node.names if a.name != "*")
            continue
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            if declared is not None:
                declared.update(node.names)
            continue
        if isinstance(node, ast.ExceptHandler) and node.name:
            out.add(node.name)
        elif type(node).__name__ in ("MatchAs", "MatchStar") and getattr(node, "name", None):
            out.add(node.name)
        elif type(node).__name__ == "MatchMapping" and getattr(node, "rest", None):
            out.add(node.rest)
        stack.extend(ast.iter_child_nodes(node))
    return out


def _structure_names_of(stmt):
    """(every name a top-level statement mentions, the names it looks up at module level). When it nests too
    deeply to follow its scopes, every name it mentions counts as looked up."""
    mentioned = set()
    reads = set()
    try:
        _structure_reads(stmt, None, reads, mentioned)
    except RecursionError:
        mentioned = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)}
        return mentioned, set(mentioned)
    return mentioned, reads


def _structure_reads(node, local, out, mentioned):
    """Adds to `out` the names `node` looks up outside the function scope whose local names are `local` (None:
    `node` is at module level, so every lookup counts), and to `mentioned` every name in it."""
    def outer(names):
        out.update(n for n in names if local is None or n not in local)

    if isinstance(node, ast.Name):
        mentioned.add(node.id)
        if isinstance(node.ctx, ast.Load):
            outer((node.id,))
        return
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        outer((node.target.id,))
    for tp in getattr(node, "type_params", None) or ():
        mentioned.update(n.id for n in ast.walk(tp) if isinstance(n, ast.Name))
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = node.args
        every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
        # Decorators, defaults and annotations are evaluated where the function is defined.
        for expr in [*getattr(node, "decorator_list", ()), *args.defaults, *(d for d in args.kw_defaults if d is not None),
                     *(a.annotation for a in every if a.annotation is not None), *([node.returns] if getattr(node, "returns", None) else [])]:
            _structure_reads(expr, local, out, mentioned)
        body = [node.body] if isinstance(node, ast.Lambda) else node.body
        declared = set()
        inner = ({a.arg for a in every} | _structure_bound(body, declared)) - declared
        free = set()
        for stmt in body:
            _structure_reads(stmt, inner, free, mentioned)
        outer(free)
        return
    if isinstance(node, ast.ClassDef):
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            _structure_reads(expr, local, out, mentioned)
        own = _structure_bound(node.body)
        free = set()
        for stmt in node.body:
            _structure_reads(stmt, own, free, mentioned)
        outer(free)
        return
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        gens = node.generators
        # The first iterable is evaluated outside the comprehension's own scope.
        _structure_reads(gens[0].iter, local, out, mentioned)
        targets = [g.target for g in gens]
        for target in targets:
            mentioned.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        inner = set(local or ()) | _structure_bound(targets)
        free = set()
        for i, g in enumerate(gens):
            if i > 0:
                _structure_reads(g.iter, inner, free, mentioned)
            for cond in g.ifs:
                _structure_reads(cond, inner, free, mentioned)
        for part in ((node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,)):
            _structure_reads(part, inner, free, mentioned)
        outer(free)
        return
    for child in ast.iter_child_nodes(node):
        _structure_reads(child, local, out, mentioned)


def _structure_module_level(stmt):
    """The statement and, in source order, the statements inside its if/try/with blocks (still module level)."""
    out = [stmt]
    if isinstance(stmt, _STRUCTURE_BLOCKS):
        blocks = [getattr(stmt, "body", []), *(h.body for h in getattr(stmt, "handlers", ())), getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])]
        for block in blocks:
            for child in block:
                out.extend(_structure_module_level(child))
    return out


def _structure_lf_names(tree):
    """(names the labeling_function decorators go by, names the LabelingFunction classes go by) in the file."""
    decorators = set(_STRUCTURE_LF_DECORATORS)
    classes = set(_STRUCTURE_LF_CLASSES)
    for node in (n for top in tree.body for n in _structure_module_level(top)):
        if isinstance(node, ast.ImportFrom):
            for a in node.names:
                if a.asname and a.name in _STRUCTURE_LF_DECORATORS:
                    decorators.add(a.asname)
                elif a.asname and a.name in _STRUCTURE_LF_CLASSES:
                    classes.add(a.asname)
    return decorators, classes


def _structure_named(expr, names, attrs):
    target = expr.func if isinstance(expr, ast.Call) else expr
    return (isinstance(target, ast.Name) and target.id in names) or (isinstance(target, ast.Attribute) and target.attr in attrs)


def _structure_lfs(tree):
    """Labeling functions defined at module level: decorated defs and LabelingFunction(...) instances whose
    name is a string literal, in source order."""
    decorators, classes = _structure_lf_names(tree)
    named = _structure_named

    def literal(call, keyword, position):
        for k in call.keywords:
            if k.arg == keyword:
                return k.value
        return call.args[position] if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args[:position + 1]) else None

    lfs = []
    for index, top in enumerate(tree.body):
        for node in _structure_module_level(top):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                deco = next((d for d in node.decorator_list if named(d, decorators, _STRUCTURE_LF_DECORATORS)), None)
                if deco is None:
                    continue
                given = literal(deco, "name", 0) if isinstance(deco, ast.Call) else None
                name = given.value if isinstance(given, ast.Constant) and isinstance(given.value, str) and given.value else node.name
                lfs.append({
                    "name": name, "function": node.name, "kind": "decorated", "statement": index,
                    "start": min(d.lineno for d in node.decorator_list), "end": node.end_lineno or node.lineno,
                    "defLine": node.lineno, "indent": node.col_offset,
                    "decorator": {"start": deco.lineno, "end": deco.end_lineno or deco.lineno},
                })
            elif not isinstance(node, (ast.ClassDef, *_STRUCTURE_BLOCKS)):
                for call in ast.walk(node):
                    if not (isinstance(call, ast.Call) and named(call, classes, _STRUCTURE_LF_CLASSES)):
                        continue
                    given = literal(call, "name", 0)
                    if not (isinstance(given, ast.Constant) and isinstance(given.value, str) and given.value):
                        continue
                    f = literal(call, "f", 1)
                    lfs.append({
                        "name": given.value, "function": f.id if isinstance(f, ast.Name) else None, "kind": "instance",
                        "statement": index, "start": node.lineno, "end": node.end_lineno or node.lineno,
                        "defLine": None, "indent": node.col_offset, "decorator": None,
                    })
    ok = [lf for lf in lfs if len(lf["name"]) <= 200 and (lf["function"] is None or len(lf["function"]) <= 10000)]
    return ok[:10000]


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
            if any(not _structure_named(d, lf_decorators, _STRUCTURE_LF_DECORATORS) for d in stmt.decorator_list):
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
        local = ({a.arg for a in every} | _structure_bound(body, declared) | outer_local)
        if declared:
            return True
        todo = list(body)
        while todo:
            n = todo.pop()
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                stack.append((n, frozenset(local)))
                continue
            if isinstance(n, ast.comprehension):
                local |= _structure_bound([n.target])
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
    *_STRUCTURE_LF_DECORATORS, *_STRUCTURE_LF_CLASSES, "PandasLFApplier", "LFApplier", "DaskLFApplier",
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
            other.update(_bound_by(node))
    return snorkel, other


def _bound_by(node):
    """The names a definition, `global`/`nonlocal`, an except clause or a match pattern binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (node.name,)
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return node.names
    if isinstance(node, ast.ExceptHandler) and node.name:
        return (node.name,)
    if type(node).__name__ in ("MatchAs", "MatchStar", "MatchMapping"):
        n = getattr(node, "name", None) or getattr(node, "rest", None)
        return (n,) if n else ()
    return ()


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
            bad.update(_bound_by(node))
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
