"""Import finders the runner adds to sys.meta_path while it executes a user file: the LF file's sibling modules
(sent with the unit), and in the sandbox the user's packages beside the file (folders pyodide must be sent)."""
import importlib.machinery
import importlib.util
import linecache
import os

from lf_statements import without_bom


class SiblingFinder:
    """Serves the project's other LF files as importable modules, executed fresh for every LF. In the sandbox,
    when the LF file's folder is a package (`package`), also serves that package (its __init__.py, or an empty
    one) and the modules beside the file as its submodules, so `from . import helper` and `from .helper import
    X` work as they do in the user's own Python, which finds them on disk."""

    def __init__(self, sources, directory, package=None):
        self.sources = sources
        self.directory = directory
        self.package = package

    def _sibling(self, name):
        """The sibling module a module name stands for ("__init__" for the package itself), or None."""
        if self.package is not None:
            if name == self.package:
                return "__init__"
            head, dot, rest = name.rpartition(".")
            if head == self.package and rest in self.sources and rest != "__init__":
                return rest
        return name if name in self.sources else None

    def find_spec(self, name, path=None, target=None):
        # importlib.util is imported with this module: importing it here would ask this finder for it first, and
        # where nothing loaded it at start-up (a plain venv's python, without a .pth file that does) recurse.
        sibling = self._sibling(name)
        if sibling is None:
            return None
        if self.package is not None and name == self.package:
            spec = importlib.util.spec_from_loader(name, self, origin=self.path("__init__"), is_package=True)
            # Modules of the folder the runtime was not given (a subpackage, a file the sandbox was sent)
            # are looked for in the folder itself.
            spec.submodule_search_locations.append(self.directory)
            return spec
        return importlib.util.spec_from_loader(name, self, origin=self.path(sibling))

    def path(self, name):
        return f"{self.directory}/{name}.py" if self.directory else f"{name}.py"

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        sibling = self._sibling(module.__name__)
        filename = self.path(sibling)
        source = self.sources.get(sibling)
        if source is None:  # the package without an __init__.py: a namespace package in Python
            return
        module.__file__ = filename
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(without_bom(source), filename, "exec"), module.__dict__)


class FolderPackageFinder:
    """In the sandbox, the user's own packages beside the LF file (`helpers/` with an __init__.py, a folder
    without one as a namespace package, their subfolders), found as Python finds them on disk. Pyodide reads
    no host folder: looking one up on the in-memory filesystem fails, the worker notes the path as missed, the
    parent sends that folder's files and runs the unit again (workspaceFiles.ts), and the lookup then finds
    them. Last on sys.meta_path, so nothing the standard library, pyodide or the sibling modules provide is
    shadowed (Python searches a script's folder first: a folder named like a standard module is where the two
    differ). `roots` are the folders top-level names are looked for in, as the user's Python has them on
    sys.path: the LF file's folder, the one above it, and the root of the package it lies in."""

    def __init__(self, roots):
        self.roots = tuple(r for r in roots if r)

    def _inside(self, folder):
        return any(folder == r or folder.startswith(r + "/") for r in self.roots)

    def find_spec(self, name, path=None, target=None):
        head, _, last = name.rpartition(".")
        if not last.isidentifier():
            return None
        if path is None:
            if head:
                return None
            entries = self.roots
        else:
            entries = [p for p in path if isinstance(p, str) and self._inside(p)]
        for entry in entries:
            folder = f"{entry}/{last}"
            if not os.path.isdir(folder):  # a miss the parent answers with the folder's files
                # A module file inside one of the user's packages (`from ..shared import WORDS` in a helper), or
                # beside the package the LF file lies in (`import common`): the standard finder does not look
                # the file up (it lists the package's folder; the folder above the package is not on its path),
                # so nothing would note it as missed. Looking it up does; once the parent has sent it, it is
                # found here.
                if os.path.isfile(f"{folder}.py"):
                    return importlib.util.spec_from_file_location(name, f"{folder}.py")
                continue
            init = f"{folder}/__init__.py"
            if os.path.isfile(init):
                return importlib.util.spec_from_file_location(name, init, submodule_search_locations=[folder])
            spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
            spec.submodule_search_locations = [folder]
            return spec
        return None


def package_root(parent, package, blocked):
    """(the folder above the outermost package holding the LF file's folder, the folder's dotted package name).
    Climbs while the folder above holds an __init__.py and its name is an identifier. Only the outermost name
    is imported on its own, so only it must be free: a name already imported stands for that module (json,
    snorkel), unless it is this very folder's package, imported by an earlier execution of the file (the user's
    Python keeps its modules between LFs), and a `blocked` name is never one; the climb steps back below such a
    name. Names inside are the package's own (myproj/snorkel/lfs.py is myproj.snorkel.lfs). A folder without
    an __init__.py inside a package is a namespace portion of it, as Python imports hmm/labeling/moralmachine.py
    as hmm.labeling.moralmachine when hmm/ has an __init__.py, so `from ..classification import *` works there
    too."""
    import sys

    climbed = []
    while "/" in parent:
        up, name = parent.rsplit("/", 1)
        if not (up and name.isidentifier() and os.path.isfile(f"{parent}/__init__.py")):
            break
        climbed.append(parent)
        parent, package = up, f"{name}.{package}"
    while climbed:
        folder = climbed[-1]
        name = folder.rsplit("/", 1)[1]
        taken = name in sys.modules and folder not in list(getattr(sys.modules[name], "__path__", None) or ())
        if not taken and name not in blocked:
            break
        climbed.pop()
        parent, package = folder, package.split(".", 1)[1]
    return parent, package


def forget_user_modules():
    """The user's Python: every execution of an LF file imports the user's own modules afresh (those outside the
    interpreter's prefixes, its site- and dist-packages and this runtime), as the sandbox's restore makes it
    do, so a helper's module-level state (a counter handing out class ids) starts again for each LF."""
    import sys

    keep = tuple(f"{p.rstrip('/')}/" for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(os.path.abspath(__file__))} if p)
    for name, loaded in list(sys.modules.items()):
        origin = getattr(loaded, "__file__", None)
        if isinstance(origin, str) and origin.startswith("/") and not origin.startswith(keep) and "-packages/" not in origin:
            del sys.modules[name]
