from snorkel._compat import (  # noqa: F401
    ABSTAIN, LabelingFunction, labeling_function, PandasLFApplier, LFApplier, LFAnalysis, DaskLFApplier,
    SparkLFApplier, filter_unlabeled_dataframe, NLPLabelingFunction, nlp_labeling_function, LabelModel,
    MajorityLabelVoter,
)
