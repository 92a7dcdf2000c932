"""Snorkel 0.9/0.10 labeling API, reimplemented for LF Studio (the `snorkel` package LF files import when no
Snorkel is installed; this module is `snorkel._compat`, and a job written by `lf-studio export-job` serves the
same text as its `snorkel` modules).

Only the parts an LF file touches at import and apply time are real: labeling_function, LabelingFunction,
preprocessor / Preprocessor. Appliers and models exist so that files importing them still load; calling
them explains that LF Studio applies the functions itself.
"""
import copy as _copy
import typing as _typing

ABSTAIN = -1
DataPoint = _typing.Any
DataPoints = _typing.Any
# snorkel.types' other aliases, which LF files import for annotations (`from snorkel.types import FieldMap`).
Field = _typing.Any
FieldMap = _typing.Dict[str, _typing.Any]
HashingFunction = _typing.Callable[[_typing.Any], int]

# What calling a stand-in (an applier, a label model) says after its name; an exported job sets its own.
_MISSING_ADVICE = (
    "is not available inside LF Studio: LF Studio applies your labeling functions and fits the label model itself, "
    "so this statement is skipped; the rest of the file still runs (under Snorkel it runs as written)."
)


class _Missing:
    """Stands in for Snorkel classes the editor runs for you (appliers, label models, analysis)."""

    def __init__(self, name):
        self._name = name

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"{self._name} {_MISSING_ADVICE}")

    def __repr__(self):
        return f"<unavailable {self._name}>"


class BaseMapper:
    """Snorkel's BaseMapper: maps a copy of x (so the row other functions see is never edited), after the mappers
    in `pre`; with memoize=True its result is cached per row."""

    def __init__(self, name, pre=None, memoize=False, memoize_key=None):
        self.name = name
        self._pre = list(pre or [])
        self.memoize = memoize
        self._memoize_key = memoize_key
        self._cache = {}

    def reset_cache(self):
        self._cache = {}

    def _generate_mapped_data_point(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define _generate_mapped_data_point (or subclass Mapper and define run)")

    def __call__(self, x):
        if self.memoize:
            key = self._memoize_key(x) if self._memoize_key else _row_key(x)
            if key in self._cache:
                return self._cache[key]
        y = _copy.copy(x)
        for p in self._pre:
            y = p(y)
        y = self._generate_mapped_data_point(y)
        if self.memoize:
            self._cache[key] = y
        return y

    def __repr__(self):
        return f"{type(self).__name__} {self.name}, Pre: {self._pre}"


class Mapper(BaseMapper):
    """Snorkel's Mapper: `run(**fields)` returns new fields as a dict, set on the mapped copy. `field_names` maps
    run's parameters to the row's fields (default: run's parameter names), `mapped_field_names` run's output keys
    to the fields set (default: the keys themselves)."""

    def __init__(self, name, field_names=None, mapped_field_names=None, pre=None, memoize=False, memoize_key=None):
        if field_names is None:
            code = getattr(type(self).run, "__code__", None)
            field_names = {k: k for k in code.co_varnames[1 : code.co_argcount]} if code is not None else {}
        self.field_names = field_names
        self.mapped_field_names = mapped_field_names
        super().__init__(name, pre=pre, memoize=memoize, memoize_key=memoize_key)

    def run(self, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define run(self, ...), returning a dict of new fields")

    def _update_fields(self, x, mapped_fields):
        for k, v in mapped_fields.items():
            setattr(x, k, v)
        return x

    def _generate_mapped_data_point(self, x):
        field_map = {k: getattr(x, v) for k, v in self.field_names.items()}
        mapped_fields = self.run(**field_map)
        if mapped_fields is None:
            return None
        if self.mapped_field_names is not None:
            mapped_fields = {v: mapped_fields[k] for k, v in self.mapped_field_names.items()}
        return self._update_fields(x, mapped_fields)


class LambdaMapper(BaseMapper):
    """Snorkel's LambdaMapper: a function x -> x' (given a copy of x, so editing it in place is safe)."""

    def __init__(self, name, f, pre=None, memoize=False, memoize_key=None):
        self._f = f
        super().__init__(name, pre=pre, memoize=memoize, memoize_key=memoize_key)

    def _generate_mapped_data_point(self, x):
        y = self._f(x)
        if y is None:
            raise ValueError(f"Preprocessor {self.name} returned None; it must return the (modified) data point.")
        return y


class Preprocessor(Mapper):
    """Snorkel's Preprocessor, a Mapper (`run` and field names). Given a function (`Preprocessor(name, f)`), it
    maps with that function, as a LambdaPreprocessor does."""

    def __init__(self, name, field_names=None, mapped_field_names=None, pre=None, memoize=False, memoize_key=None, f=None):
        if f is None and callable(field_names) and not isinstance(field_names, dict):
            f, field_names = field_names, None
        self._f = f
        if f is not None:
            BaseMapper.__init__(self, name, pre=pre, memoize=memoize, memoize_key=memoize_key)
            self.field_names, self.mapped_field_names = {}, None
        else:
            super().__init__(name, field_names=field_names, mapped_field_names=mapped_field_names, pre=pre, memoize=memoize, memoize_key=memoize_key)

    def _generate_mapped_data_point(self, x):
        if self._f is not None:
            return LambdaMapper._generate_mapped_data_point(self, x)
        return super()._generate_mapped_data_point(x)


class LambdaPreprocessor(LambdaMapper):
    """Snorkel's LambdaPreprocessor: what @preprocessor makes."""


def _row_key(x):
    """The memo key of a data point: by content, as Snorkel's get_hashable keys it. Never its id: a
    preprocessor's output is freed after its row, and the next row's may get the same id."""
    rid = getattr(x, "_lf_row_index", None)
    if rid is not None:
        return rid
    return _frozen(x)


def _frozen(v):
    """A hashable stand-in for `v` with the same content: v itself when hashable; dicts, a namespace's fields,
    lists and tuples item by item."""
    try:
        hash(v)
        return v
    except TypeError:
        pass
    if isinstance(v, dict):
        return frozenset((k, _frozen(w)) for k, w in v.items())
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, tuple(_frozen(w) for w in v))
    fields = getattr(v, "__dict__", None)
    if isinstance(fields, dict):
        return (type(v).__name__, frozenset((k, _frozen(w)) for k, w in fields.items()))
    items = getattr(v, "items", None)
    if callable(items):
        return (type(v).__name__, frozenset((k, _frozen(w)) for k, w in items()))
    return (type(v).__name__, repr(v))


def preprocessor(name=None, pre=None, memoize=False, memoize_key=None):
    """Decorator: `@preprocessor(memoize=True)` turns f(x) -> x' into a LambdaPreprocessor."""
    if callable(name) and pre is None and not memoize:
        f = name
        return LambdaPreprocessor(f.__name__, f)

    def decorate(f):
        return LambdaPreprocessor(name or f.__name__, f, pre=pre, memoize=memoize, memoize_key=memoize_key)

    return decorate


def lambda_mapper(name=None, pre=None, memoize=False, memoize_key=None):
    """Snorkel's @lambda_mapper(): turns f(x) -> x' into a LambdaMapper."""
    if callable(name):
        raise ValueError("Looks like this decorator is missing parentheses: write @lambda_mapper()")

    def decorate(f):
        return LambdaMapper(name or f.__name__, f, pre=pre, memoize=memoize, memoize_key=memoize_key)

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


def _creation_home():
    """The file whose top level made the LF: the innermost module body among the frames that called
    LabelingFunction(), past any factory function (make_keyword_lf in a helper module) and class body."""
    frame = _sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "<module>":
            return frame.f_code.co_filename
        frame = frame.f_back
    return None


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
        self._lf_home = _creation_home()

    def __call__(self, x):
        for p in self._pre:
            x = p(x)
            if x is None:
                raise ValueError(f"Preprocessor {p!r} returned None")
        return self._f(x, **self._resources)

    def __repr__(self):
        return f"{type(self).__name__} {self.name}, Preprocessors: {self._pre}"


class labeling_function:
    """Decorator: `@labeling_function()` (optionally name=, resources=, pre=) makes a LabelingFunction. A class,
    as in Snorkel, so projects can subclass it (`class tagged_lf(labeling_function)`) to attach their metadata."""

    def __new__(cls, name=None, resources=None, pre=None, *args, **kwargs):
        if cls is labeling_function and callable(name) and resources is None and pre is None:
            # Tolerate the bare `@labeling_function` form (Snorkel asks for the parentheses).
            return LabelingFunction(name.__name__, name)
        return super().__new__(cls)

    def __init__(self, name=None, resources=None, pre=None):
        self.name = name
        self.resources = resources
        self.pre = pre

    def __call__(self, f):
        return LabelingFunction(self.name or f.__name__, f, resources=self.resources, pre=self.pre)


class SpacyPreprocessor(Preprocessor):
    """Snorkel's SpacyPreprocessor: parses x[text_field] with a spaCy model into x[doc_field]. Needs spaCy and
    the model installed in the interpreter that runs the file (LF Studio's Python runtime, not the sandbox)."""

    def __init__(self, text_field, doc_field, language="en_core_web_sm", disable=None, pre=None, memoize=False, memoize_key=None, gpu=False):
        import spacy  # ModuleNotFoundError(name="spacy") when the interpreter lacks it: reported as a missing package

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
        self._lf_line = _creation_line(name, f)


class nlp_labeling_function:
    """Decorator form of NLPLabelingFunction (a class, as in Snorkel)."""

    def __init__(self, name=None, resources=None, pre=None, text_field="text", doc_field="doc", language=EN_CORE_WEB_SM, disable=None, memoize=True, memoize_key=None, gpu=False):
        self.name = name
        self.resources = resources
        self.pre = pre
        self.text_field = text_field
        self.doc_field = doc_field
        self.language = language
        self.disable = disable
        self.memoize = memoize
        self.memoize_key = memoize_key
        self.gpu = gpu

    def __call__(self, f):
        return NLPLabelingFunction(self.name or f.__name__, f, resources=self.resources, pre=self.pre, text_field=self.text_field, doc_field=self.doc_field, language=self.language, disable=self.disable, memoize=self.memoize, memoize_key=self.memoize_key)


def probs_to_preds(probs, tie_break_policy="abstain", tol=1e-5):
    """Most likely class per row (-1 on a tie with tie_break_policy="abstain")."""
    out = []
    for row in probs:
        row = list(row)
        best = max(row)
        tied = [i for i, p in enumerate(row) if best - p <= tol]
        out.append(tied[0] if len(tied) == 1 or tie_break_policy != "abstain" else -1)
    return _as_array(out)


def preds_to_probs(preds, num_classes):
    return _as_array([[1.0 if int(p) == c else 0.0 for c in range(num_classes)] for p in preds])


def to_int_label_array(X, flatten_vector=True):
    return _as_array([int(v) for v in X])


def get_label_buckets(*y):
    """Row indices by tuple of labels, as snorkel.analysis.get_label_buckets."""
    buckets = {}
    for i, key in enumerate(zip(*[list(v) for v in y])):
        buckets.setdefault(tuple(int(k) for k in key), []).append(i)
    return {k: _as_array(v) for k, v in buckets.items()}


def metric_score(golds=None, preds=None, probs=None, metric="accuracy", filter_dict=None, **kwargs):
    golds, preds = [int(g) for g in golds], [int(p) for p in preds]
    pairs = [(g, p) for g, p in zip(golds, preds) if g != -1]
    if metric == "accuracy":
        return sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0
    if metric == "coverage":
        return sum(p != -1 for p in preds) / len(preds) if preds else 0.0
    pos = kwargs.get("pos_label", 1)
    tp = sum(g == pos and p == pos for g, p in pairs)
    fp = sum(g != pos and p == pos for g, p in pairs)
    fn = sum(g == pos and p != pos for g, p in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    if metric == "precision":
        return precision
    if metric == "recall":
        return recall
    if metric == "f1":
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    raise ValueError(f"metric {metric!r} is not available in LF Studio's snorkel stand-in (accuracy, coverage, precision, recall, f1)")


def _as_array(values):
    try:
        import numpy

        return numpy.asarray(values)
    except ImportError:
        return values


PandasLFApplier = _Missing("PandasLFApplier")
LFApplier = _Missing("LFApplier")
BaseLFApplier = _Missing("BaseLFApplier")
DaskLFApplier = _Missing("DaskLFApplier")
PandasParallelLFApplier = _Missing("PandasParallelLFApplier")
SparkLFApplier = _Missing("SparkLFApplier")
LFAnalysis = _Missing("LFAnalysis")
LabelModel = _Missing("LabelModel")
MajorityLabelVoter = _Missing("MajorityLabelVoter")
MajorityClassVoter = _Missing("MajorityClassVoter")
Scorer = _Missing("Scorer")
filter_unlabeled_dataframe = _Missing("filter_unlabeled_dataframe")
