"""Deterministic IRIs for everything pwc-kg mints.

An IRI depends only on the identifying fields of what it names, never on the order records
are read in, so a rebuild gives the same IRIs. Every minted IRI is plain ASCII: names are
reduced to a readable slug and percent-encoded, and a slug that loses information (case and
separators aside) gets a short hash of the name so that different names never share an IRI.

>>> slug("Question Answering")
'question-answering'
>>> slug("Top-1 Accuracy") == slug("top 1  accuracy")
True
>>> slug("BERT (large)")
'bert-large-aac994ff'
>>> slug("01/01/1967' AND 2*3*8=6*8 AND 'AncJ'='AncJ").isascii()
True
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
import re
import unicodedata
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from .entities import SEGMENTS
from .ntriples import clean_text

DEFAULT_BASE = "https://w3id.org/pwc-kg/resource/"

_SEP = re.compile(r"[\s_\-]+")
_NOT_WORD = re.compile(r"[^\w.]+")
_WS = re.compile(r"\s+")
# Names that say nothing about the model: scoped to their paper, not shared across papers.
GENERIC_MODEL_NAMES = frozenset(
    {
        "baseline", "baselines", "ours", "our model", "our method", "our approach", "proposed",
        "proposed method", "proposed model", "single model", "ensemble", "ensemble model", "model",
        "full model", "best model", "final model", "this paper", "this work", "our", "ours (full)",
        "human", "human performance", "random", "majority", "majority class", "oracle",
    }
)


def name_key(name: str) -> str:
    """The identity of a name: Unicode-normalised, case-folded, whitespace collapsed."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()


def short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


@lru_cache(maxsize=1 << 18)
def slug(name: str) -> str:
    """A readable, IRI-safe, collision-resistant path segment for a name."""
    key = name_key(name)
    readable = _NOT_WORD.sub("-", key).replace("_", "-").strip("-.")
    readable = re.sub(r"-{2,}", "-", readable)
    if not readable:
        return "h-" + short_hash(key)
    if _SEP.sub("-", key) != readable:
        readable = f"{readable}-{short_hash(key)}"
    return quote(readable, safe="-.~")


def metric_key(name: str) -> str:
    """Metric spellings that differ only in case, spaces, hyphens and underscores are one metric."""
    return _SEP.sub(" ", name_key(name)).strip()


def is_generic_model_name(name: str) -> bool:
    return name_key(name).strip(" .:*") in GENERIC_MODEL_NAMES


def segment(text: str) -> str:
    """Re-encode one path segment taken from a source URL (e.g. a Papers With Code slug).

    >>> segment("a b/\\udc00")
    'a%20b%2F%ED%B0%80'
    """
    # surrogatepass: a lone surrogate (JSON allows one) is encoded as it is, so two slugs never collide
    return quote(unquote(text), safe="-._~", errors="surrogatepass") or "h-" + short_hash(text)


class Minter:
    """Mints the IRIs of one build under one base IRI."""

    def __init__(self, base: str = DEFAULT_BASE):
        if not base.endswith(("/", "#")) or safe_url(base) != base:
            raise ValueError(f"base IRI must be an absolute http(s) IRI ending in '/' or '#': {base!r}")
        self.base = base

    def _(self, kind: str, local: str) -> str:
        if kind not in SEGMENTS:  # every kind of IRI is in pwc_kg.entities: the server dereferences those
            raise ValueError(f"{kind!r} is no kind of pwc_kg.entities.KINDS")
        return f"{self.base}{kind}/{local}"

    def paper(self, pwc_slug: str) -> str:
        return self._("paper", segment(pwc_slug))

    def paper_arxiv(self, arxiv_id: str) -> str:
        return self._("paper", "arxiv-" + segment(arxiv_id))

    def paper_external(self, key: str) -> str:
        return self._("paper", "ext-" + short_hash(key, 16))

    def author(self, name: str) -> str:
        return self._("author", slug(name))

    def task(self, name: str) -> str:
        return self._("task", slug(name))

    def area(self, name: str) -> str:
        return self._("area", slug(name))

    def dataset(self, pwc_slug_or_name: str, *, is_slug: bool = False) -> str:
        return self._("dataset", segment(pwc_slug_or_name) if is_slug else slug(pwc_slug_or_name))

    def subdataset(self, dataset_iri: str, name: str) -> str:
        return f"{dataset_iri}/{slug(name)}"

    def data_loader(self, dataset_iri: str, url: str) -> str:
        return self._("data-loader", short_hash(f"{dataset_iri}\x1f{url}", 16))

    def method(self, pwc_slug: str) -> str:
        return self._("method", segment(pwc_slug))

    def method_by_name(self, name: str) -> str:
        return self._("method", "name-" + slug(name))

    def collection(self, name: str) -> str:
        return self._("collection", slug(name))

    def proceeding(self, name: str) -> str:
        return self._("proceeding", slug(name))

    def repository(self, url: str) -> str:
        """Readable where the URL is: host and path, lower-cased, without a trailing slash or '.git'."""
        parts = urlsplit(url)
        path = parts.path.rstrip("/").removesuffix(".git").lower()
        local = parts.netloc.lower().removeprefix("www.") + path
        if parts.query or not path:
            local = "h-" + short_hash(url.rstrip("/").casefold(), 16)
        return self._("repository", quote(local, safe="-._~/"))

    def code_link(self, paper_iri: str, repo_url: str) -> str:
        return self._("code-link", short_hash(f"{paper_iri}\x1f{repo_url.rstrip('/').casefold()}", 16))

    def model(self, name: str, paper_key: str | None = None) -> str:
        if paper_key is not None and is_generic_model_name(name):
            return self._("model", f"{short_hash(paper_key, 12)}-{slug(name)}")
        return self._("model", slug(name))

    def hf_model(self, hf_id: str) -> str:
        """A Hugging Face model by its id: ``model/hf/{org}/{name}``, each part re-encoded as it is."""
        def part(p: str) -> str:
            try:
                s = segment(p)
            except UnicodeEncodeError:  # a lone surrogate
                s = ""
            return s if s.strip(".") else "h-" + short_hash(p)  # never a '.' or '..' path segment

        parts = [p for p in hf_id.strip().split("/") if p] or [hf_id]
        return self._("model", "hf/" + "/".join(part(p) for p in parts))

    def metric(self, name: str) -> str:
        return self._("metric", slug(metric_key(name)))

    def benchmark(self, task_iri: str, dataset_iri: str) -> str:
        return self._("benchmark", short_hash(f"{task_iri}\x1f{dataset_iri}", 16))

    def result(self, *fields: str) -> str:
        return self._("result", short_hash("\x1f".join(fields), 20))

    def graph(self, name: str) -> str:
        return self._("graph", name)

    def source(self, sha256: str) -> str:
        return self._("source", sha256)

    def build(self, stamp: str) -> str:
        return self._("build", stamp)

    def leaderboard(self, benchmark_iri: str, metric_iri: str, with_extra: bool) -> str:
        """A benchmark+metric's leaderboard, with or without the results that used extra training data."""
        return self._("leaderboard", short_hash(f"{benchmark_iri}\x1f{metric_iri}\x1f{with_extra}", 16))

    def direction(self, benchmark_iri: str, metric_iri: str) -> str:
        """A benchmark's override of its metric's direction."""
        return self._("direction", short_hash(f"{benchmark_iri}\x1f{metric_iri}", 16))

    def software_agent(self) -> str:
        """pwc-kg itself, the agent of every build."""
        return self._("agent", "pwc-kg")

    def contributor(self, name: str) -> str:
        """Who submitted or moderated a result, by the name of their token."""
        return self._("agent", "contributor/" + slug(name))

    def submission(self, sid: str) -> str:
        """A submission; the nodes its RDF payload left blank are under it (``submission_node``)."""
        return self._("submission", sid)

    def submission_node(self, sid: str, n: int) -> str:
        return f"{self.submission(sid)}/node/{n}"


_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")
_BAD_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Characters kept as they are in path, query and fragment (RFC 3987 ipchar minus what breaks N-Triples).
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"


# A URL that is already what safe_url would make of it: lower-case scheme and host, nothing to encode.
_CLEAN_URL = re.compile(
    r"^https?://(?![.\-])[a-z0-9.\-]+(:[0-9]{1,5})?"
    r"(/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*)?"
    r"(\?(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})+)?"
    r"(#(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})+)?$"
)


def safe_url(url: str) -> str | None:
    """An absolute http(s) URL made a valid IRI (percent-encoding as needed), or None if it is no URL.

    >>> safe_url("https://example.org/a b?q=<x>")
    'https://example.org/a%20b?q=%3Cx%3E'
    >>> safe_url("not a url") is None
    True
    """
    if not isinstance(url, str):
        return None
    url = clean_text(url.strip())  # a lone surrogate (JSON allows one) becomes U+FFFD, as in literals
    if _CLEAN_URL.match(url):
        return url  # the common case, checked cheaply
    if not url or any(ord(c) < 0x20 or c == "\x7f" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    netloc = parts.netloc.rsplit("@", 1)[-1].lower()  # user info is dropped: never publish credentials
    if not _HOST.match(netloc) or netloc.startswith((".", "-", ":")):
        return None
    def enc(text: str, safe: str) -> str:
        return quote(_BAD_PCT.sub("%25", text), safe=safe)
    return urlunsplit((parts.scheme.lower(), netloc, enc(parts.path, _SAFE_PATH),
                       enc(parts.query, _SAFE_QUERY), enc(parts.fragment, _SAFE_QUERY)))
