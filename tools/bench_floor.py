"""The floor under one Django line: startproject, collectstatic and one request.

Run by ``nox -s bench``; prints the seconds each step took (``--json``: as JSON), with
the Django installed in the running interpreter.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from docs_harness.harness.fetch import request
from docs_harness.harness.project import ProjectFactory
from docs_harness.harness.servers import serve

SETTINGS = """
STATIC_ROOT = BASE_DIR / "staticfiles"
MIDDLEWARE = [
    # ...
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ...
]
"""


def main() -> None:
    steps: list[tuple[str, float]] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        project = ProjectFactory(Path(workdir)).new("floor")
        project.apply_settings(SETTINGS)
        steps.append(("startproject", time.perf_counter() - start))
        mark = time.perf_counter()
        result = project.manage(("collectstatic", "--noinput"))
        assert result.ok, result.output
        steps.append(("collectstatic", time.perf_counter() - mark))
        mark = time.perf_counter()
        log = Path(workdir) / "gunicorn.log"
        env = project.env(production=True)
        with serve(project.gunicorn_argv, cwd=project.root, env=env, log_path=log) as server:
            response = partial(request, server.port)("/static/static_demo/site.css")
            assert response.status == 200, response.describe()
        steps.append(("server + one request", time.perf_counter() - mark))
    total = time.perf_counter() - start
    if "--json" in sys.argv:
        print(json.dumps({**dict(steps), "total": total}))
        return
    for name, seconds in steps:
        print(f"floor  {name:<22}{seconds:6.2f} s")
    print(f"floor  {'total':<22}{total:6.2f} s")


if __name__ == "__main__":
    main()
