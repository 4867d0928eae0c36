"""The built site served by a real nginx under a sub-path, with the README's location block.

A crawler starts at the home page and follows every link, stylesheet, script, image and
share image; each must answer 200 with the right Content-Type, and a missing URL deep
under the sub-path must answer with the 404 page, whose stylesheet loads too.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import REPO, make_project
from sitecheck import build, html_pages, parse_page

SUB = "/explainers/minerals/"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")
CONTENT_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".png": "image/png",
    ".json": "application/json",
    ".xml": "text/xml",
    ".txt": "text/plain",
    ".js": "application/javascript",
    ".svg": "image/svg+xml",
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"


@dataclass
class Server:
    port: int
    www: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """One GET, redirects not followed: an internal link that redirects is a bug."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            headers = {k.lower(): v for k, v in response.getheaders()}
            return response.status, headers, response.read()
        finally:
            conn.close()


def readme_location_block() -> str:
    """The nginx `location` block documented in README.md, so the recipe is what is tested."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```nginx\n(location .*?\n})\n```", readme, re.S)
    assert block, "README.md has no ```nginx location block"
    return block.group(1)


def nginx_config(tmp: Path, port: int, www: Path) -> str:
    location = readme_location_block().replace("/var/www", str(www))
    temp = "\n".join(
        f"  {name}_temp_path {tmp / 'temp' / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
daemon off;
master_process off;
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
  include {MIME_TYPES};
  default_type application/octet-stream;
  access_log off;
{temp}
  server {{
    listen 127.0.0.1:{port};
    server_name localhost;
{location}
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """nginx in the foreground as this user, everything in a temporary folder."""
    if not Path(NGINX).exists():
        pytest.fail("nginx not found: install the Debian package 'nginx' (.ci/run does)")
    if not MIME_TYPES.exists():
        pytest.fail(f"{MIME_TYPES} not found: install the Debian package 'nginx'")
    tmp = tmp_path_factory.mktemp("nginx")
    www = tmp / "www"
    (www / SUB.strip("/")).parent.mkdir(parents=True)
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / "temp" / name).mkdir(parents=True)
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(nginx_config(tmp, port, www))
    log = tmp / "error.log"
    proc = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(conf), "-e", str(log)],
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "stderr.log").open("w"),
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"nginx exited with {proc.returncode}:\n{(tmp / 'stderr.log').read_text()}"
                    f"{log.read_text() if log.exists() else ''}"
                )
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("nginx did not start listening within 10 s")
                time.sleep(0.05)
        yield Server(port, www)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def expected_type(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ".html"
    return CONTENT_TYPES[suffix]


def internal(url: str, page_url: str, server: Server) -> str | None:
    """The path of a URL on this server, or None for other sites, mailto: and fragments."""
    if url.startswith("#"):
        return None
    absolute = urljoin(page_url, url)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != f"127.0.0.1:{server.port}":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(server: Server, start: str) -> dict[str, tuple[int, dict[str, str], bytes]]:
    """Every URL reachable from `start`, fetched once; asserts as it goes."""
    seen: dict[str, tuple[int, dict[str, str], bytes]] = {}
    queue = [start]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        status, headers, body = seen[path] = server.get(path)
        assert status == 200, f"{path}: {status}"
        assert path.startswith(SUB), f"{path} is outside the site's sub-path"
        content_type = headers["content-type"].split(";")[0]
        assert content_type == expected_type(path), f"{path}: {content_type}"
        if content_type != "text/html":
            continue
        page = parse_page(body.decode("utf-8"))
        for url in page.urls:
            target = internal(url, server.origin + path, server)
            if target is not None:
                assert target.startswith(SUB), f"{path} links outside the sub-path: {url}"
                queue.append(target)
        for data in page.structured():
            queue += [p for u in json_urls(data) if (p := internal(u, server.origin, server))]
    return seen


def json_urls(data) -> list[str]:
    """The URLs in a JSON-LD block: its 'url' and 'mainEntityOfPage' values."""
    if isinstance(data, list):
        return [u for item in data for u in json_urls(item)]
    if not isinstance(data, dict):
        return []
    urls = [v for k, v in data.items() if k in ("url", "mainEntityOfPage") and isinstance(v, str)]
    return urls + [u for v in data.values() for u in json_urls(v)]


@pytest.fixture(params=["path", "absolute"])
def served(request, server, tmp_path):
    """The fixture site built into nginx's document root, with either kind of base URL."""
    base = SUB if request.param == "path" else server.origin + SUB
    project = make_project(tmp_path)
    site = server.www / SUB.strip("/")
    build(project, "--base-url", base, "--out", str(site))
    return request.param, site


def test_every_link_and_asset_answers_under_the_sub_path(server, served):
    _, site = served
    fetched = crawl(server, SUB)
    pages = {SUB + route for route in html_pages(site) if route != "404.html"}
    assert pages <= set(fetched), f"pages no link reaches: {pages - set(fetched)}"
    assert any(p.startswith(SUB + "static/style.") for p in fetched)
    assert (SUB + "data/explainer.json") in fetched
    share = [p for p in fetched if p.startswith(SUB + "static/share.")]
    assert len(share) == 1, "the share image is reached (og:image or JSON-LD)"
    for path, (_, headers, _) in fetched.items():
        cache = IMMUTABLE if path.startswith(SUB + "static/") else REVALIDATE
        assert headers.get("cache-control") == cache, path
        if path.startswith(SUB + "embed/factbox/"):  # any site may frame the embed
            assert headers["content-security-policy"] == "frame-ancestors *", path
        elif not path.startswith(SUB + "static/"):
            assert headers["content-security-policy"] == "frame-ancestors 'self'", path
    assert SUB + "embed/factbox/" in fetched  # linked from the "Embed this" disclosure
    json.loads(fetched[SUB + "data/explainer.json"][2])


def test_share_image_is_served_as_png(server, served):
    kind, site = served
    status, headers, body = server.get(SUB)
    page = parse_page(body.decode())
    if kind == "path":
        assert page.meta("og:image") is None
        [article] = page.structured()
        image = article["image"]["url"]
    else:
        image = page.meta("og:image")
        assert image.startswith(server.origin + SUB + "static/share.")
    status, headers, body = server.get(internal(image, server.origin + SUB, server))
    assert (status, headers["content-type"]) == (200, "image/png")
    assert body.startswith(b"\x89PNG\r\n\x1a\n")


def test_missing_page_at_depth_three_gets_the_404_page_with_its_stylesheet(server, served):
    status, headers, body = server.get(SUB + "one/two/three/missing-page")
    assert status == 404
    assert headers["content-type"].startswith("text/html")
    html = body.decode("utf-8")
    assert "Page not found" in html
    page = parse_page(html)
    stylesheet = page.link("stylesheet")
    assert stylesheet.startswith(SUB + "static/style.")
    # every link on the 404 page works from this depth: the crawl starts from each
    page_url = server.origin + SUB + "one/two/three/missing-page"
    for url in page.urls:
        target = internal(url, page_url, server)
        if target is not None:
            status, headers, _ = server.get(target)
            assert status == 200, f"404 page: {url} answers {status}"
    status, headers, _ = server.get(stylesheet)
    assert (status, headers["content-type"]) == (200, "text/css")


def test_sitemap_and_robots_are_served_and_every_sitemap_url_answers(server, served):
    kind, _ = served
    status, headers, body = server.get(SUB + "robots.txt")
    assert (status, headers["content-type"]) == (200, "text/plain")
    status, headers, body = server.get(SUB + "sitemap.xml")
    if kind == "path":
        assert status == 404  # no origin, no sitemap: the protocol needs absolute URLs
        return
    assert (status, headers["content-type"]) == (200, "text/xml")
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [loc.text for loc in ET.fromstring(body).iter(f"{ns}loc")]
    assert locs
    for loc in locs:
        assert loc.startswith(server.origin + SUB)
        status, headers, _ = server.get(urlsplit(loc).path)
        assert (status, headers["content-type"]) == (200, "text/html"), loc
