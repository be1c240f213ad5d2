"""The docs harness: every fenced block in docs/ applied to a real Django project.

Modules, in the order data flows through them:

- ``versions``: Django version ranges from tab labels and fence options
- ``fences``: find fenced blocks in Markdown, with their options and ranges
- ``settings_merge``: apply a settings snippet to a real ``settings.py``
- ``commands``: read shell blocks into commands the harness knows, with shown output
- ``outputs``: compare real output and errors with what a page shows, normalised
- ``packages``: whether a ``pip install`` line is met by the installed packages
- ``project``: a fresh Django project on disk, and running its commands
- ``collect_cache``: collectstatic results shared between pages with the same inputs
- ``django_facts``: a script run inside the project that reports its effective settings
- ``servers``: real servers on 127.0.0.1, always stopped
- ``fetch``: plain HTTP requests against those servers
- ``checks``: what the pages claim about configuration, as checks on facts
- ``http_checks``: what the pages claim WhiteNoise does, as checks on responses
- ``verdicts``: the outcome of each block
- ``shell_steps``: shell blocks applied to a page's project, servers and curl included
- ``scenario``: one page applied block by block, with a verdict per block
- ``pages``: every page under a folder, run in parallel
- ``report``: the JSON report, the summary line and failure messages
- ``updates``: write real output into pages (``--update-examples``)

Only ``project``, ``django_facts``, ``shell_steps`` and ``scenario`` know that Django exists.
"""
