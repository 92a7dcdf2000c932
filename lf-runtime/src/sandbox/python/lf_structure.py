"""Python's parser on an LF file or candidate, before any of it runs (the `parse` request): top-level statement
spans and what each binds and reads, and the labeling functions defined at module level. Runs only on a clean
worker; it executes nothing, so the worker stays clean. Part of the runtime (lf_runner imports it).
"""
import ast
import json

from lf_ast import LF_CLASSES, LF_DECORATORS, bound_names, named
from lf_cache_markers import statement_markers
from lf_statements import without_bom


def parse_structure(source):
    """The file's structure as the parser sees it, before any of it runs, as JSON
    {"statements": [...], "lfs": [...], "error": null}, or {"statements": null, "lfs": null, "error":
    {"message", "line"}} when the text does not parse.

    Each top-level statement: "start"/"end" (1-based lines, decorators included), "def" (a function's name),
    "bodyLine"/"bodyCol" (where a function's body starts; col in UTF-8 bytes), "uses" (every name it mentions,
    after the cache-key markers described in lf_cache_markers, each starting with "?"),
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
    source = without_bom(source)
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
    markers_of = statement_markers(tree, lf_decorators)
    for stmt in tree.body:
        start = stmt.lineno
        for d in getattr(stmt, "decorator_list", ()):
            start = min(start, d.lineno)
        is_def = isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.body
        mentioned, reads = _structure_names_of(stmt)
        markers = markers_of(stmt, mentioned)
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
            "defines": _structure_names(bound_names([stmt])),
            "reads": _structure_names(reads),
            "params": [a.arg for a in stmt.args.posonlyargs + stmt.args.args] if is_def else None,
        })
    return json.dumps({"statements": statements, "lfs": _structure_lfs(tree), "error": None})


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
        inner = ({a.arg for a in every} | bound_names(body, declared)) - declared
        free = set()
        for stmt in body:
            _structure_reads(stmt, inner, free, mentioned)
        outer(free)
        return
    if isinstance(node, ast.ClassDef):
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            _structure_reads(expr, local, out, mentioned)
        own = bound_names(node.body)
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
        inner = set(local or ()) | bound_names(targets)
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
    decorators = set(LF_DECORATORS)
    classes = set(LF_CLASSES)
    for node in (n for top in tree.body for n in _structure_module_level(top)):
        if isinstance(node, ast.ImportFrom):
            for a in node.names:
                if a.asname and a.name in LF_DECORATORS:
                    decorators.add(a.asname)
                elif a.asname and a.name in LF_CLASSES:
                    classes.add(a.asname)
    return decorators, classes


def _structure_lfs(tree):
    """Labeling functions defined at module level: decorated defs and LabelingFunction(...) instances whose
    name is a string literal, in source order."""
    decorators, classes = _structure_lf_names(tree)

    def literal(call, keyword, position):
        for k in call.keywords:
            if k.arg == keyword:
                return k.value
        return call.args[position] if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args[:position + 1]) else None

    lfs = []
    for index, top in enumerate(tree.body):
        for node in _structure_module_level(top):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                deco = next((d for d in node.decorator_list if named(d, decorators, LF_DECORATORS)), None)
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
                    if not (isinstance(call, ast.Call) and named(call, classes, LF_CLASSES)):
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


def name_undefined_lfs(file, source, lfs, raised):
    """Marks each top-level statement that raised and would have defined labeling functions (a decorator that
    raised, a LabelingFunction(...) whose resources failed) with the LFs that are missing because of it:
    `undefinedLfs` on its problem, and a message that says so. The file loads, so only these LFs are lost,
    which a CLI run must not pass over as a warning."""
    if not raised:
        return
    # Names as the file left them: an LF's name may be anything by now (the run result refuses what is no string).
    defined = {n for n in (getattr(lf, "name", None) for lf in lfs) if isinstance(n, str)}
    missing = {}
    tree = ast.parse(source, file)
    static = [(lf["statement"], lf["name"]) for lf in _structure_lfs(tree)]
    # And the decorated defs of a class body (class LFs: with @staticmethod @labeling_function() members).
    decorators, _ = _structure_lf_names(tree)
    for index, top in enumerate(tree.body):
        for node in top.body if isinstance(top, ast.ClassDef) else ():
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(named(d, decorators, LF_DECORATORS) for d in node.decorator_list):
                static.append((index, node.name))
    for index, name in static:
        if index in raised and name not in defined:
            missing.setdefault(index, []).append(name)
    for index, names in missing.items():
        info = raised[index]
        info["undefinedLfs"] = names[:200]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        info["message"] = f"{info['message']} (so {shown} {'is' if len(names) == 1 else 'are'} not defined)"
