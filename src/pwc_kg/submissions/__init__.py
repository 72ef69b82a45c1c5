"""Community submissions: results sent through the API, validated before they land, accepted by a moderator.

- ``tokens``: API tokens (``pwc-kg tokens add|list|revoke``), kept hashed in ``STORE/tokens.json``;
- ``records``: the submissions on disk, ``STORE/submissions/{id}/``, outside the generations;
- ``mapping``: a payload (leaderboard rows, a model-index block, Turtle/JSON-LD) mapped with the archive's mappers;
- ``check``: validated with the build's SHACL shapes against the graph it would join;
- ``flags``, ``ranges``: a claimed SOTA past the operator's margin, a value outside its metric's range;
- ``service``: submit, list, show, accept (a new generation, derived leaderboards updated for the
  touched benchmarks only), reject;
- ``rebuild``: every build keeps the accepted submissions;
- ``api``, ``cli``: the HTTP API, moderation page and form; the command line.
"""

from .errors import SubmissionError
from .service import SubmissionService
from .tokens import TokenStore

__all__ = ["SubmissionError", "SubmissionService", "TokenStore"]
