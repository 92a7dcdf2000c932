"""Errors of user code as LF Studio reports them: at a line of the LF file, or of the user's helper module that
raised, with the fix named for a missing module (a sibling file, or a package for the user's Python) and for
a relative path; and the parts of an invalid return's report. Part of the runtime (lf_runner imports it); user
code cannot import it.
"""
import errno
import os
import re
import sys
import traceback

import lf_guard
import lf_row_class

NATIVE = getattr(lf_guard, "RUNTIME", "sandbox") == "python"

_STDLIB = frozenset(sys.stdlib_module_names)


# Import names whose package on PyPI has another name (`pip install sklearn` installs nothing useful).
_PIP_NAMES = {
    "sklearn": "scikit-learn", "yaml": "PyYAML", "cv2": "opencv-python", "PIL": "Pillow", "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil", "Levenshtein": "python-Levenshtein", "Bio": "biopython", "skimage": "scikit-image",
    "fitz": "PyMuPDF", "docx": "python-docx", "dotenv": "python-dotenv", "Crypto": "pycryptodome",
    "gin": "gin-config", "sentence_transformers": "sentence-transformers", "jwt": "PyJWT", "attr": "attrs",
    "magic": "python-magic", "serial": "pyserial", "OpenSSL": "pyOpenSSL", "MySQLdb": "mysqlclient",
    "tensorflow_hub": "tensorflow-hub", "flair": "flair", "Stemmer": "PyStemmer", "lxml": "lxml",
}


_SPACY_PIPELINE = re.compile(r"[a-z]{2}_core_(web|news)_(sm|md|lg|trf)$")


def _install_hint(top):
    """The command that installs the package a missing top-level module comes from, in the user's Python."""
    python = lf_guard.INTERPRETER
    if _SPACY_PIPELINE.match(top):  # a spaCy pipeline (en_core_web_sm): spaCy downloads it
        command = f"`{python} -m spacy download {top}`"
    else:
        command = f"`{python} -m pip install {_PIP_NAMES.get(top, top)}`"
    if _externally_managed():
        # Debian's /usr/bin/python3 (PEP 668): pip refuses to install into it.
        command += (
            f", which this system-managed Python refuses (PEP 668): install your distribution's package (Debian: "
            f"apt install python3-<name>), or make a virtual environment (`{python} -m venv .venv`, then "
            f"`.venv/bin/python -m pip install {_PIP_NAMES.get(top, top)}`) and choose .venv/bin/python "
            f"(setting lfStudio.python.interpreter; `lf-studio analyze --python .venv/bin/python`)"
        )
    return command


def _externally_managed():
    """Whether the Python running the file is one its system manages (PEP 668's EXTERNALLY-MANAGED marker, and
    not a virtual environment), so `pip install` into it is refused."""
    if not NATIVE or sys.prefix != sys.base_prefix:
        return False
    try:
        import sysconfig

        return os.path.isfile(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
    except Exception:  # noqa: BLE001 - no marker found is no marker
        return False


# spaCy's "Can't find model 'en_core_web_sm'" (E050), raised by spacy.load when the pipeline is not installed.
_SPACY_MODEL_MISSING = re.compile(r"\[E050\].*?model '([^']+)'")


def spacy_model_hint(exc):
    """For spacy.load's OSError when the pipeline is not installed: the command that installs it; else None."""
    found = _SPACY_MODEL_MISSING.search(_text(exc)) if isinstance(exc, OSError) else None
    if not found:
        return None
    python = getattr(lf_guard, "INTERPRETER", None) or "python"  # the user's Python, or the sandbox (no spaCy)
    return f" (the spaCy pipeline {found.group(1)} is not installed in {python}: install it with `{python} -m spacy download {found.group(1)}`)"


def _stand_in_snorkel():
    """Whether `snorkel` is LF Studio's stand-in (always in the sandbox; natively, unless Snorkel is installed)."""
    if not NATIVE:
        return True
    path = getattr(sys.modules.get("snorkel"), "__file__", None) or ""
    return "/shim/snorkel/" in path.replace("\\", "/")


def _missing_snorkel_module(name):
    """A snorkel module the stand-in lacks: Snorkel itself is not what is missing. Outside snorkel.labeling
    (snorkel.augmentation, snorkel.slicing, snorkel.classification) no name of it is an LF's to import."""
    first = "import the name from snorkel.labeling, or " if name.startswith("snorkel.labeling") else "labeling functions do not need it (the statements that use it are skipped); to run them too, "
    if NATIVE:
        return (
            f"No module named '{name}'. Snorkel is not installed in {lf_guard.INTERPRETER}, and LF Studio's stand-in "
            f"for it (snorkel.labeling, snorkel.labeling.lf, snorkel.preprocess, snorkel.map, snorkel.analysis, snorkel.utils) has "
            f"no such module: {first}install Snorkel there (`{lf_guard.INTERPRETER} -m pip install snorkel`)."
        )
    return (
        f"No module named '{name}'. LF Studio's sandbox serves a stand-in for Snorkel (snorkel.labeling, "
        f"snorkel.labeling.lf, snorkel.preprocess, snorkel.map, snorkel.analysis, snorkel.utils) that has no such module: "
        f"{first}run this file with your own Python with Snorkel installed (`lf-studio analyze --runtime python`)."
    )


# The file being executed, for messages about what it imports.
current = {"file": ""}
# LF file -> the workspace folder it may read (the prepare request's root): where the user's packages can be.
workspace_roots = {}
# file -> {name a top-level statement that raised would have bound: (its line, its message (the first cause's,
# for a statement that raised for want of an earlier one's name), whether a missing module is the cause, whether
# the statement is that import)}, set by the runner as the statements run.
failed_imports = {}
# file -> the names of the helper modules sent with it (pyodide reads no host folder, so they are known here
# rather than on disk), set by the runner.
sibling_modules = {}
# file -> the folder of the outermost package the LF file runs in ("/ws/hmm/" for /ws/hmm/labeling/moral.py), set
# by the runner: an error raised in that package's files (hmm/__init__.py) is told at their line too.
package_folders = {}


def missing_package(exc):
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    top = exc.name.split(".")[0]
    if top in _STDLIB and top not in lf_guard.BLOCKED_MODULES:
        return None
    if top in lf_guard.BLOCKED_MODULES:
        return (
            f"'{top}' is blocked in LF Studio's sandbox: labeling functions cannot reach the JavaScript host, "
            "native code, files or the network. Use plain Python on the row's fields."
        )
    if top == "snorkel" and exc.name != "snorkel" and _stand_in_snorkel():
        return _missing_snorkel_module(exc.name)
    parent, _, last = exc.name.rpartition(".")
    package = sys.modules.get(parent) if parent else None
    places = list(getattr(package, "__path__", None) or [])
    if places and isinstance(places[0], str):
        where = places[0].replace("\\", "/")
        if "/site-packages/" in f"{where}/" or "/dist-packages/" in f"{where}/":
            # An installed package without that module: it moved or went in this version (pandas.tools).
            return (
                f"No module named '{exc.name}': the installed package {parent} ({places[0]}) has no module {last} in "
                "this version; it may have moved or been removed (see the package's documentation for where the name "
                "is now), or the file was written for another version."
            )
        # The package was found (often the LF file's own), but not this module of it: the fix is inside it.
        return (
            f"No module named '{exc.name}': the package {parent} ({places[0]}) has no module {last}; add {last}.py "
            f"(or a package {last}/) to it, or import the name from where it is defined."
        )
    file = current["file"].replace("\\", "/")
    folder, _, base = file.rpartition("/")
    above = _ancestor_package(folder, top)
    if above is not None:
        return above
    if NATIVE:
        searched = ", ".join(p for p in (folder, folder.rpartition("/")[0]) if p) or "the file's folder"
        return (
            f"No module named '{exc.name}'. If it is your own module, put {top}.py (or a package {top}/) next to "
            f"{base or 'the LF file'} (searched: {searched}); if it is a package, it is not installed in "
            f"{lf_guard.INTERPRETER}: install it with {_install_hint(top)}."
        )
    return (
        f"No module named '{exc.name}'. If it is your own module, put {top}.py next to {base or 'the LF file'} "
        f"(LF Studio imports modules from the LF file's folder). If it is a package, LF Studio's sandbox cannot "
        f"provide it (it has only the Python standard library): run this file with your own Python, which has "
        f"your packages (setting lfStudio.runtime \"auto\" or \"python\" in a trusted workspace; "
        f"`lf-studio analyze --runtime python`)."
    )


def _ancestor_package(folder, top):
    """The message for `import ssp.snorkel.kw` in src/ssp/snorkel/lfs.py where ssp/ is a folder above the file's
    parent without an __init__.py (a namespace package, or a src layout the project installs with pip): Python
    imports it from the folder above it, which an installed copy or PYTHONPATH puts on the path, not from the
    file's folder. None when no folder above is named `top`."""
    workspace = workspace_roots.get(current["file"], "").rstrip("/")
    if not workspace or not folder.startswith(workspace + "/"):
        return None
    parts = folder.split("/")
    # The file's folder and the one above it are searched already; a folder named `top` further up, inside the
    # workspace, is the case.
    for i in range(len(parts) - 2, len(workspace.split("/")) - 1, -1):
        if parts[i] != top:
            continue
        package = "/".join(parts[: i + 1])
        root = "/".join(parts[:i]) or "/"
        # The runtimes climb from the file's folder while the folder above holds an __init__.py (package_root):
        # the folders from the package down to the file's parent need one; the file's own folder does not.
        chain = ["/".join(parts[: j + 1]) for j in range(i, len(parts) - 1)]
        lacking = [c for c in chain if not os.path.isfile(f"{c}/__init__.py")] if NATIVE else chain
        if not lacking:
            return None
        listed = lacking[0] if len(lacking) == 1 else f"{', '.join(lacking[:-1])} and {lacking[-1]}"
        return (
            f"No module named '{top}': {top} is the folder {package} above this file, a package Python imports from the "
            f"folder above it ({root}), where installing the project (pip install -e) or PYTHONPATH puts it; LF Studio runs "
            f"the file from its own folder, and imports its package from {root} when every folder from {top}/ down to "
            f"the one holding the file's folder has an __init__.py: add an empty __init__.py to {listed}, or import "
            f"from the file's own folder (`from .module import name`)."
        )
    return None


# Linux's numbers for the errors file reads give; pyodide's OSErrors carry Emscripten's ([Errno 44] for
# ENOENT), which no Python user knows.
_LINUX_ERRNO = {
    "EPERM": 1, "ENOENT": 2, "EIO": 5, "EBADF": 9, "EAGAIN": 11, "ENOMEM": 12, "EACCES": 13, "EBUSY": 16,
    "EEXIST": 17, "EXDEV": 18, "ENODEV": 19, "ENOTDIR": 20, "EISDIR": 21, "EINVAL": 22, "EMFILE": 24,
    "EFBIG": 27, "ENOSPC": 28, "ESPIPE": 29, "EROFS": 30, "EPIPE": 32, "ENAMETOOLONG": 36, "ENOSYS": 38,
    "ENOTEMPTY": 39, "ELOOP": 40, "ENOTSUP": 95, "EOPNOTSUPP": 95,
}


# The error names Python gives each OSError subclass.
_ERRNO_OF_CLASS = {
    "FileNotFoundError": ("ENOENT",), "PermissionError": ("EACCES", "EPERM"), "FileExistsError": ("EEXIST",),
    "IsADirectoryError": ("EISDIR",), "NotADirectoryError": ("ENOTDIR",), "InterruptedError": ("EINTR",),
    "BlockingIOError": ("EAGAIN", "EWOULDBLOCK", "EALREADY", "EINPROGRESS"), "TimeoutError": ("ETIMEDOUT",),
}


def exception_text(exc):
    """`traceback.format_exception_only`, with an OSError's number as Linux's in pyodide, and the sandbox's
    refusal named without the runtime's module (SandboxViolation, not lf_bridges.SandboxViolation)."""
    text = "".join(traceback.format_exception_only(type(exc), exc))
    if text.startswith("lf_bridges.SandboxViolation"):
        text = text[len("lf_bridges."):]
    number = getattr(exc, "errno", None) if isinstance(exc, OSError) else None
    if not NATIVE and type(number) is int:
        name = errno.errorcode.get(number, "")
        linux = _LINUX_ERRNO.get(name)
        # Only a number the sandbox's own file functions gave: its name agrees with the exception's class
        # (FileNotFoundError(2, ...) raised by an LF keeps its 2, which here would name EACCES).
        expected = _ERRNO_OF_CLASS.get(type(exc).__name__)
        if expected is not None and name not in expected:
            linux = None
        if linux is not None and linux != number:
            text = text.replace(f"[Errno {number}]", f"[Errno {linux}]", 1)
    return text


def error_info(exc, user_files, kind, file=None):
    """The error as the user sees it, at a line of the LF file (`file`, else the one being executed). When
    it was raised in one of the user's helper modules (a sibling, the package's __init__.py), the message
    starts with that file and line ("pkg/helper.py:3: NameError: ...")."""
    main = file if file is not None else current["file"]
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in user_files or _beside(f.filename, main)]
    missing = missing_package(exc)
    # The name Python's own NameError carries ("name 'x' is not defined"); None for one an LF raised itself.
    undefined = getattr(exc, "name", None) if isinstance(exc, NameError) else None
    if type(undefined) is not str or f"name '{undefined}' is not defined" not in _text(exc):
        undefined = None
    if missing is not None:
        kind = "missing-package"
    elif undefined is not None and undefined not in failed_imports.get(main, ()) and "*" in failed_imports.get(main, ()):
        # `from helpers import *` raised (helpers imports spacy), so none of its names were bound.
        at, why, needs_package, _ = failed_imports[main]["*"]
        missing = f"NameError: name '{undefined}' is not defined; it may be one of the names of the `import *` at line {at}, which raised"
        if kind != "import":
            # An LF's error names the cause; a later top-level statement's, shown beside that one, does not repeat it.
            kind = "missing-package" if needs_package else kind
            missing += f": {why}"
    elif undefined is not None and undefined in failed_imports.get(main, ()):
        # `from textblob import TextBlob` failed at the top level, so the LF's TextBlob(...) is a NameError:
        # the cause is the import.
        at, why, needs_package, is_import = failed_imports[main][exc.name]
        if kind == "import":
            # A later top-level statement (a notebook cell using what the failed one set): shown beside that
            # one, so the cause is named, not repeated.
            missing = f"NameError: name '{exc.name}' is not defined because the top-level statement at line {at} raised"
        elif is_import:
            kind = "missing-package"
            missing = f"NameError: name '{exc.name}' is not defined because its import (line {at}) failed: {why}"
        else:
            # `vectorizer = joblib.load("tfidf.joblib")` raised at the top level (or `nlp = spacy.load(...)` after
            # `import spacy` did): the cause is that statement.
            kind = "missing-package" if needs_package else kind
            missing = f"NameError: name '{exc.name}' is not defined because the top-level statement that sets it (line {at}) raised: {why}"
    if isinstance(exc, SyntaxError) and exc.filename == main:
        line = exc.lineno
        tb = exception_text(exc)
        message = f"SyntaxError: {exc.msg}"
    else:
        own = [f for f in frames if f.filename == main]
        line = own[-1].lineno if own else frames[-1].lineno if frames and not main else None
        tb = ("Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)) if frames else "")
        tb += exception_text(exc)
        if isinstance(exc, SyntaxError) and exc.filename in user_files:
            message = f"SyntaxError: {exc.msg}"
            where = (exc.filename, exc.lineno)
        else:
            message = missing or exception_line(exc)
            message += spacy_model_hint(exc) or nltk_data_hint(exc) or missing_field_hint(exc) or ""
            message += shadowed_stdlib_hint(exc, main) or ""
            where = (frames[-1].filename, frames[-1].lineno) if frames else None
        if where is not None and main and where[0] != main:
            message = f"{shown(where[0], main)}:{where[1]}: {message}"
        if NATIVE and isinstance(exc, PermissionError) and exc.errno == 1 and _starts_process(exc):
            message += (
                " (LF Studio's Python runtime starts no new processes: LF files cannot run programs; run a download"
                " or set-up step beforehand and read its files from the workspace)"
            )
        relative = getattr(exc, "filename", None) if isinstance(exc, FileNotFoundError) else None
        if isinstance(relative, str) and not relative.startswith("/") and main and "/" in main:
            # Snorkel notebooks often read files relative to where the notebook ran; here it is the file's folder.
            message += f" (a relative path is read from the LF file's folder, {main.rsplit('/', 1)[0]})"
    return {"kind": kind, "message": message[:2000], "line": line, "traceback": tb[-8000:]}


def _text(exc):
    """str(exc), or "" when the exception's own __str__ raises (traceback prints <exception str() failed>)."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - the user's __str__
        return ""
    return text if type(text) is str else ""


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_WORDS = re.compile(r"[A-Za-z0-9]")


def exception_line(exc):
    """The exception in one line: the last of `format_exception_only` ("ValueError: ..."), or, when that one is
    decoration (NLTK frames its LookupError in rows of asterisks), the type and the message's first line with
    words in it ("LookupError: Resource wordnet not found.")."""
    last = exception_text(exc).strip().splitlines()[-1]
    if _WORDS.search(last):
        return last
    for line in _ANSI.sub("", _text(exc)).splitlines():
        if _WORDS.search(line):
            return f"{type(exc).__name__}: {line.strip()}"
    return last


# The row methods whose KeyError means "no such field" (x["labels"], x[["a", "b"]], a preprocessor's row).
_ROW_LOOKUPS = (lf_row_class.RowTuple.__getitem__.__code__, lf_row_class.MutableRow.__getitem__.__code__)


def missing_field_hint(exc):
    """x["lable"] raises KeyError('lable'), as a pandas row does, and the message says which fields the row has,
    as x.lable's AttributeError does. Only for a KeyError raised by the row's own lookup (its frame is the
    traceback's last), never for one from a dict of the LF's."""
    tb = exc.__traceback__ if isinstance(exc, KeyError) else None
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    if frame.f_code not in _ROW_LOOKUPS:
        return None
    key = frame.f_locals.get("key")
    row = frame.f_locals.get("self")
    if type(key) is not str:
        return None
    if isinstance(row, lf_row_class.RowTuple):
        fields = type(row)._fields
    elif isinstance(row, lf_row_class.MutableRow):
        fields = tuple(object.__getattribute__(row, "__dict__"))
    else:
        return None
    import difflib

    # x.star gets Python's own "Did you mean"; x["helpful-votes"] gets it here.
    close = difflib.get_close_matches(key, [f for f in fields if isinstance(f, str)], n=1, cutoff=0.6)
    mean = f"; did you mean {close[0]!r}?" if close else ""
    return f" ({_text(lf_row_class.no_field(key, fields))}{mean})"


_NLTK_DOWNLOAD = re.compile(r"nltk\.download\('([^']+)'\)")


def nltk_data_hint(exc):
    """For NLTK's LookupError (a corpus or model not downloaded): where to put it so LF Studio's runtime finds
    it. nltk.download() writes to the home folder, which the user's Python does not see here."""
    found = _NLTK_DOWNLOAD.search(_text(exc)) if isinstance(exc, LookupError) else None
    if found is None:
        return None
    name = found.group(1)
    python = getattr(lf_guard, "INTERPRETER", None) or "python3"
    return (
        f" (LF Studio runs LF files without your home folder, where nltk.download() puts data: download it into"
        f" the LF file's folder with `{python} -m nltk.downloader -d nltk_data {name}` run there, and add"
        f" `nltk.data.path.append(\"nltk_data\")` after `import nltk`)"
    )


def shadowed_stdlib_hint(exc, main):
    """`from keyword import SPAM` with a keyword.py of the user's beside the LF file: Python had already imported
    the standard library's keyword (at start-up, or the runtime had), so the import reads that one and the name
    is not there. Says so and to rename the file; None for any other error."""
    if isinstance(exc, ImportError) and not isinstance(exc, ModuleNotFoundError):
        module, origin = exc.name, exc.path
    elif isinstance(exc, AttributeError) and type(getattr(exc, "obj", None)).__name__ == "module":
        module, origin = getattr(exc.obj, "__name__", None), getattr(exc.obj, "__file__", None)
    else:
        return None
    if not isinstance(module, str) or "." in module or module not in _STDLIB or not main or "/" not in main:
        return None
    folder = main.replace("\\", "/").rsplit("/", 1)[0]
    if isinstance(origin, str) and origin.replace("\\", "/").startswith(folder + "/"):
        return None  # the user's own module was the one imported: its error is its own
    mine = module in sibling_modules.get(main, ()) or (NATIVE and (os.path.isfile(f"{folder}/{module}.py") or os.path.isfile(f"{folder}/{module}/__init__.py")))
    if not mine:
        return None
    return (
        f" ({module}.py beside the LF file is named like the standard-library module {module}, which Python had"
        f" already imported, so the import reads the standard library's; rename your file, e.g. to my_{module}.py,"
        f" and import it by that name)"
    )


def _starts_process(exc):
    """Whether the exception came from starting a process (subprocess, os.system/fork/spawn, multiprocessing)."""
    for frame in traceback.extract_tb(exc.__traceback__):
        name = frame.filename.replace("\\", "/").rsplit("/", 1)[-1]
        if name in ("subprocess.py", "os.py", "pty.py") or "/multiprocessing/" in frame.filename.replace("\\", "/"):
            return True
    return False


def shown(path, main=None):
    """A helper file as messages name it: its folder and name (pkg/helper.py), from the LF file's folder on
    for a package below it (app/mylib/text/clean.py)."""
    path = path.replace("\\", "/")
    parts = path.split("/")
    package = package_folders.get(main)
    if package and path.startswith(package):
        # From the package's folder on: hmm/__init__.py.
        return "/".join(parts[len(package.split("/")) - 2 :])
    if _beside(path, main):
        return "/".join(parts[len(main.replace("\\", "/").split("/")) - 2 :])
    return "/".join(parts[-2:])


def _beside(path, main):
    """Whether `path` is a Python file of the user's own below the LF file's folder (a package of theirs
    beside it), or in the package the LF file runs in (hmm/__init__.py for hmm/labeling/moral.py), not one of an
    environment kept there (.venv/lib/.../site-packages)."""
    if not main or "/" not in main.replace("\\", "/") or not path.endswith(".py"):
        return False
    path = path.replace("\\", "/")
    folder = main.replace("\\", "/").rsplit("/", 1)[0] + "/"
    inside = path.startswith(folder) or path.startswith(package_folders.get(main) or folder)
    return inside and "/site-packages/" not in path and "/dist-packages/" not in path


# Appended to an invalid return's message when an int label is past the last class.
MORE_CLASSES = (
    " (LF Studio knows {k} classes; if there are more, name them all in class-id order: \"labels\" in "
    "lfstudio.json, --labels A,B,... on the command line)"
)


def return_line(lf):
    """The line of the LF's return statement when it has exactly one, so an invalid value is reported where it
    is produced; None when there are several (the caller falls back to the LF's own line)."""
    code = getattr(getattr(lf, "_f", None), "__code__", None)
    if code is None:
        return None
    try:
        import dis

        lines = {
            ins.positions.lineno
            for ins in dis.get_instructions(code)
            if ins.opname in ("RETURN_VALUE", "RETURN_CONST") and ins.positions is not None and ins.positions.lineno
        }
    except Exception:  # noqa: BLE001 - a best-effort pointer, never a reason to fail the run
        return None
    return lines.pop() if len(lines) == 1 else None


