"""Find the pages under a docs folder and run each once, one page per core at a time."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..fences import Block
from ..verdicts import BlockVerdict, Environment
from .extract import extract_blocks
from .project import ProjectFactory
from .scenario import run_page


def display_path(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root)
    except ValueError:
        return path.resolve()


class PageRunner:
    """Extracts blocks at collection time; runs every page the first time a verdict is asked."""

    def __init__(self, docs_dir: Path, root: Path, environment: Environment) -> None:
        if not docs_dir.is_dir():
            raise FileNotFoundError(f"--docs-dir {docs_dir} is not a folder")
        self.docs_dir = docs_dir
        self.root = root
        self.environment = environment
        self.pages = {
            display_path(p, root): _blocks_of(p, display_path(p, root))
            for p in sorted(docs_dir.rglob("*.md"))
        }
        self._factory: ProjectFactory | None = None
        self._verdicts: dict[tuple[Path, int], BlockVerdict] | None = None
        self._lock = threading.Lock()

    def blocks(self) -> list[Block]:
        return [block for blocks in self.pages.values() for block in blocks]

    def started(self, workdir: Path) -> PageRunner:
        self._factory = ProjectFactory(workdir)
        return self

    def verdict(self, block: Block) -> BlockVerdict:
        with self._lock:
            if self._verdicts is None:
                self._verdicts = self._run_all()
        return self._verdicts[(block.path, block.line)]

    def finished_verdicts(self) -> list[BlockVerdict]:
        if self._verdicts is None:
            return []
        return [
            self._verdicts[(b.path, b.line)]
            for b in self.blocks()
            if (b.path, b.line) in self._verdicts
        ]

    def _run_all(self) -> dict[tuple[Path, int], BlockVerdict]:
        workers = int(os.environ.get("DOCS_HARNESS_WORKERS", os.cpu_count() or 2))
        factory = self._factory
        assert factory is not None, "started() makes the project factory first"
        with ThreadPoolExecutor(max_workers=workers) as pool:
            runs = [
                pool.submit(run_page, blocks, self.environment, factory, f"page{index}")
                for index, blocks in enumerate(self.pages.values())
            ]
            verdicts = [verdict for run in runs for verdict in run.result()]
        return {(v.block.path, v.block.line): v for v in verdicts}


def _blocks_of(path: Path, shown: Path) -> list[Block]:
    return extract_blocks(path, path.read_text(encoding="utf-8"), shown)
