"""The site's HTML pages: server-rendered, no JavaScript, every value from the data escaped.

``Pages(site).render(path, params)`` answers a page path with ``(status, html)``, or None when
no page lives there; ``Pages.static`` holds the stylesheet the pages link to.
"""

from .router import Pages

__all__ = ["Pages"]
