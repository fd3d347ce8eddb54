"""graph-crm: a graph-native customer relationship engine."""

__version__ = "0.1.0"
