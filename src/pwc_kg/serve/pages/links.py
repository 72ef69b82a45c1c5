"""Where a link goes: entity IRIs under the store's base IRI become the server's own paths.

>>> links = Links("https://w3id.org/pwc-kg/resource/", "http://127.0.0.1:8000/")
>>> links.href("https://w3id.org/pwc-kg/resource/paper/lamini-lm")
'/paper/lamini-lm'
>>> links.href("https://arxiv.org/abs/2304.14402")
'https://arxiv.org/abs/2304.14402'
>>> links.href("javascript:alert(1)") is None
True
>>> links.iri("/model/hf/MBZUAI/LaMini-GPT-1.5B")
'https://w3id.org/pwc-kg/resource/model/hf/MBZUAI/LaMini-GPT-1.5B'
>>> Links("https://w3id.org/pwc-kg/resource/", "https://example.org/kg/").href("https://w3id.org/pwc-kg/resource/task/x")
'/kg/task/x'
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from ...iri import safe_url

# Characters a path keeps as they are when it is re-encoded (those of a minted IRI's path).
_PATH_SAFE = "/-._~%!$&'()*+,;=:@"


class Links:
    def __init__(self, base_iri: str, public_base: str):
        self.base = base_iri
        # Root-relative links (the public base's path as prefix) work whatever host name the browser used.
        self.prefix = urlsplit(public_base).path.rstrip("/")

    def path(self, local: str) -> str:
        """The server path of a page: ``/search``, ``/paper/slug``, ..."""
        return f"{self.prefix}/{local.lstrip('/')}"

    def href(self, iri: str | None) -> str | None:
        """The link for an IRI: its page on this server, an outside http(s) URL as is, else None."""
        if not iri:
            return None
        if iri.startswith(self.base):
            return self.path(iri[len(self.base):])
        return safe_url(iri) if iri.startswith(("http://", "https://")) else None

    def iri(self, path: str) -> str:
        """The entity IRI a page path names (the path as the server received it)."""
        return self.base + path.lstrip("/")

    def iri_candidates(self, path: str) -> list[str]:
        """The IRI as given, then re-encoded (a server may hand over the path percent-decoded)."""
        local = path.lstrip("/")
        out = [self.base + local]
        try:
            raw = local.encode("latin-1").decode("utf-8") if any(ord(c) > 127 for c in local) else local
        except (UnicodeEncodeError, UnicodeDecodeError):
            raw = local
        for text in (local, raw):
            encoded = self.base + quote(text, safe=_PATH_SAFE)
            if encoded not in out:
                out.append(encoded)
        return out
