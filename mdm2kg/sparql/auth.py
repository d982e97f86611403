"""Credentials for remote stores: Basic or Digest (httpx's), from options, the URL or the environment.

The password never appears in a repr or a message: `redact` removes it from every URL shown.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Generator
from dataclasses import dataclass, field
from enum import StrEnum

import httpx

ENV_USER = "MDM2KG_USER"
ENV_PASSWORD = "MDM2KG_PASSWORD"


class AuthScheme(StrEnum):
    """How to authenticate: AUTO answers whatever the server challenges with."""

    AUTO = "auto"
    BASIC = "basic"
    DIGEST = "digest"


@dataclass(frozen=True, slots=True)
class Auth:
    """Credentials for a remote store (the password never appears in repr or errors)."""

    user: str
    password: str = field(repr=False)
    scheme: AuthScheme = AuthScheme.AUTO


AuthLike = Auth | tuple[str, str] | None


def as_auth(auth: AuthLike) -> Auth | None:
    if auth is None or isinstance(auth, Auth):
        return auth
    user, password = auth
    return Auth(user, password)


def redact(url: str) -> str:
    """`url` with the password of any userinfo replaced by ***.

    >>> redact("https://alice:s3cret@example.org/sparql?x=1")
    'https://alice:***@example.org/sparql?x=1'
    """
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{hostport}"))


def split_userinfo(url: str) -> tuple[str, Auth | None]:
    """(URL without userinfo, credentials from it or None)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    bare = urllib.parse.urlunsplit(parts._replace(netloc=hostport))
    return bare, Auth(urllib.parse.unquote(user), urllib.parse.unquote(password))


class Credentials(httpx.Auth):
    """Basic or Digest (httpx's), chosen from the server's challenge when the scheme is AUTO.

    Once a Digest challenge is known every later request is signed up front, so a chunked
    push uploads each body once.
    """

    def __init__(self, auth: Auth) -> None:
        self.auth = auth
        self._basic = httpx.BasicAuth(auth.user, auth.password)
        self._digest = httpx.DigestAuth(auth.user, auth.password)
        self._chosen: httpx.Auth | None = self._basic if auth.scheme is AuthScheme.BASIC else None

    @property
    def ready(self) -> bool:
        """True when requests can be signed without waiting for a challenge."""
        return self._chosen is not None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._chosen is not None:
            yield from self._chosen.auth_flow(request)
            return
        response = yield request
        if response.status_code == 401:
            signed = self.answer(request, response)
            if signed is not None:
                yield signed

    def answer(self, request: httpx.Request, challenge: httpx.Response) -> httpx.Request | None:
        """`request` signed for the challenge in a 401 `challenge`, or None when none is usable."""
        offered = {value.split(" ", 1)[0].lower() for value in challenge.headers.get_list("www-authenticate")}
        wanted = self.auth.scheme
        if "digest" in offered and wanted in (AuthScheme.AUTO, AuthScheme.DIGEST):
            flow = self._digest.auth_flow(request)
            next(flow)  # the unsigned request, already answered by `challenge`
            try:
                signed = flow.send(challenge)
            except StopIteration:
                return None
            self._chosen = self._digest
            return signed
        if "basic" in offered and wanted in (AuthScheme.AUTO, AuthScheme.BASIC):
            self._chosen = self._basic
            return next(self._basic.auth_flow(request))
        return None
