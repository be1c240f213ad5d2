"""The harness as a checker for anyone's Markdown: blocks found the way CommonMark finds
them, read the way a reader reads them, and tried on real Django projects.

Modules, in the order data flows through them:

- ``markdown_blocks``: every code block of a Markdown file, by CommonMark's rules
- ``block_kinds``: what each block is to a reader (settings, shell steps, not code)
"""
