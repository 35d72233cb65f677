"""The wall page's HTTP side: `/` redirect, the page, asset types, caching, no traversal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from app.feed.wall import ASSET_MAX_AGE, VERSION_MARK, WallPage, wall_dir, wall_routes

VERSION = "1.2.3+dev"


def _app(page: WallPage) -> web.Application:
    app = web.Application()
    app.add_routes(
        [
            web.get("/", page.redirect),
            web.get("/wall", page.index),
            web.get("/wall/", page.index),
            web.get("/wall/{name}", page.asset),
        ]
    )
    return app


@pytest.fixture
async def client() -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(_app(WallPage(wall_dir(), VERSION)))) as test_client:
        yield test_client


def test_the_shipped_page_has_its_three_files() -> None:
    names = sorted(path.name for path in wall_dir().iterdir())
    assert names == ["index.html", "wall.css", "wall.js"]
    assert VERSION_MARK in (wall_dir() / "index.html").read_text(encoding="utf-8")


async def test_root_redirects_to_the_wall_keeping_the_query(client: TestClient) -> None:
    response = await client.get("/?token=a%20b&rotate=20&router=BR-1", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/wall?token=a%20b&rotate=20&router=BR-1"
    bare = await client.get("/", allow_redirects=False)
    assert bare.headers["Location"] == "/wall"


async def test_the_page_names_versioned_assets_and_sends_no_referrer(client: TestClient) -> None:
    response = await client.get("/wall?token=secret")
    assert response.status == 200
    assert response.content_type == "text/html"
    body = await response.text()
    assert 'href="/wall/wall.css?v=1.2.3%2Bdev"' in body
    assert 'src="/wall/wall.js?v=1.2.3%2Bdev"' in body
    assert "secret" not in body  # no token configured: it is not copied into the page
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert f"ws://{client.host}:{client.port}" in policy
    assert (await client.get("/wall/")).status == 200


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("wall.js", "text/javascript"), ("wall.css", "text/css")],
)
async def test_assets_have_their_type_and_versioned_ones_are_cached(
    client: TestClient, name: str, content_type: str
) -> None:
    versioned = await client.get(f"/wall/{name}?v=1.2.3%2Bdev")
    assert versioned.status == 200
    assert versioned.content_type == content_type
    assert versioned.headers["Cache-Control"] == f"public, max-age={ASSET_MAX_AGE}"
    assert versioned.headers["X-Content-Type-Options"] == "nosniff"
    assert await versioned.read() == (wall_dir() / name).read_bytes()
    other = await client.get(f"/wall/{name}?v=0.0.1")
    assert other.headers["Cache-Control"] == "no-cache"


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[TestClient]:
    """A wall dir with a secret next to it and a symlink pointing out of it."""
    root = tmp_path / "wall"
    root.mkdir()
    (root / "index.html").write_text("<p>wall __WALL_VERSION__</p>", encoding="utf-8")
    (root / "ok.js").write_text("ok()", encoding="utf-8")
    (tmp_path / "secret.js").write_text("secret()", encoding="utf-8")
    (root / "link.js").symlink_to(tmp_path / "secret.js")
    async with TestClient(TestServer(_app(WallPage(root, "9")))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "path",
    [
        "/wall/..%2Fsecret.js",
        "/wall/%2e%2e%2fsecret.js",
        "/wall/..%5Csecret.js",
        "/wall/link.js",
        "/wall/.hidden.js",
        "/wall/index.html",
        "/wall/ok.exe",
        "/wall/missing.js",
    ],
)
async def test_nothing_outside_the_allow_list_is_served(sandbox: TestClient, path: str) -> None:
    response = await sandbox.get(path)
    assert response.status == 404
    assert "secret()" not in await response.text()


async def test_the_sandbox_serves_its_own_files(sandbox: TestClient) -> None:
    assert await (await sandbox.get("/wall/ok.js")).text() == "ok()"
    assert await (await sandbox.get("/wall")).text() == "<p>wall 9</p>"


async def test_with_a_token_required_the_token_is_carried_to_the_assets(tmp_path: Path) -> None:
    page = WallPage(wall_dir(), "7", token_required=lambda: True)
    async with TestClient(TestServer(_app(page))) as test_client:
        body = await (await test_client.get("/wall?token=t%26k")).text()
        asset = await test_client.get("/wall/wall.js?v=7&token=t%26k")
    assert 'href="/wall/wall.css?v=7&amp;token=t%26k"' in body
    assert 'src="/wall/wall.js?v=7&amp;token=t%26k"' in body
    assert asset.headers["Cache-Control"] == f"private, max-age={ASSET_MAX_AGE}"


async def test_a_missing_page_is_a_404(tmp_path: Path) -> None:
    async with TestClient(TestServer(_app(WallPage(tmp_path, "1")))) as test_client:
        response = await test_client.get("/wall")
    assert response.status == 404


def test_routes_come_from_the_feed_context() -> None:
    class Context:  # the two attributes wall_routes reads
        version = "5"
        token_required = False

    routes = wall_routes(Context())  # type: ignore[arg-type]
    paths = sorted(route.path for route in routes if isinstance(route, web.RouteDef))
    assert paths == ["/", "/wall", "/wall/", "/wall/{name}"]
