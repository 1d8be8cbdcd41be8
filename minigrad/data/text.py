"""Text for character-level language models, read from the Python installation itself.

Nothing is downloaded and nothing extra ships with minigrad: every corpus is built from
files of the running interpreter's standard library, so it is the same on every machine
with the same Python version (and may differ slightly between versions).
"""

from __future__ import annotations

import ast
import codecs
import functools
import sysconfig
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

# Pure-Python standard-library modules rich in prose, present in every CPython from 3.10
# on. Their order is the corpus's order.
_MODULES = (
    "textwrap.py",
    "difflib.py",
    "heapq.py",
    "bisect.py",
    "fractions.py",
    "statistics.py",
    "random.py",
    "functools.py",
    "collections/__init__.py",
    "contextlib.py",
    "copy.py",
    "numbers.py",
    "queue.py",
    "sched.py",
    "threading.py",
    "calendar.py",
    "argparse.py",
    "configparser.py",
    "json/__init__.py",
    "logging/__init__.py",
    "doctest.py",
    "timeit.py",
    "cmd.py",
    "code.py",
)

CORPORA = ("docstrings", "source", "zen")
"""The names :func:`text_corpus` accepts."""


def _source(relative: str) -> str:
    path = Path(sysconfig.get_paths()["stdlib"]) / relative
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise FileNotFoundError(
            f"text_corpus reads the standard library's source file {path}, which this "
            f"Python installation does not have ({error})"
        ) from error


def _docstrings(tree: ast.AST) -> list[str]:
    """The docstrings of a module, its classes and functions, in source order."""
    found: list[str] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            docstring = ast.get_docstring(node)
            if docstring:
                found.append(docstring)
        pending.extend(reversed(list(ast.iter_child_nodes(node))))
    return found


def _zen() -> str:
    # this.py prints the Zen when imported; read its rot13-encoded text instead.
    for node in ast.parse(_source("this.py")).body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "s"
        ):
            return codecs.decode(ast.literal_eval(node.value), "rot_13") + "\n"
    raise RuntimeError("the standard library's this.py no longer holds the Zen as 's'")


@functools.cache
def text_corpus(name: str = "docstrings") -> str:
    """A text for training character-level models, read from Python's standard library.

    *What it tests:* a character-level language model learning spelling, words, syntax
    and layout from raw text — predicting each next character (Elman 1990 for letters;
    Sutskever, Martens & Hinton 2011 and Karpathy 2015 made it the standard test of a
    recurrent network's memory and capacity).

    *Source:* the running Python's own standard library (Python Software Foundation),
    so the text is fixed for a given Python version and needs no download:

    - ``"docstrings"`` (the default): the documentation strings of 24 prose-rich pure
      Python modules (``textwrap``, ``difflib``, ``statistics``, ``argparse``,
      ``logging``, ``doctest`` and others), in source order, separated by blank lines —
      English prose with code examples, about 230,000 characters (96 distinct ones on
      Python 3.11).
    - ``"source"``: the complete source code of the same modules, comments and all, for
      a model of program text (about 870,000 characters).
    - ``"zen"``: the Zen of Python by Tim Peters (PEP 20, 2004), from the ``this``
      module: a title and 19 aphorisms, under 1,000 characters — for quick tests,
      too short to learn from.

    Returns a ``str``; ``char_vocabulary``, ``encode`` and ``decode`` turn it into
    integer codes and back.

    >>> text = text_corpus()
    >>> len(text) > 50_000
    True
    >>> text_corpus("zen").splitlines()[0]
    'The Zen of Python, by Tim Peters'
    """
    if name == "zen":
        return _zen()
    if name == "source":
        return "\n".join(_source(module) for module in _MODULES)
    if name == "docstrings":
        parts = []
        for module in _MODULES:
            parts.extend(_docstrings(ast.parse(_source(module))))
        return "\n\n".join(parts) + "\n"
    raise ValueError(f"unknown corpus {name!r}; choose one of {', '.join(CORPORA)}")


def char_vocabulary(text: str) -> tuple[list[str], dict[str, int]]:
    """The distinct characters of ``text``, sorted, and each one's index.

    Returns ``(chars, index)`` with ``chars[index[c]] == c``; a model with
    ``len(chars)`` classes predicts ``index`` codes.

    >>> chars, index = char_vocabulary("hello")
    >>> chars, index["l"]
    (['e', 'h', 'l', 'o'], 2)
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    chars = sorted(set(text))
    return chars, {char: code for code, char in enumerate(chars)}


def encode(text: str, index: Mapping[str, int]) -> np.ndarray:
    """``text`` as an int64 array of codes from ``index`` (see :func:`char_vocabulary`).

    Raises a ``ValueError`` naming the first character ``index`` does not know.

    >>> chars, index = char_vocabulary("hello")
    >>> encode("hole", index).tolist()
    [1, 3, 2, 0]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    try:
        return np.fromiter((index[char] for char in text), dtype=np.int64, count=len(text))
    except KeyError as error:
        position = next(i for i, char in enumerate(text) if char not in index)
        raise ValueError(
            f"character {text[position]!r} at position {position} is not in the vocabulary"
        ) from error


def decode(codes: ArrayLike, chars: Sequence[str]) -> str:
    """The text whose codes are ``codes``: the inverse of :func:`encode`.

    >>> chars, index = char_vocabulary("hello")
    >>> decode(encode("hole", index), chars)
    'hole'
    """
    array = np.asarray(codes)
    if array.size and array.dtype.kind not in "iu":
        raise TypeError(f"codes must be integers, got dtype {array.dtype}")
    flat = array.reshape(-1).astype(np.int64)
    if flat.size and (flat.min() < 0 or flat.max() >= len(chars)):
        bad = int(flat[(flat < 0) | (flat >= len(chars))][0])
        raise ValueError(f"code {bad} is out of range for a vocabulary of {len(chars)}")
    return "".join(chars[code] for code in flat.tolist())
