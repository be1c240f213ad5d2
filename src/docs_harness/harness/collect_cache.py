"""collectstatic results shared between pages whose inputs to it are the same.

Within one run, the first page runs ``collectstatic`` for real; a later page whose
static-files settings, source files and arguments are identical, and whose
STATIC_ROOT is still empty, gets a copy of that result (files, times and output),
which is what running it again would have produced.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

#: The settings collectstatic's output depends on: where files come from and go, how
#: they are named and compressed, and the modes they are written with. DEBUG and the
#: WhiteNoise settings the middleware reads at run time are not among them.
_INPUTS = (
    "INSTALLED_APPS", "STATIC_ROOT", "STATIC_URL", "STATICFILES_DIRS", "STATICFILES_FINDERS",
    "STATICFILES_STORAGE", "STORAGES", "FILE_UPLOAD_PERMISSIONS",
    "FILE_UPLOAD_DIRECTORY_PERMISSIONS",
    # Read by WhiteNoise's storage classes (storage.py) while collecting
    "WHITENOISE_SKIP_COMPRESS_EXTENSIONS", "WHITENOISE_KEEP_ONLY_HASHED_FILES",
    "WHITENOISE_MANIFEST_STRICT",
)  # fmt: skip
_NOT_SOURCES = {"__pycache__", "settings.py", "db.sqlite3"}
_ROOT_MARK = "<project>"


@dataclass(frozen=True)
class Collected:
    tree: Path
    output: str


class CollectCache:
    def __init__(self, store: Path) -> None:
        self.store = store
        self._entries: dict[str, Collected] = {}
        self._lock = threading.Lock()

    def key(self, root: Path, args: tuple[str, ...], declared: dict[str, object]) -> str:
        settings = {k: v for k, v in declared.items() if k in _INPUTS}
        digest = hashlib.sha256(
            json.dumps([args, settings], sort_keys=True, default=str)
            .replace(str(root), _ROOT_MARK)
            .encode()
        )
        static_root = Path(str(declared.get("STATIC_ROOT")))
        for path in sorted(root.rglob("*")):
            if (
                path.is_file()
                and static_root not in path.parents
                and path.suffix != ".log"
                and not _NOT_SOURCES.intersection(path.relative_to(root).parts)
            ):
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def get(self, key: str, root: Path, static_root: Path) -> str | None:
        """Copy a stored result into ``static_root``; return its output, or None."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        shutil.copytree(entry.tree, static_root, dirs_exist_ok=True)  # copy2 keeps mtimes
        return entry.output.replace(_ROOT_MARK, str(root))

    def put(self, key: str, root: Path, static_root: Path, output: str) -> None:
        tree = self.store / key
        with self._lock:
            if key in self._entries:
                return
            shutil.copytree(static_root, tree)
            self._entries[key] = Collected(tree, output.replace(str(root), _ROOT_MARK))
