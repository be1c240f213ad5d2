"""Documentation whose every code block runs: the engine behind the WhiteNoise guide.

The core, which imports neither Django nor pytest:

- ``versions``: Django release lines and ranges
- ``fences``: fenced blocks of a page, their options and Django range
- ``verdicts``: the outcome of each block, and the environment it ran in
- ``report``: the JSON report, written and read here only
- ``rules``: the rulebook of mistakes, with their codes

Then ``harness`` (runs pages on real projects), ``check_docs`` (anyone's Markdown),
``site`` (one version of the site per Django line) and ``pytest_plugin``.
"""
