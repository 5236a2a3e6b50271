"""Optional packages (the `onnx` extra): one clear line when one is missing, wherever it is needed."""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingPackage(ImportError):
    """An optional package is not installed; the message names it, what needs it, and how to install it."""


def require(module: str, *, needed_for: str, extra: str) -> ModuleType:
    """Import `module`, or raise MissingPackage saying `<needed_for> needs <module>...: pip install -e '.[<extra>]'`.

    Only a module that is absent is reported so; one that is installed but fails to import keeps its own error.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        raise MissingPackage(f"{needed_for} needs {module}, which is not installed: pip install -e '.[{extra}]'") from exc
