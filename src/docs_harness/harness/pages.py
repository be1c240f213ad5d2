"""Find the pages under a docs folder and run each once, one page per core at a time,
reusing a page's stored verdicts while its key is unchanged."""

from __future__ import annotations

import os
import shutil
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import records
from ..fences import Block
from ..verdicts import BlockVerdict, Environment
from . import processes
from .extract import extract_blocks
from .project import ProjectFactory
from .result_store import ResultStore
from .scenario import run_page


def display_path(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root)
    except ValueError:
        return path.resolve()


@dataclass
class Page:
    path: Path
    text: bytes
    blocks: list[Block]
    #: Seconds its run took; None until it ran, 0 when its verdicts were reused
    seconds: float | None = None
    reused: bool = False


class PageRunner:
    """Extracts blocks at collection time; runs every page the first time a verdict is asked."""

    def __init__(
        self,
        docs_dir: Path,
        root: Path,
        environment: Environment,
        store: ResultStore | None = None,
    ) -> None:
        if not docs_dir.is_dir():
            raise FileNotFoundError(f"--docs-dir {docs_dir} is not a folder")
        self.docs_dir = docs_dir
        self.root = root
        self.environment = environment
        self.store = store
        self.pages = [_page(p, display_path(p, root)) for p in sorted(docs_dir.rglob("*.md"))]
        #: The pages this run runs: all, unless ``select`` narrowed them.
        self.selected = list(self.pages)
        self._factory: ProjectFactory | None = None
        self._verdicts: dict[tuple[Path, int], BlockVerdict] | None = None
        self._lock = threading.Lock()

    def blocks(self) -> list[Block]:
        return [block for page in self.pages for block in page.blocks]

    def select(self, paths: set[Path]) -> None:
        """Run only these pages (pytest's ``-k`` chose some of their blocks), each whole
        and in order: a block depends on the blocks above it."""
        self.selected = [page for page in self.pages if page.path in paths or not page.blocks]

    @property
    def complete(self) -> bool:
        return len(self.selected) == len(self.pages)

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
            for page in self.selected
            for b in page.blocks
            if (b.path, b.line) in self._verdicts
        ]

    def _run_all(self) -> dict[tuple[Path, int], BlockVerdict]:
        workers = int(os.environ.get("DOCS_HARNESS_WORKERS", os.cpu_count() or 2))
        factory = self._factory
        assert factory is not None, "started() makes the project factory first"
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            runs: dict[int, Future[list[BlockVerdict]]] = {}
            # The pages with the most blocks first: the longest run starts at once
            # instead of last, and the short ones fill the other cores around it.
            for index, page in sorted(enumerate(self.selected), key=lambda p: -len(p[1].blocks)):
                stored = self.store.get(page.path, page.text, page.blocks) if self.store else None
                if stored is not None:
                    page.seconds, page.reused = 0.0, True
                    runs[index] = _done(stored)
                else:
                    runs[index] = pool.submit(self._run_page, page, factory, f"page{index}")
            verdicts = [verdict for index in sorted(runs) for verdict in runs[index].result()]
        except BaseException:
            # Told to stop (or broken): nothing new starts, every child stops, the
            # pages still running see that at their next command, and their
            # projects go.
            processes.stop_all()
            pool.shutdown(wait=True, cancel_futures=True)
            shutil.rmtree(factory.workdir, ignore_errors=True)
            raise
        pool.shutdown()
        return {(v.block.path, v.block.line): v for v in verdicts}

    def _run_page(self, page: Page, factory: ProjectFactory, name: str) -> list[BlockVerdict]:
        start = time.perf_counter()
        verdicts = run_page(page.blocks, self.environment, factory, name)
        page.seconds = time.perf_counter() - start
        finished = records.now()
        for verdict in verdicts:
            if verdict.record is not None:
                verdict.record.ran = finished
        if self.store is not None:
            # Only reached if the page finished; a reuse then says the same date.
            self.store.put(page.path, page.text, verdicts, finished)
        return verdicts


def _done(verdicts: list[BlockVerdict]) -> Future[list[BlockVerdict]]:
    future: Future[list[BlockVerdict]] = Future()
    future.set_result(verdicts)
    return future


def _page(path: Path, shown: Path) -> Page:
    raw = path.read_bytes()
    return Page(shown, raw, extract_blocks(path, raw.decode("utf-8"), shown))
