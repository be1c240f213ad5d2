"""The site: each page rendered for one Django line, badged from the reports.

- ``versioned_markdown``: one page as one version of the site shows it
- ``compatibility``: the Compatibility page's matrix, from the reports
- ``fence_options``: hide the fence options only the harness reads
- ``build``: what the MkDocs hook (``hooks/site.py``) calls, in order

Nothing here imports Django or pytest: the site builds without them.
"""
