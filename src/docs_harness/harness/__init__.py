"""The docs harness: every fenced block of a folder of pages applied to a real Django
project on the installed Django line.

Modules, in the order data flows through them:

- ``extract``: a page's blocks (``docs_harness.fences``), cross-checked with pytest-examples
- ``settings_merge``: apply a settings snippet to a real ``settings.py``
- ``commands``: read shell blocks into commands the harness knows, with shown output
- ``outputs``: compare real output and errors with what a page shows, normalised
- ``packages``: whether a ``pip install`` line is met by the installed packages
- ``project``: a fresh Django project on disk (with ``example/``), and its commands
- ``collect_cache``: collectstatic results shared between pages with the same inputs
- ``django_facts``: a script run inside the project that reports its effective settings
- ``servers``: real servers on 127.0.0.1, always stopped
- ``fetch``: plain HTTP requests against those servers
- ``checks``: configuration checks on the project's facts, mistakes from the rulebook
- ``http_checks``: what the pages claim WhiteNoise does, as checks on responses
- ``page_context``: what one page run holds: project, server, verdicts so far
- ``blocks``: a handler per kind of block (settings, file, shell)
- ``shell_steps``: a handler per kind of command (manage.py, servers, curl, pip)
- ``scenario``: one page applied block by block, then its result checked
- ``pages``: every page under a folder, run in parallel
- ``updates``: write real output into pages (``--update-examples``)

Only ``project``, ``django_facts`` and the handlers start Django.
"""
