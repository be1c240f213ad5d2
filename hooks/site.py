"""MkDocs hook: each page for one Django line, badged from the harness reports, then
with the harness-only fence options hidden. The work is in ``docs_harness.site``."""

from mkdocs.structure.files import File, InclusionLevel

from docs_harness.site.build import SiteBuild
from docs_harness.site.fence_options import hide_harness_options
from docs_harness.site.record_pages import is_record_page

_build = SiteBuild()


def on_config(config, **kwargs):
    _build.configure(config)
    return config


def on_files(files, config, **kwargs):
    # Each page's run records, generated: a page of the site, but not one of the nav.
    sources = {file.src_uri: file.content_string for file in files.documentation_pages()}
    for src_uri, content in _build.record_pages(sources, config["docs_dir"]).items():
        page = File.generated(config, src_uri, content=content)
        page.inclusion = InclusionLevel.NOT_IN_NAV
        files.append(page)
    return files


def on_page_markdown(markdown, page, config, **kwargs):
    # Order matters: versioning reads the fence options that are then hidden.
    if is_record_page(page.file.src_uri):
        return markdown  # generated: what a run printed, shown as it was
    markdown = _build.page_markdown(
        markdown, page.file.src_uri, page.file.content_string, config["docs_dir"]
    )
    return hide_harness_options(markdown)
