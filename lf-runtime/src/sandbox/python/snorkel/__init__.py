"""Snorkel compatibility package of LF Studio's sandbox (labeling API only)."""
__version__ = "0.10.0+lfstudio"
