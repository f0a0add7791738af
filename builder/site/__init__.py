"""render: catalogue + selection + plan + history -> the static portal, swapped in atomically.

The recipe (`render_site`) reads top to bottom: measure the renditions the selection may show,
describe every page as plain data, render the pages whose data or templates changed (the
others are hard-linked from the previous site, named in its build manifest), link the
renditions in from the cache, write the feed, sitemap and search files, then swap the new
folder in for the old one. Nothing of an asset outside the selection is ever looked at after
the first step, so it cannot leak into any file.

Every internal link is relative to the page that holds it (`rel()`), so the portal works from
a folder on disk and under any sub-path; `base_url` only makes the absolute URLs that
canonical links, Open Graph tags, JSON-LD and the sitemap need.
"""

from builder.site.common import Page, SiteError, SiteReport, relative, script_json
from builder.site.media import PUBLISHED_KEY_CHARS
from builder.site.render import render_site

__all__ = ["PUBLISHED_KEY_CHARS", "Page", "SiteError", "SiteReport", "relative", "render_site", "script_json"]
