"""Who may call what, and how much: loopback detection, bearer tokens and request limits.

The server is "safe to share" by these rules:

- Beyond loopback, or with ``require_token`` (``corridor serve --require-token``, for a
  server on loopback behind a reverse proxy, which makes every request look local), every
  request needs a bearer token except the page, its static files, the API documentation and
  the health check (:data:`PUBLIC_PATHS`): reads too, since jobs and runs carry contract ids
  and tonnes.
- On loopback without ``require_token``, reads are open and compute and write requests
  (POST, DELETE) need a token whenever tokens are configured.
- Tokens come from a file (one per line) or from ``$CORRIDOR_TOKENS`` (comma-separated) and
  are compared in constant time. A server that needs tokens refuses to start without one.
- The ``Host`` header must be a well-formed ``host[:port]`` (no user part, nothing after an
  IPv6 literal's bracket); on loopback it must name loopback too, so that a web page
  elsewhere cannot reach the server through DNS rebinding.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from corridor.errors import CorridorError

TOKENS_ENV = "CORRIDOR_TOKENS"
MIN_TOKEN_CHARS = 16
LOOPBACK_HOST_HEADERS = frozenset({"localhost", "127.0.0.1", "::1"})
PUBLIC_PATHS = ("/", "/api/health", "/docs", "/openapi.json")
"""Paths open without a token whatever the settings (besides :data:`PUBLIC_PREFIXES`)."""
PUBLIC_PREFIXES = ("/static/", "/docs-assets/")
"""The page's and the documentation's static files."""
_HOST_NAME = re.compile(
    r"([A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*)(?::(\d{1,5}))?",
    re.ASCII,
)
_HOST_IPV6 = re.compile(r"\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?", re.ASCII)


class ConfigError(CorridorError):
    """The server cannot start as configured (e.g. beyond loopback without a token)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a bind address or host name) is the loopback interface only.

    Parameters
    ----------
    host : str
        ``127.0.0.1``, ``::1``, ``[::1]``, ``localhost``, ``0.0.0.0``, a name, ...

    Returns
    -------
    bool
        True for ``localhost`` and any loopback IP address; False for everything else,
        including ``0.0.0.0`` and ``::`` (all interfaces).
    """
    bare = host.strip().strip("[]").lower()
    if bare == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Limits:
    """Ceilings on what one request or the whole server may ask for.

    Attributes
    ----------
    max_body_bytes : int
        Largest request body accepted (413 beyond).
    max_active_jobs : int
        Background jobs queued or running at once (429 beyond).
    max_kept_jobs : int
        Finished jobs remembered; the oldest are forgotten first.
    """

    max_body_bytes: int = 64 * 1024
    max_active_jobs: int = 4
    max_kept_jobs: int = 100


@dataclass(frozen=True)
class Settings:
    """How the web application is served.

    Attributes
    ----------
    host : str
        Address the server listens on; decides whether tokens are required.
    tokens : tuple of str
        Accepted bearer tokens (empty: none configured).
    cors_origins : tuple of str
        Origins allowed to call the API from other web pages; empty closes CORS.
    data_dir : Path, optional
        Folder of network tables (default: ``$CORRIDOR_DATA`` or the bundled tables).
    store : Path, optional
        Run store file for capacity and plan runs (default: ``$CORRIDOR_STORE``, else
        ``runs.duckdb`` in the user data folder, as for the command line).
    limits : Limits
        Request and job ceilings.
    require_token : bool
        Every request but the public paths needs a token, even on loopback (behind a proxy).
    persist_jobs : bool
        Keep background jobs in the run store, so that they outlive a restart.
    """

    host: str = "127.0.0.1"
    tokens: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    data_dir: Path | None = None
    store: Path | None = None
    limits: Limits = field(default_factory=Limits)
    require_token: bool = False
    persist_jobs: bool = True

    @cached_property
    def loopback(self) -> bool:
        """Whether the server listens on loopback only (worked out once: every request
        asks)."""
        return is_loopback(self.host)

    @property
    def reads_need_token(self) -> bool:
        """Whether every request but :data:`PUBLIC_PATHS` must carry a bearer token."""
        return self.require_token or not self.loopback

    @property
    def token_required(self) -> bool:
        """Whether POST and DELETE requests must carry a bearer token."""
        return bool(self.tokens) or self.reads_need_token

    def check(self) -> None:
        """Refuse settings that would expose compute endpoints without a token.

        Raises
        ------
        ConfigError
            Listening beyond loopback with no token configured, or a token too short.
        """
        if self.token_required and not self.tokens:
            why = "with --require-token" if self.loopback else "(beyond loopback)"
            raise ConfigError(
                f"refusing to listen on {self.host} {why} without an access token: "
                f"give --token-file FILE (one token per line) or set {TOKENS_ENV}=TOKEN"
                + ("" if self.loopback else ", or listen on 127.0.0.1")
            )
        short = [t for t in self.tokens if len(t) < MIN_TOKEN_CHARS]
        if short:
            raise ConfigError(
                f"{len(short)} access token(s) shorter than {MIN_TOKEN_CHARS} characters; "
                "use long random tokens, e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'"
            )


def load_tokens(token_file: Path | None, environ: Mapping[str, str]) -> tuple[str, ...]:
    """Tokens from a file (one per line, ``#`` comments) and from ``$CORRIDOR_TOKENS``.

    Parameters
    ----------
    token_file : Path, optional
        File of tokens; blank lines and lines starting with ``#`` are skipped.
    environ : mapping
        Environment to read ``CORRIDOR_TOKENS`` (comma-separated) from.

    Returns
    -------
    tuple of str
        Every token found, in order, without duplicates.

    Raises
    ------
    ConfigError
        If the file cannot be read.
    """
    found: list[str] = []
    if token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read token file {token_file}: {exc}") from None
        found += [ln.strip() for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    found += environ.get(TOKENS_ENV, "").split(",")
    return tuple(dict.fromkeys(t.strip() for t in found if t.strip()))


def token_problem(authorization: str | None, tokens: Iterable[str]) -> str | None:
    """What is wrong with an ``Authorization`` header, or None if it carries a valid token.

    Every configured token is compared, in constant time, whatever the outcome, so the
    time taken says nothing about which token nearly matched.

    Parameters
    ----------
    authorization : str, optional
        The request's ``Authorization`` header value.
    tokens : iterable of str
        Accepted tokens.

    Returns
    -------
    str or None
        ``"missing"``, ``"malformed"`` (not ``Bearer <token>``), ``"invalid"``, or None.
    """
    if not authorization:
        return "missing"
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return "malformed"
    given = value.strip().encode("utf-8")
    valid = False
    for token in tokens:
        valid |= hmac.compare_digest(given, token.encode("utf-8"))
    return None if valid else "invalid"


def host_name(host_header: str | None) -> str | None:
    """The host of a ``Host`` header, or None if it is not a well-formed ``host[:port]``.

    Strict on purpose: ``127.0.0.1:80@evil.com`` (a user part), ``[::1].evil.com`` (text
    after an IPv6 literal), empty labels and ports beyond 65535 are all malformed.
    """
    if not host_header or len(host_header) > 300:
        return None
    bracketed = _HOST_IPV6.fullmatch(host_header)
    if bracketed:
        name, port = bracketed.group(1), bracketed.group(2)
        try:
            ipaddress.IPv6Address(name)
        except ValueError:
            return None
    else:
        plain = _HOST_NAME.fullmatch(host_header)
        if not plain:
            return None
        name, port = plain.group(1), plain.group(2)
    if port is not None and not 0 < int(port) <= 65535:
        return None
    return name.lower()


def host_allowed(host_header: str | None, settings: Settings) -> bool:
    """Whether a request's ``Host`` header is acceptable for this server.

    It must be well formed (:func:`host_name`). A loopback server answers only requests
    addressed to a loopback name (this defeats DNS rebinding); a server beyond loopback
    accepts any host name, its tokens guarding it.
    """
    name = host_name(host_header)
    if name is None:
        return False
    if not settings.loopback:
        return True
    return name in LOOPBACK_HOST_HEADERS or is_loopback(name)


def is_public(path: str) -> bool:
    """Whether ``path`` is open without a token (the page, its files, docs, health)."""
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)
