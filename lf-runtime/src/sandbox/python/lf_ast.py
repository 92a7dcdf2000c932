"""Facts about Python syntax trees that the `parse` request's two scans share (lf_structure: statements and
labeling functions; lf_cache_markers: the cache-key markers): the names Snorkel's LF makers go by, the scopes
a name binds in, and what a statement binds. Executes nothing. Part of the runtime (lf_structure imports it).
"""
import ast

LF_DECORATORS = frozenset(("labeling_function", "nlp_labeling_function"))
LF_CLASSES = frozenset(("LabelingFunction", "NLPLabelingFunction"))
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def bound_names(nodes, declared=None):
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
        if isinstance(node, SCOPES):
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


def bound_by(node):
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


def named(expr, names, attrs):
    target = expr.func if isinstance(expr, ast.Call) else expr
    return (isinstance(target, ast.Name) and target.id in names) or (isinstance(target, ast.Attribute) and target.attr in attrs)
