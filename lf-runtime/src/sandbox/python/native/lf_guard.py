"""The native runtime's stand-in for the pyodide guard (../lf_guard.py), under the same name so the shared
runner (lf_runner.py) runs unchanged. Containment here is the operating system's: bubblewrap (no network,
read-only workspace and interpreter, no home, private /tmp, empty environment) and a seccomp filter (no new
processes), set up by the parent, plus the limits native_worker.py sets before any user code. A fresh process
serves each unit of trust, so there is no shared interpreter state to restore between files.
"""
import sys

RUNTIME = "python"
INTERPRETER = sys.executable
BLOCKED_MODULES = frozenset()


def restore(keep=False):
    """Nothing to put back: the process serves one unit of trust and is then discarded."""


def protect_type(cls):
    """Row classes are plain classes here; a unit may only change its own."""


def restore_class(cls, items, keep=False):
    """Nothing to put back: LFs of one file share their classes, as in Python, and no other unit sees them."""


def preload():
    """The user's own interpreter imports what it needs when the file asks."""


def _compat_path():
    import os

    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "shim", "snorkel", "_compat.py")


# The stand-in snorkel's _compat module, for lf_runner when a real Snorkel shadows the stand-in package.
COMPAT_PATH = _compat_path()
