"""Regio-agenda: the shared culture calendar of Den Haag, Leiden and Delft.

Importing this package loads nothing heavy (no web framework, no SQLite layer):
the submodules are imported where they are needed.
"""

__version__ = "0.1.0"
