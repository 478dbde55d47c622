"""MIRAGE: a real-time music information retrieval engine for live art."""

__version__ = "0.1.0"
