"""Lets HyperStream 0.3.8 (written for Python 2.7/3.6) import on Python 3.10+.

setup.sh installs this module into the virtual environment with a .pth file, so it runs at start-up:
HyperStream does `from collections import Iterable`, and the abstract base classes left
`collections` for `collections.abc` in Python 3.10.
"""
import collections
import collections.abc

for _name in ("Iterable", "Mapping", "MutableMapping", "Sequence", "Hashable", "Callable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))
