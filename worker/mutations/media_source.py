"""Where the bytes of a media upload come from: a URL (downloaded) or a file the worker reads.

A URL is streamed to a temporary file, never held in memory whole, and refused as soon
as it passes the size cap (the announced `Content-Length`, or the bytes actually read,
whichever shows it first): Snap takes at most 1 GB (Snap docs: Media), so nothing
bigger is worth downloading. The temporary file is removed when the block ends, whatever
happened. A file path is read in place (the worker's own file system: a shared volume),
and only inside the directories the operator allowed (`SNAPFLEET_MEDIA_ROOTS`): a runner
must not be able to upload any file the worker can read (its secrets, say) to Snap.

A download may not reach the worker's own network (metadata services, databases): every
hop, redirects included, goes through `PinnedTransport`, which resolves the host once,
refuses it if any address is private, loopback, link-local, reserved or multicast, and
then connects to the address it checked, with the original `Host` header and TLS server
name (SNI, certificate checked against the host). A DNS answer that changes between the
check and the connection (DNS rebinding) therefore never reaches the connection.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from snap import rules
from worker.errors import MediaSourceError

MAX_MEDIA_BYTES = rules.MEDIA_CHUNKED_UPLOAD_MAX_BYTES
DOWNLOAD_CHUNK_BYTES = 1024 * 1024
DOWNLOAD_TIMEOUT_S = httpx.Timeout(60.0, connect=10.0)


@dataclass(frozen=True)
class MediaFile:
    """A local file ready to upload."""

    path: Path
    file_name: str
    size_bytes: int


@contextlib.contextmanager
def media_file(
    *,
    source_url: str | None = None,
    file_path: str | None = None,
    fallback_name: str = "upload.bin",
    max_bytes: int = MAX_MEDIA_BYTES,
    transport: httpx.BaseTransport | None = None,
    roots: Sequence[Path] = (),
    allow_private_urls: bool = False,
) -> Iterator[MediaFile]:
    """The media's bytes as a local file (downloaded for a URL, removed afterwards).

    A `file_path` must resolve (symlinks followed) inside one of `roots`. `transport` is
    what carries the download below the address pinning (default: the network).
    """
    if file_path is not None:
        yield _local(_allowed(Path(file_path), roots), max_bytes)
        return
    if source_url is None:
        raise MediaSourceError("give source_url or file_path", field="source_url")
    fd, temp = tempfile.mkstemp(prefix="snapfleet-media-")
    try:
        with os.fdopen(fd, "wb") as sink:
            size = _download(source_url, sink, max_bytes, transport, allow_private_urls)
        yield MediaFile(Path(temp), _url_file_name(source_url, fallback_name), size)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def _allowed(path: Path, roots: Sequence[Path]) -> Path:
    if not roots:
        raise MediaSourceError(
            "file_path: uploads from files are off; set SNAPFLEET_MEDIA_ROOTS to the "
            "directories the worker may upload from",
            field="file_path",
        )
    resolved = path.expanduser().resolve()
    if not any(resolved.is_relative_to(root.expanduser().resolve()) for root in roots):
        raise MediaSourceError(
            f"file_path: {path} is outside SNAPFLEET_MEDIA_ROOTS", field="file_path"
        )
    return resolved


def _local(path: Path, max_bytes: int) -> MediaFile:
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as exc:
        raise MediaSourceError(
            f"file_path: cannot read {path} ({exc.strerror or type(exc).__name__})",
            field="file_path",
        ) from None
    if not path.is_file():
        raise MediaSourceError(f"file_path: {path} is not a file", field="file_path")
    _check_size(size, max_bytes, "file_path")
    return MediaFile(path, path.name, size)


def _download(
    url: str,
    sink: object,
    max_bytes: int,
    transport: httpx.BaseTransport | None,
    allow_private: bool,
) -> int:
    pinned = PinnedTransport(transport or httpx.HTTPTransport(), allow_private=allow_private)
    with httpx.Client(
        transport=pinned, timeout=DOWNLOAD_TIMEOUT_S, follow_redirects=True
    ) as client:
        try:
            with client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise MediaSourceError(
                        f"source_url: download answered {response.status_code}",
                        field="source_url",
                    )
                announced = response.headers.get("content-length")
                if announced and announced.isdigit():
                    _check_size(int(announced), max_bytes, "source_url")
                return _copy(response, sink, max_bytes)
        except httpx.HTTPError as exc:
            raise MediaSourceError(
                f"source_url: download failed ({type(exc).__name__})", field="source_url"
            ) from None


Resolve = Callable[..., list[tuple[Any, ...]]]


class PinnedTransport(httpx.BaseTransport):
    """Each request goes to the one address its host resolved to and passed the check.

    Parameters:
        inner(httpx.BaseTransport): what sends the request (rewritten to the address).
        allow_private(bool): skip the check (SNAPFLEET_MEDIA_ALLOW_PRIVATE_URLS); the
            address is still pinned.
        resolve(Callable): `socket.getaddrinfo`-shaped (tests pass their own).

    The request's URL host becomes the address; the `Host` header keeps the name, and
    for https the `sni_hostname` extension makes the TLS handshake (and the certificate
    check) use the name too. Redirects come back through here as new requests, so every
    hop is resolved, checked and pinned on its own.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        allow_private: bool = False,
        resolve: Resolve | None = None,
    ) -> None:
        self.inner = inner
        self.allow_private = allow_private
        self.resolve = resolve or socket.getaddrinfo

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        address = self.vetted_address(host, request.url.port or _default_port(request.url))
        extensions = dict(request.extensions)
        if request.url.scheme == "https" and address != host:
            extensions["sni_hostname"] = host
        pinned = httpx.Request(
            request.method,
            request.url.copy_with(host=address),
            headers=request.headers,  # the Host header still names `host`
            stream=request.stream,
            extensions=extensions,
        )
        return self.inner.handle_request(pinned)

    def vetted_address(self, host: str, port: int) -> str:
        """The first address of `host`, once every address it resolved to passed."""
        try:
            infos = self.resolve(host, port, proto=socket.IPPROTO_TCP)
        except OSError:
            raise MediaSourceError(
                f"source_url: cannot resolve {host}", field="source_url"
            ) from None
        addresses = [str(info[4][0]) for info in infos]
        if not addresses:
            raise MediaSourceError(f"source_url: cannot resolve {host}", field="source_url")
        if not self.allow_private and not all(is_public(a) for a in addresses):
            raise MediaSourceError(
                f"source_url: {host} is a private address; set "
                "SNAPFLEET_MEDIA_ALLOW_PRIVATE_URLS=true to download from it",
                field="source_url",
            )
        return addresses[0]

    def close(self) -> None:
        self.inner.close()


def is_public(address: str) -> bool:
    """Not private, loopback, link-local, reserved or multicast."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is no address
    return ip.is_global and not ip.is_multicast


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _copy(response: httpx.Response, sink: object, max_bytes: int) -> int:
    size = 0
    for chunk in response.iter_bytes(DOWNLOAD_CHUNK_BYTES):
        size += len(chunk)
        _check_size(size, max_bytes, "source_url")
        sink.write(chunk)  # type: ignore[attr-defined]
    if size == 0:
        raise MediaSourceError("source_url: the download is empty", field="source_url")
    return size


def _check_size(size: int, max_bytes: int, field: str) -> None:
    if size > max_bytes:
        raise MediaSourceError(
            f"{field}: the file is larger than {max_bytes} bytes (Snap takes up to 1 GB)",
            field=field,
        )


def _url_file_name(url: str, fallback: str) -> str:
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    return name or fallback
