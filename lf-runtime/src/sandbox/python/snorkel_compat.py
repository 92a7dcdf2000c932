"""Snorkel 0.9/0.10 labeling API, reimplemented for the LF sandbox (installed as `snorkel._compat`).

Only the parts an LF file touches at import and apply time are real: labeling_function, LabelingFunction,
preprocessor / Preprocessor. Appliers and models exist so that files importing them still load; calling
them explains that LF Studio applies the functions itself.
"""
import copy as _copy

ABSTAIN = -1


class _Missing:
    """Stands in for Snorkel classes the editor runs for you (appliers, label models, analysis)."""

    def __init__(self, name):
        self._name = name

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            f"{self._name} is not available inside LF Studio's sandbox: LF Studio applies your labeling "
            "functions and fits the label model itself. Keep only the LF definitions in this file."
        )

    def __repr__(self):
        return f"<unavailable {self._name}>"


class Preprocessor:
    """A function x -> x' applied before an LF; with memoize=True its result is cached per row."""

    def __init__(self, name, f, pre=None, memoize=False, memoize_key=None):
        self.name = name
        self._f = f
        self._pre = list(pre or [])
        self.memoize = memoize
        self._memoize_key = memoize_key
        self._cache = {}

    def reset_cache(self):
        self._cache = {}

    def __call__(self, x):
        for p in self._pre:
            x = p(x)
        if self.memoize:
            key = self._memoize_key(x) if self._memoize_key else _row_key(x)
            if key in self._cache:
                return self._cache[key]
        # Snorkel maps a copy, so a preprocessor never edits the row other functions see.
        y = self._f(_copy.copy(x))
        if y is None:
            raise ValueError(f"Preprocessor {self.name} returned None; it must return the (modified) data point.")
        if self.memoize:
            self._cache[key] = y
        return y

    def __repr__(self):
        return f"Preprocessor {self.name}, Pre: {self._pre}"


LambdaPreprocessor = Preprocessor


def _row_key(x):
    rid = getattr(x, "_lf_row_index", None)
    if rid is not None:
        return rid
    try:
        return hash(x)
    except TypeError:
        return id(x)


def preprocessor(name=None, pre=None, memoize=False, memoize_key=None):
    """Decorator: `@preprocessor(memoize=True)` turns f(x) -> x' into a Preprocessor."""
    if callable(name) and pre is None and not memoize:
        f = name
        return Preprocessor(f.__name__, f)

    def decorate(f):
        return Preprocessor(name or f.__name__, f, pre=pre, memoize=memoize, memoize_key=memoize_key)

    return decorate


import sys as _sys

# Paths of the user files being executed; set by the runner so LFs know the line that created them.
_user_files = frozenset()


def _creation_line(name, f):
    """Line in the user's file of the decorator/def, or of the call that built the LF (factory style)."""
    code = getattr(f, "__code__", None)
    if code is not None and code.co_name == getattr(f, "__name__", None) == name and code.co_filename in _user_files:
        return code.co_firstlineno
    # The outermost frame in the user's file is the module-level statement that made the LF, even when a
    # factory function (also in the user's file) called LabelingFunction.
    line = None
    frame = _sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename in _user_files:
            line = frame.f_lineno
        frame = frame.f_back
    if line is not None:
        return line
    return code.co_firstlineno if code is not None else 0


class LabelingFunction:
    """Snorkel's LabelingFunction: f(x, **resources) after the preprocessors, returning a label or -1."""

    def __init__(self, name, f, resources=None, pre=None):
        if not isinstance(name, str):
            raise TypeError(f"LabelingFunction name must be a string, got {type(name).__name__}")
        if not callable(f):
            raise TypeError(f"LabelingFunction {name}: f must be callable")
        self.name = name
        self._f = f
        self._resources = dict(resources or {})
        self._pre = list(pre or [])
        self._lf_line = _creation_line(name, f)

    def __call__(self, x):
        for p in self._pre:
            x = p(x)
            if x is None:
                raise ValueError(f"Preprocessor {p!r} returned None")
        return self._f(x, **self._resources)

    def __repr__(self):
        return f"{type(self).__name__} {self.name}, Preprocessors: {self._pre}"


def labeling_function(name=None, resources=None, pre=None):
    """Decorator: `@labeling_function()` (optionally name=, resources=, pre=) makes a LabelingFunction."""
    if callable(name) and resources is None and pre is None:
        # Tolerate the bare `@labeling_function` form.
        f = name
        return LabelingFunction(f.__name__, f)

    def decorate(f):
        return LabelingFunction(name or f.__name__, f, resources=resources, pre=pre)

    return decorate


class _NlpMissing:
    def __call__(self, *args, **kwargs):
        raise ModuleNotFoundError(
            "nlp_labeling_function needs spaCy, which LF Studio's sandbox does not provide (it has only the "
            "Python standard library). Use string or regex tests, or precompute the spaCy result into a data column.",
            name="spacy",
        )


nlp_labeling_function = _NlpMissing()
NLPLabelingFunction = nlp_labeling_function

PandasLFApplier = _Missing("PandasLFApplier")
LFApplier = _Missing("LFApplier")
DaskLFApplier = _Missing("DaskLFApplier")
SparkLFApplier = _Missing("SparkLFApplier")
LFAnalysis = _Missing("LFAnalysis")
LabelModel = _Missing("LabelModel")
MajorityLabelVoter = _Missing("MajorityLabelVoter")
filter_unlabeled_dataframe = _Missing("filter_unlabeled_dataframe")
