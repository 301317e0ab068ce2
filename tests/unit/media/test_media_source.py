"""Media bytes from a URL (streamed to a temporary file, size-capped) or a local file."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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

    public = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)
    with (
        pytest.raises(MediaSourceError, match="private address"),
        media_file(source_url="http://93.184.215.14/hero.png", http=public),
    ):
        pass
    assert hops == ["http://93.184.215.14/hero.png"]
