"""The docs harness: every fenced block in docs/ applied to a real Django project.

Modules, in the order data flows through them:

- ``versions``: Django version ranges from tab labels and fence options
- ``fences``: find fenced blocks in Markdown, with their options and ranges
- ``settings_merge``: apply a settings snippet to a real ``settings.py``
- ``commands``: read shell blocks into commands the harness knows
- ``project``: a fresh Django project on disk, and running its commands
- ``servers``: real servers on 127.0.0.1, always stopped
- ``fetch``: plain HTTP requests against those servers
- ``django_facts``: a script run inside the project that reports its effective settings
- ``checks``: what the pages claim, as assertions on facts and responses
- ``scenario``: one page applied block by block, with a verdict per block
- ``report``: the JSON report and the summary line

Only ``project``, ``django_facts`` and ``scenario`` know that Django exists.
"""
