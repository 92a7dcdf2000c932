"""An LF file's top level as the editor runs it, shared by the editor's runtimes (lf_runner.py) and the exported
job (served there as lfstudio_runtime/statements.py): the statements compiled one by one (so one that raises
leaves the rest to run, like notebook cells), and the LFs a file's module holds. Imports nothing but the
standard library.
"""
import ast
import re
import sys


def without_bom(source):
    """A file saved as "UTF-8 with BOM" (Windows editors) arrives decoded with the mark, where compile() refuses
    it; Python's own reading of such a file drops it, and so does this. Every place that compiles or parses a
    user file's text goes through here."""
    return source[1:] if isinstance(source, str) and source.startswith("\ufeff") else source


def statement_codes(file, source):
    """The file's top-level statements compiled one by one: ((line, code object), ...), each with the
    `from __future__` features of the statements before it. Raises SyntaxError for the file."""
    import __future__

    flags = 0
    codes = []
    source = without_bom(source)
    for stmt in ast.parse(source, file).body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            for alias in stmt.names:
                feature = getattr(__future__, alias.name, None)
                if feature is not None:
                    flags |= feature.compiler_flag
        codes.append((stmt.lineno, compile(ast.Module(body=[stmt], type_ignores=[]), file, "exec", flags=flags, dont_inherit=True)))
    return tuple(codes)


def stored_names(code):
    """The module-level names a compiled top-level statement assigns (`x = ...`, `lfs += [...]`, `import x`,
    `def x`, `with ... as x`), not those it only reads (a notebook cell's PandasLFApplier(lfs=lfs))."""
    import dis

    return {i.argval for i in dis.get_instructions(code) if i.opname in ("STORE_NAME", "STORE_GLOBAL")}


def imports_star(code):
    """Whether a compiled top-level statement is `from x import *` (IMPORT_STAR up to Python 3.11, an intrinsic
    call from 3.12 on): the names it would have bound are not known when it raises."""
    import dis

    return any(i.opname == "IMPORT_STAR" or (i.opname == "CALL_INTRINSIC_1" and "IMPORT_STAR" in str(i.argrepr)) for i in dis.get_instructions(code))


def _items(value):
    """What a module-level value holds for LFs: a list's or tuple's items, a dict's values (`lfs = {"kw":
    lf}`, read without calling the object's own methods), else the value itself. One level of grouping is
    opened: `lfs = {"AI": [lf1, lf2], "BC": [lf3]}` (a generator's LFs per area) or `[keyword_lfs,
    pattern_lfs]` holds the LFs of its groups, in order."""
    if isinstance(value, (list, tuple)):
        items = list(value)
    elif isinstance(value, dict):
        items = list(dict.values(value))
    else:
        return (value,)
    out = []
    for v in items:
        if isinstance(v, (list, tuple)):
            out.extend(list.__iter__(v) if isinstance(v, list) else tuple.__iter__(v))
        elif isinstance(v, dict):
            out.extend(dict.values(v))
        else:
            out.append(v)
    return out


def module_lfs(module, is_lf):
    """The LFs a module holds, each once, in the order met: its values, the items of its lists and tuples, the
    values of its dicts, and the attributes of the classes it defines (`class LFs:` holding `@staticmethod @labeling_function()`
    functions, which Snorkel applies as `LFs.lf_check`; only staticmethod and classmethod are unwrapped, so
    no object's own attribute lookup runs)."""
    seen = {}
    for value in list(vars(module).values()):
        if isinstance(value, type) and getattr(value, "__module__", None) == module.__name__:
            candidates = [a.__func__ if isinstance(a, (staticmethod, classmethod)) else a for a in list(vars(value).values())]
        else:
            candidates = _items(value)
        for c in candidates:
            if id(c) not in seen and is_lf(c):
                seen[id(c)] = c
    return list(seen.values())


# Module-level names that say "all the LFs" (LFS, ALL_LFS, LABELING_FUNCTIONS), besides `lfs` itself; not a part
# of them (extra_lfs, spam_lfs).
_LIST_NAME = re.compile(r"^(?:all_)?(?:lfs|label(?:l)?ing_functions)$", re.IGNORECASE)


def lf_list(module, is_lf, imported=False):
    """The LFs of the module's list for the applier, in its order (Snorkel's convention: what goes to
    PandasLFApplier and the label model), or None when it has none: `lfs` when it is a list, tuple or dict
    (its values) holding an LF; else the one module-level list, tuple or dict named like it (LFS, ALL_LFS,
    LABELING_FUNCTIONS) that holds LFs only. Two such lists (SPAM_LFS and HAM_LFS, without an `lfs`) are
    no choice: then None. A list another module holds under the same name (`from lf_defs import lfs`, or
    `from other_lfs import *`) is that module's, not this one's, unless `imported`."""
    names = vars(module)
    if "lfs" in names and (imported or not _imported(module, names["lfs"], "lfs")):
        found = [v for v in _items(names["lfs"]) if is_lf(v)] if isinstance(names["lfs"], (list, tuple, dict)) else []
        return found or None
    chosen = None
    for name, value in list(names.items()):
        if name == "lfs" or not isinstance(name, str) or not _LIST_NAME.search(name) or not isinstance(value, (list, tuple, dict)) or (not imported and _imported(module, value, name)):
            continue
        items = list(_items(value))
        if items and all(is_lf(v) for v in items):
            # One list under two names (LABELING_FUNCTIONS = ALL_LFS) is one list.
            if chosen is not None and value is not chosen[0]:
                return None
            chosen = (value, items)
    return chosen[1] if chosen else None


def _imported(module, value, name, _get=object.__getattribute__):
    """Whether `value` is another loaded module's list of that `name` too: brought in by `from other_lfs import
    *`, it is that file's list, not this one's (whose own LFs would otherwise all be left out)."""
    for other in list(sys.modules.values()):
        if other is module:
            continue
        try:
            if _get(other, "__dict__").get(name) is value:
                return True
        except Exception:  # noqa: BLE001 - an object in sys.modules without a plain __dict__ holds no list
            continue
    return False


def in_list_order(module, lfs, is_lf):
    """`lfs` (the module's LFs) in the order of its list for the applier (lf_list) when it has one, the others
    after it in the order given: the columns Snorkel's applier gives for that list, so a label matrix written
    from them is the one PandasLFApplier(lfs) gives. A list imported from another file orders them too
    (`from lf_defs import lfs` in train.py: its applier takes that list), though it does not choose them."""
    listed = lf_list(module, is_lf, imported=True)
    if not listed:
        return lfs
    position = {}
    for i, v in enumerate(listed):
        position.setdefault(id(v), i)
    return sorted(lfs, key=lambda lf: position.get(id(lf), len(listed)))
