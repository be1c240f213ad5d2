"""check-docs: anyone's Markdown, its blocks found the way CommonMark finds them, read
the way a reader reads them, and tried on a real Django project inside a sandbox.

Modules, in the order data flows through them:

- ``document``: any bytes in, UTF-8 text out, or one reason it cannot be read; the bounds
- ``markdown_blocks``: every code block of a Markdown file, by CommonMark's rules
- ``block_kinds``: what each block is to a reader (settings, shell steps, another file)
- ``prose``: what the sentences tell the reader to do (install WhiteNoise)
- ``environment``: the variables the settings read, and their stand-in values
- ``sandbox``: where the document's code runs (bubblewrap), and what it refused
- ``page_check``: a page's blocks read in order, its settings merged into a real project
- ``page_state``: the verdicts, and what reading a page has led to so far
- ``loading``: those settings loaded in the sandbox, Django's checks run, mistakes placed
- ``diagnoses``: the rulebook's mistakes found in what the page leads to
- ``output``: what a run found, as text, JSON or GitHub annotations
- ``cli``: the ``check-docs`` command
"""
