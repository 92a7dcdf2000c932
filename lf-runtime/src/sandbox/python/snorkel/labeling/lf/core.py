from snorkel._compat import LabelingFunction, labeling_function  # noqa: F401
