"""Media bytes from a URL (streamed to a temporary file, size-capped) or a local file."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from worker.errors import MediaSourceError
from worker.mutations.media_source import media_file

BODY = b"\x89PNG" + bytes(range(256)) * 40


class _Files(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/hero.png"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        elif self.path == "/unsized":  # no Content-Length: only the bytes read show the size
            self.send_response(200)
            self.end_headers()
            self.wfile.write(BODY)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def files_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_url_is_downloaded_to_a_temporary_file_removed_afterwards(files_url: str) -> None:
    with media_file(source_url=f"{files_url}/hero.png?v=2", allow_private_urls=True) as media:
        assert media.path.read_bytes() == BODY
        assert (media.file_name, media.size_bytes) == ("hero.png", len(BODY))
        temp = media.path
    assert not temp.exists()


@pytest.mark.parametrize("path", ["/hero.png", "/unsized"])
def test_a_download_over_the_cap_is_refused_and_cleaned_up(files_url: str, path: str) -> None:
    with (
        pytest.raises(MediaSourceError, match="larger than 1000 bytes") as caught,
        media_file(source_url=f"{files_url}{path}", max_bytes=1000, allow_private_urls=True),
    ):
        pass
    assert caught.value.field == "source_url"


def test_a_failed_download_names_the_field(files_url: str) -> None:
    with (
        pytest.raises(MediaSourceError, match="source_url: download answered 404"),
        media_file(source_url=f"{files_url}/missing.mp4", allow_private_urls=True),
    ):
        pass


def test_a_local_file_is_read_in_place(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(BODY)
    with media_file(file_path=str(path), roots=[tmp_path]) as media:
        assert (media.path, media.file_name, media.size_bytes) == (path, "clip.mp4", len(BODY))
    assert path.exists()


def test_an_unreadable_or_oversized_local_file_is_refused(tmp_path: Path) -> None:
    with (
        pytest.raises(MediaSourceError, match="file_path: cannot read"),
        media_file(file_path=str(tmp_path / "nope.mp4"), roots=[tmp_path]),
    ):
        pass
    path = tmp_path / "big.mp4"
    path.write_bytes(BODY)
    with (
        pytest.raises(MediaSourceError, match="file_path: the file is larger"),
        media_file(file_path=str(path), max_bytes=10, roots=[tmp_path]),
    ):
        pass


def test_files_are_refused_until_the_operator_allows_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(BODY)
    with (
        pytest.raises(MediaSourceError, match="set SNAPFLEET_MEDIA_ROOTS") as caught,
        media_file(file_path=str(path)),
    ):
        pass
    assert caught.value.field == "file_path"


@pytest.mark.parametrize("escape", ["../secret.txt", "link-out"])
def test_a_path_outside_the_allowed_directories_is_refused(tmp_path: Path, escape: str) -> None:
    allowed = tmp_path / "media"
    allowed.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("do not upload")
    (allowed / "link-out").symlink_to(secret)
    with (
        pytest.raises(MediaSourceError, match="outside SNAPFLEET_MEDIA_ROOTS"),
        media_file(file_path=str(allowed / escape), roots=[allowed]),
    ):
        pass


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hero.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/hero.png",
        "http://[::1]/hero.png",
    ],
)
def test_a_download_from_the_workers_own_network_is_refused(url: str) -> None:
    with (
        pytest.raises(MediaSourceError, match="private address") as caught,
        media_file(source_url=url),
    ):
        pass
    assert caught.value.field == "source_url"


def test_a_redirect_into_the_workers_own_network_is_refused(files_url: str) -> None:
    """A public-looking URL that redirects to a private one is refused at the redirect."""
    hops: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hops.append(str(request.url))
        return httpx.Response(302, headers={"location": f"{files_url}/hero.png"})

    public = httpx.MockTransport(handler)
    with (
        pytest.raises(MediaSourceError, match="private address"),
        media_file(source_url="http://93.184.215.14/hero.png", transport=public),
    ):
        pass
    assert hops == ["http://93.184.215.14/hero.png"]


class _Named(BaseHTTPRequestHandler):
    """Answers with its own name and records the Host header each request carried."""

    name = b""
    hosts: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hosts.append(self.headers["Host"])
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.name)))
        self.end_headers()
        self.wfile.write(self.name)

    def log_message(self, *args: object) -> None:
        pass


def _serve(address: str, port: int, name: bytes) -> ThreadingHTTPServer:
    handler = type(f"Named{name.decode()}", (_Named,), {"name": name, "hosts": []})
    server = ThreadingHTTPServer((address, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_the_connection_goes_to_the_address_that_was_checked_not_a_rebound_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: the name answers a public address to the check, then a private one."""
    import ipaddress
    import socket
    from types import SimpleNamespace

    import worker.mutations.media_source as media_source

    # Given 127.0.0.2 stands in for a public host, and the same port on 127.0.0.1 for the
    # worker's own network
    vetted = _serve("127.0.0.2", 0, b"vetted")
    port = vetted.server_address[1]
    rebound = _serve("127.0.0.1", port, b"rebound")

    class _Addresses:
        @staticmethod
        def ip_address(value: str) -> object:
            real = ipaddress.ip_address(value)
            public = value == "127.0.0.2" or real.is_global
            return SimpleNamespace(is_global=public, is_multicast=real.is_multicast)

    answers = iter(["127.0.0.2"])
    real_resolve = socket.getaddrinfo

    def rebinding(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        if host != "media.example":
            return real_resolve(host, *args, **kwargs)  # type: ignore[arg-type]
        address = next(answers, "127.0.0.1")  # the first answer, then the rebound one
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(media_source, "ipaddress", _Addresses)
    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        # When the media is downloaded by name
        with media_file(source_url=f"http://media.example:{port}/hero.png") as media:
            body = media.path.read_bytes()
    finally:
        vetted.shutdown()
        rebound.shutdown()
        vetted.server_close()
        rebound.server_close()
    # Then the bytes came from the checked address, asked for by name
    assert body == b"vetted"
    assert rebound.RequestHandlerClass.hosts == []  # type: ignore[attr-defined]
    assert vetted.RequestHandlerClass.hosts == [f"media.example:{port}"]  # type: ignore[attr-defined]


def test_an_https_hop_is_pinned_with_the_name_as_tls_server_name() -> None:
    from worker.mutations.media_source import PinnedTransport

    seen: list[httpx.Request] = []

    def inner(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers["host"] == "cdn.example":
            return httpx.Response(302, headers={"location": "https://media.example/hero.png"})
        return httpx.Response(200, content=b"ok")

    def resolve(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        address = {"cdn.example": "93.184.215.14", "media.example": "93.184.215.15"}[host]
        return [(2, 1, 6, "", (address, port))]

    pinned = PinnedTransport(httpx.MockTransport(inner), resolve=resolve)
    with httpx.Client(transport=pinned, follow_redirects=True) as client:
        assert client.get("https://cdn.example/hero.png").content == b"ok"
    assert [(str(r.url), r.headers["host"], r.extensions.get("sni_hostname")) for r in seen] == [
        ("https://93.184.215.14/hero.png", "cdn.example", "cdn.example"),
        ("https://93.184.215.15/hero.png", "media.example", "media.example"),
    ]


def test_a_name_with_any_private_address_is_refused_before_a_connection() -> None:
    from worker.mutations.media_source import PinnedTransport

    def inner(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no connection may be made")

    def resolve(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        return [(2, 1, 6, "", ("93.184.215.14", port)), (2, 1, 6, "", ("10.0.0.8", port))]

    pinned = PinnedTransport(httpx.MockTransport(inner), resolve=resolve)
    with (
        httpx.Client(transport=pinned) as client,
        pytest.raises(MediaSourceError, match="private address") as caught,
    ):
        client.get("https://split.example/hero.png")
    assert caught.value.field == "source_url"
