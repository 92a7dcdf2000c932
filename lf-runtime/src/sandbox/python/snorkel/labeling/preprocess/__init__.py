# Snorkel 0.9.0 kept the preprocessors here (`from snorkel.labeling.preprocess import preprocessor`); later
# versions in snorkel.preprocess, which this serves.
from snorkel.preprocess import BasePreprocessor, LambdaPreprocessor, Preprocessor, preprocessor  # noqa: F401
