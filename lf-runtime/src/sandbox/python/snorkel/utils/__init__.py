from snorkel._compat import probs_to_preds, preds_to_probs, to_int_label_array  # noqa: F401
