from typing import Any, Mapping  # noqa: F401
DataPoint = Any
DataPoints = Any
