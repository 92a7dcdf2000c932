from typing import Any, Mapping  # noqa: F401

from snorkel._compat import DataPoint, DataPoints, Field, FieldMap, HashingFunction  # noqa: F401
