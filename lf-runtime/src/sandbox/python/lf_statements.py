"""An LF file's top level as the editor runs it, shared by the editor's runtimes (lf_runner.py) and the exported
job (served there as lfstudio_runtime/statements.py): the statements compiled one by one (so one that raises
leaves the rest to run, like notebook cells), and the LFs a file's module holds. Imports nothing but the
standard library.
"""
import ast


def statement_codes(file, source):
    """The file's top-level statements compiled one by one: ((line, code object), ...), each with the
    `from __future__` features of the statements before it. Raises SyntaxError for the file."""
    import __future__

    flags = 0
    codes = []
    for stmt in ast.parse(source, file).body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            for alias in stmt.names:
                feature = getattr(__future__, alias.name, None)
                if feature is not None:
                    flags |= feature.compiler_flag
        codes.append((stmt.lineno, compile(ast.Module(body=[stmt], type_ignores=[]), file, "exec", flags=flags, dont_inherit=True)))
    return tuple(codes)


def module_lfs(module, is_lf):
    """The LFs a module holds, each once, in the order met: its values, the items of its lists and tuples, and
    the attributes of the classes it defines (`class LFs:` holding `@staticmethod @labeling_function()`
    functions, which Snorkel applies as `LFs.lf_check`; only staticmethod and classmethod are unwrapped, so
    no object's own attribute lookup runs)."""
    seen = {}
    for value in list(vars(module).values()):
        if isinstance(value, type) and getattr(value, "__module__", None) == module.__name__:
            candidates = [a.__func__ if isinstance(a, (staticmethod, classmethod)) else a for a in list(vars(value).values())]
        else:
            candidates = value if isinstance(value, (list, tuple)) else (value,)
        for c in candidates:
            if id(c) not in seen and is_lf(c):
                seen[id(c)] = c
    return list(seen.values())


def in_list_order(module, lfs, is_lf):
    """`lfs` (the module's LFs) in the order of its `lfs` list when it has one, the others after it in the
    order given: the columns Snorkel's applier gives for that list, so a label matrix written from them is
    the one PandasLFApplier(lfs) gives."""
    value = vars(module).get("lfs")
    if not isinstance(value, (list, tuple)):
        return lfs
    position = {}
    for i, v in enumerate(value):
        if is_lf(v):
            position.setdefault(id(v), i)
    return sorted(lfs, key=lambda lf: position.get(id(lf), len(value))) if position else lfs
