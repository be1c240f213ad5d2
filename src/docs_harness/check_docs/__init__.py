"""check-docs: anyone's Markdown, its blocks found the way CommonMark finds them, read
the way a reader reads them, and tried on a real Django project.

Modules, in the order data flows through them:

- ``markdown_blocks``: every code block of a Markdown file, by CommonMark's rules
- ``block_kinds``: what each block is to a reader (settings, shell steps, not code)
- ``page_check``: a page's settings merged into a real project, Django's checks run
- ``diagnoses``: the rulebook's mistakes found in what the page leads to
- ``cli``: the ``check-docs`` command
"""
