from snorkel._compat import get_label_buckets, metric_score, Scorer  # noqa: F401
