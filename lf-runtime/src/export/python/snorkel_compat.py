"""Snorkel 0.9/0.10 labeling API for a job exported by `lf-studio export-job`, used only where Snorkel itself
cannot be imported (the job serves this module as `snorkel`, `snorkel.labeling`, `snorkel.labeling.lf`,
`snorkel.preprocess`, ... so the LF files' imports work unchanged).

What an LF file touches at import and apply time is real and behaves as in LF Studio's editor:
labeling_function / LabelingFunction (f(x, **resources) after the preprocessors), preprocessor /
Preprocessor (maps a copy of the row, optionally memoized), nlp_labeling_function (needs spaCy on the
workers). Appliers, label models and analysis exist so that files importing them still load; calling one
says to install Snorkel, because the job applies the functions and the label model itself.
"""
import copy as _copy
import typing as _typing

ABSTAIN = -1
DataPoint = _typing.Any
DataPoints = _typing.Any


class _Missing:
    """Stands in for Snorkel classes the job does not need (appliers, label models, analysis)."""

    def __init__(self, name):
        self._name = name

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            f"{self._name} needs Snorkel (pip install snorkel) on the machine running the job; the exported job "
            "applies the labeling functions and the label model itself."
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


class SpacyPreprocessor(Preprocessor):
    """Snorkel's SpacyPreprocessor: parses x[text_field] with a spaCy model into x[doc_field] (needs spaCy and
    the model installed on the workers)."""

    def __init__(self, text_field, doc_field, language="en_core_web_sm", disable=None, pre=None, memoize=False, memoize_key=None, gpu=False):
        import spacy

        nlp = spacy.load(language, disable=disable or [])

        def parse(x):
            doc = nlp(x[text_field])
            try:
                x[doc_field] = doc
            except TypeError:
                setattr(x, doc_field, doc)
            return x

        super().__init__(f"SpacyPreprocessor {text_field}/{doc_field}", parse, pre=pre, memoize=memoize, memoize_key=memoize_key)


EN_CORE_WEB_SM = "en_core_web_sm"
_nlp_preprocessors = {}


class NLPLabelingFunction(LabelingFunction):
    """Snorkel's NLPLabelingFunction: an LF whose x has a spaCy Doc in x.doc (one parser per configuration)."""

    def __init__(self, name, f, resources=None, pre=None, text_field="text", doc_field="doc", language=EN_CORE_WEB_SM, disable=None, memoize=True, memoize_key=None, gpu=False):
        key = (text_field, doc_field, language, tuple(disable or ()), memoize)
        if key not in _nlp_preprocessors:
            _nlp_preprocessors[key] = SpacyPreprocessor(text_field, doc_field, language=language, disable=disable, memoize=memoize, memoize_key=memoize_key)
        super().__init__(name, f, resources=resources, pre=[*(pre or []), _nlp_preprocessors[key]])


def nlp_labeling_function(name=None, resources=None, pre=None, text_field="text", doc_field="doc", language=EN_CORE_WEB_SM, disable=None, memoize=True, memoize_key=None, gpu=False):
    """Decorator form of NLPLabelingFunction."""

    def decorate(f):
        return NLPLabelingFunction(name or f.__name__, f, resources=resources, pre=pre, text_field=text_field, doc_field=doc_field, language=language, disable=disable, memoize=memoize, memoize_key=memoize_key)

    return decorate


LFApplier = _Missing("LFApplier")
BaseLFApplier = _Missing("BaseLFApplier")
PandasLFApplier = _Missing("PandasLFApplier")
PandasParallelLFApplier = _Missing("PandasParallelLFApplier")
DaskLFApplier = _Missing("DaskLFApplier")
SparkLFApplier = _Missing("SparkLFApplier")
LFAnalysis = _Missing("LFAnalysis")
LabelModel = _Missing("LabelModel")
MajorityLabelVoter = _Missing("MajorityLabelVoter")
MajorityClassVoter = _Missing("MajorityClassVoter")
Scorer = _Missing("Scorer")
filter_unlabeled_dataframe = _Missing("filter_unlabeled_dataframe")

# The module names LF files import the API from; each is served with every public name above.
MODULES = (
    "snorkel",
    "snorkel.labeling",
    "snorkel.labeling.lf",
    "snorkel.labeling.lf.nlp",
    "snorkel.labeling.apply",
    "snorkel.labeling.apply.core",
    "snorkel.labeling.apply.dask",
    "snorkel.labeling.apply.pandas",
    "snorkel.labeling.apply.spark",
    "snorkel.labeling.model",
    "snorkel.labeling.model.baselines",
    "snorkel.labeling.model.label_model",
    "snorkel.labeling.analysis",
    "snorkel.preprocess",
    "snorkel.preprocess.nlp",
    "snorkel.analysis",
    "snorkel.types",
    "snorkel.utils",
)
