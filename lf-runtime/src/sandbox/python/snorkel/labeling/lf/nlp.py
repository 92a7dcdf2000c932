from snorkel._compat import NLPLabelingFunction, nlp_labeling_function  # noqa: F401
