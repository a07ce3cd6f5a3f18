"""Page weight: the bytes a visitor's browser receives for each page, first and repeat visit,
straight from the dashboard server and behind the documented nginx proxy.

    .venv/bin/python -m bench.page_weight [--store URL] [--json]

Starts ``streamlit run app.py`` on loopback on the analytics store (demo mode: no
sign-in) and, when Debian's nginx is installed, nginx with the repository's
``deploy/nginx/ehospital-dashboard.conf`` in front of it, served as written: HTTPS and
HTTP/2, brotli when its module is installed, gzip, the cache headers, the WebSocket passed
through, Streamlit's fonts cut by the step the README asks for after an install
(``ehospital-dashboard proxy-fonts``, here into a temporary folder); only the ports, the
checkout's path, the cut fonts' folder and the certificate (a throwaway one, made here,
that chromium is told to trust) are replaced. Then, for every page of
``ui.pages.PAGES``, opened by its deep link in Debian's chromium (Playwright): a *first
visit* in a fresh browser context, and a *repeat visit*, the same link in a new tab of
that context once the first is closed (the browser's cache kept, as a visitor coming back).

*Bytes on the wire* are counted by a TCP relay between the browser and the server (or
nginx): every byte that reaches the browser, HTTP headers and bodies as sent (compressed
or not), TLS, and the WebSocket's frames as sent (compressed when permessage-deflate is
on). A visit ends once the page has rendered and nothing has crossed the relay for two
seconds. Beside it, from the browser's DevTools protocol: the HTTP bytes
(``Network.loadingFinished``'s ``encodedDataLength``, summed), the WebSocket's payload as
the page receives it (decompressed), and each response's size, for the heaviest items.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

if __package__ in (None, ""):  # run as a file: python bench/page_weight.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cli.proxy_fonts import CutFont  # noqa: E402
from data_access.config import PROJECT_ROOT  # noqa: E402

SITE_CONFIG = PROJECT_ROOT / "deploy" / "nginx" / "ehospital-dashboard.conf"
BROTLI_INCLUDE = "ehospital-dashboard-brotli.conf"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
MIME_TYPES = Path("/etc/nginx/mime.types")
CHECKOUT = "/opt/ehospital-dashboard"
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PERIOD = "period=custom&from=2025-05-01&to=2025-07-31"
QUERY = f"{PERIOD}&lang=en"
"""Every page's deep link carries this query: the README's example period, in English."""
GOALS = {"first": 1_500_000, "repeat": 200_000}
"""Issue 16: a first visit of any page ≤ 1.5 MB on the wire behind the documented proxy,
a repeat visit ≤ 200 kB (decimal units: 1 kB = 1,000 bytes)."""
QUIET_SECONDS = 2.0
_CHART = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
MAP_DRAWN = (
    "[class*='st-key-map_select'] [data-testid='stVegaLiteChart'] svg, "
    "[data-testid='stDeckGlJsonChart'] canvas"
)
"""The Map's map drawn: the light one (Vega-Lite, the default) or the interactive one."""
READY = {
    "overview": _CHART,
    "map": MAP_DRAWN,
    "trends": _CHART,
    "comparison": _CHART,
    "facility": _CHART,
    "press_kit": "[data-testid='stImage'] img",
}
"""What shows that a page has drawn its main content (as tests/e2e/test_browser.py waits
for): a page may finish its run before its charts and images arrive."""
PAGE_TIMEOUT_MS = 120_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- nginx with the repository's configuration --------------------------------------------------
def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )


def nginx_unavailable() -> str | None:
    """Why the documented proxy cannot run here, or None."""
    if nginx_binary() is None:
        return "nginx is not installed (apt-get install nginx libnginx-mod-http-brotli-filter)"
    if not MIME_TYPES.exists():
        return f"{MIME_TYPES} is missing (Debian's nginx-common)"
    return None


def brotli_available() -> bool:
    return BROTLI_MODULE.exists()


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path
    spki_sha256: str
    """base64 of the SHA-256 of the public key: chromium's --ignore-certificate-errors-spki-list
    trusts it as if a CA had signed it (its cache then works as for any HTTPS site; with the
    certificate error merely ignored, chromium would not cache)."""


def throwaway_certificate(folder: Path, name: str = "proxy", *, ca: bool = False) -> Certificate:
    """A self-signed certificate for 127.0.0.1, valid for a day: ``<name>.crt`` and
    ``<name>.key`` in ``folder``. ``ca``: marked as a CA (basic constraints), so that
    Python's ``ssl`` accepts it as the trust anchor of its own server
    (tests/press/test_brief_mail.py's SMTP server); chromium trusts it by its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    )
    if ca:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
    certificate = builder.sign(key, hashes.SHA256())
    cert, key_file = folder / f"{name}.crt", folder / f"{name}.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    spki = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return Certificate(cert, key_file, base64.b64encode(hashlib.sha256(spki).digest()).decode())


def _replace(text: str, pattern: str, replacement: str, what: str) -> str:
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if count == 0:
        raise ValueError(f"{SITE_CONFIG.name}: no {what} to replace ({pattern!r})")
    return new


def site_config(
    upstream_port: int,
    https_port: int,
    http_port: int,
    certificate: Certificate,
    with_brotli: bool,
    fonts: Path,
) -> str:
    """``deploy/nginx/ehospital-dashboard.conf`` as it runs here: every instance on
    ``upstream_port``, the HTTPS and HTTP servers on loopback ports, the included files
    from this checkout, the throwaway certificate, the cut fonts from ``fonts`` (see
    ``cut_proxy_fonts``); the brotli include left out when the module is not installed.
    Nothing else is changed."""
    text = SITE_CONFIG.read_text()
    text = _replace(
        text, r"server 127\.0\.0\.1:\d+;", f"server 127.0.0.1:{upstream_port};", "instance"
    )
    text = _replace(text, r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl", "HTTPS port")
    text = _replace(text, r"listen 80;", f"listen 127.0.0.1:{http_port};", "HTTP port")
    text = _replace(text, r"ssl_certificate \S+;", f"ssl_certificate {certificate.cert};", "cert")
    text = _replace(
        text, r"ssl_certificate_key \S+;", f"ssl_certificate_key {certificate.key};", "key"
    )
    text = _replace(text, r"^(\s*)root \S+;", rf"\1root {fonts};", "fonts' root")
    if not with_brotli:
        text = _replace(text, rf"^\s*include \S+/{re.escape(BROTLI_INCLUDE)};\n", "", "brotli")
    return _replace(text, re.escape(CHECKOUT) + "/", f"{PROJECT_ROOT}/", "checkout path")


def main_config(folder: Path, site: Path, with_brotli: bool) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around a conf.d file, for a private
    nginx whose files all live in ``folder``."""
    lines = []
    if with_brotli:
        lines.append(f"load_module {BROTLI_MODULE};")
    if os.geteuid() == 0:  # workers write buffered responses to folder's temporary files
        lines.append("user root;")
    lines += [
        "daemon off;",
        "worker_processes 1;",
        f"pid {folder / 'nginx.pid'};",
        f"error_log {folder / 'error.log'} warn;",
        "events { worker_connections 256; }",
        "http {",
        f"    include {MIME_TYPES};",
        "    default_type application/octet-stream;",
        f"    access_log {folder / 'access.log'};",
        *(f"    {kind}_temp_path {folder / kind};" for kind in _TEMP_PATHS),
        f"    include {site};",
        "}",
    ]
    return "\n".join(lines) + "\n"


_TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@dataclass
class Proxy:
    port: int
    """The HTTPS port."""
    certificate: Certificate
    brotli: bool
    version: str
    folder: Path
    fonts: Path
    """The root of the cut fonts (``fonts/static/media/…``)."""
    cut_fonts: list[CutFont]


def cut_proxy_fonts(out: Path) -> list[CutFont]:
    """What ``ehospital-dashboard proxy-fonts --out out`` does, the step the README asks
    for after every install: Streamlit's fonts cut to the icons and letters the pages
    draw, written under ``out/static/media/``."""
    from cli.main import app_script
    from cli.proxy_fonts import app_sources, cut_fonts, icons_named_in, streamlit_static

    return cut_fonts(streamlit_static(), out, icons_named_in(app_sources(app_script().parent)))


@contextlib.contextmanager
def documented_proxy(upstream_port: int, folder: Path) -> Iterator[Proxy]:
    """nginx with the repository's site configuration in front of ``upstream_port``, on a
    free HTTPS port of loopback, the fonts cut for it into ``folder``; stopped on leaving."""
    reason = nginx_unavailable()
    if reason:
        raise RuntimeError(reason)
    binary = nginx_binary()
    assert binary is not None
    folder.mkdir(parents=True, exist_ok=True)
    with_brotli = brotli_available()
    certificate = throwaway_certificate(folder)
    fonts = folder / "proxy-static"
    cut = cut_proxy_fonts(fonts)
    port = _free_port()
    site = folder / "ehospital-dashboard.conf"
    site.write_text(site_config(upstream_port, port, _free_port(), certificate, with_brotli, fonts))
    main = folder / "nginx.conf"
    main.write_text(main_config(folder, site, with_brotli))
    version = subprocess.run(
        [binary, "-v"], capture_output=True, text=True, check=False
    ).stderr.strip()
    log = folder / "nginx.out"
    with log.open("ab") as out:
        nginx = subprocess.Popen(
            [binary, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(main)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, nginx, folder / "error.log")
        version = version.removeprefix("nginx version: ")
        yield Proxy(port, certificate, with_brotli, version, folder, fonts, cut)
    finally:
        nginx.terminate()
        try:
            nginx.wait(timeout=15)
        except subprocess.TimeoutExpired:
            nginx.kill()
            nginx.wait()


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            errors = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"nginx did not start: {errors}")
        time.sleep(0.1)


# --- bytes on the wire --------------------------------------------------------------------------
class WireMeter:
    """A TCP relay from a free loopback port to ``target_port``: what passes through it is
    what would cross the network, counted each way."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.to_browser = 0
        self.from_browser = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._relay, "127.0.0.1", 0), self._loop
        ).result(timeout=10)
        self.port: int = self._server.sockets[0].getsockname()[1]

    async def _relay(self, browser_in: asyncio.StreamReader, browser_out: asyncio.StreamWriter):
        try:
            server_in, server_out = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            browser_out.close()
            return
        await asyncio.gather(
            self._pipe(browser_in, server_out, toward_browser=False),
            self._pipe(server_in, browser_out, toward_browser=True),
        )

    async def _pipe(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, toward_browser: bool
    ) -> None:
        try:
            while chunk := await source.read(65536):
                if toward_browser:
                    self.to_browser += len(chunk)
                else:
                    self.from_browser += len(chunk)
                sink.write(chunk)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            sink.close()

    def close(self) -> None:
        self._server.close()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


# --- one visit ----------------------------------------------------------------------------------
class PageFailed(RuntimeError):
    """A page did not render (an exception on it, or no quiet in time): reported, not
    measured."""


def _asset_name(url: str) -> str:
    """'/static/js/DeckGlJsonChart.Bk-DBRSw.js' → 'DeckGlJsonChart.js'; other paths as they are."""
    path = urlparse(url).path
    hashed = re.fullmatch(r"/static/\w+/(.+?)\.[\w-]{8}\.(\w+)", path)
    return f"{hashed[1]}.{hashed[2]}" if hashed else path


def _websocket_payload(response: dict) -> int:
    data = response.get("payloadData", "")
    if response.get("opcode") == 2:  # binary frames come base64-encoded
        return len(base64.b64decode(data))
    return len(data.encode())


def visit(context, url: str, meter: WireMeter, ready: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    """Open ``url`` in a new tab of ``context``, wait until it has rendered (and shows
    ``ready``, a selector) and the wire is quiet, close the tab; what reached the browser."""
    from bench.server_memory import _wait_until_done

    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    responses: dict[str, dict] = {}
    websocket: dict = {"payload_bytes": 0, "frames": 0, "extensions": ""}
    last_event = [time.monotonic()]

    def on_response(event: dict) -> None:
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        responses[event["requestId"]] = {
            "url": event["response"]["url"],
            "status": event["response"]["status"],
            "encoding": headers.get("content-encoding", ""),
            "cache_control": headers.get("cache-control", ""),
            "bytes": 0,
        }
        last_event[0] = time.monotonic()

    def on_finished(event: dict) -> None:
        responses.setdefault(
            event["requestId"], {"url": "", "status": 0, "encoding": "", "cache_control": ""}
        )
        responses[event["requestId"]]["bytes"] = event["encodedDataLength"]
        last_event[0] = time.monotonic()

    def on_frame(event: dict) -> None:
        websocket["payload_bytes"] += _websocket_payload(event["response"])
        websocket["frames"] += 1
        last_event[0] = time.monotonic()

    def on_handshake(event: dict) -> None:
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        websocket["extensions"] = headers.get("sec-websocket-extensions", "")

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.webSocketHandshakeResponseReceived", on_handshake)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.webSocketFrameReceived", on_frame)
    cdp.on("Network.requestWillBeSent", lambda _: last_event.__setitem__(0, time.monotonic()))
    before = meter.to_browser
    started = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT_MS)
    _wait_until_done(page)
    if ready and not page.locator("[data-testid='stException']").count():
        page.wait_for_selector(ready, timeout=PAGE_TIMEOUT_MS)
    if page.locator("[data-testid='stException']").count():
        message = page.locator("[data-testid='stException']").first.inner_text()
        page.close()
        raise PageFailed(f"the page raised: {' '.join(message.split())[:300]}")
    seen = meter.to_browser
    while True:  # quiet: no DevTools event and no byte on the relay for QUIET_SECONDS,
        page.wait_for_timeout(250)  # and no script running
        if meter.to_browser != seen:
            seen, last_event[0] = meter.to_browser, time.monotonic()
        if (
            time.monotonic() - last_event[0] >= QUIET_SECONDS
            and not page.locator("[data-testid='stStatusWidget']").count()
        ):
            break
        if time.perf_counter() - started > PAGE_TIMEOUT_MS / 1000:
            page.close()
            raise PageFailed("the network never went quiet")
    wire = meter.to_browser - before
    page.close()
    time.sleep(0.3)  # the WebSocket's closing frames, before the next visit counts
    http = [r for r in responses.values() if r["url"].startswith("http")]
    heaviest = sorted(http, key=lambda r: r["bytes"], reverse=True)[:8]
    return {
        "wire_bytes": wire,
        "http_bytes": sum(r["bytes"] for r in http),
        "websocket_payload_bytes": websocket["payload_bytes"],
        "websocket_frames": websocket["frames"],
        "websocket_extensions": websocket["extensions"],
        "requests": len(http),
        "from_cache": sum(1 for r in http if r["bytes"] == 0),
        "seconds": time.perf_counter() - started,
        "heaviest": [
            {"item": _asset_name(r["url"]), "bytes": r["bytes"], "encoding": r["encoding"]}
            for r in heaviest
            if r["bytes"]
        ],
        "static_cache_control": sorted(
            {r["cache_control"] for r in http if "/static/" in urlparse(r["url"]).path}
        ),
    }


def page_url(base: str, url_path: str | None, query: str = QUERY) -> str:
    return f"{base}/{url_path or ''}?{query}"


def first_and_repeat(browser, base: str, entry, meter: WireMeter, query: str = QUERY) -> dict:  # type: ignore[no-untyped-def]
    """A first visit in a fresh browser context, then a repeat visit in the same one; or
    ``{"error": …}`` when the page failed to render."""
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        url, ready = page_url(base, entry.url_path, query), READY.get(entry.name)
        return {
            "first": visit(context, url, meter, ready),
            "repeat": visit(context, url, meter, ready),
        }
    except (PageFailed, PlaywrightError) as exc:
        return {"error": str(exc).splitlines()[0]}
    finally:
        context.close()


def launch_browser(playwright, certificate: Certificate | None = None):  # type: ignore[no-untyped-def]
    args = list(BROWSER_ARGS)
    if certificate is not None:
        args.append(f"--ignore-certificate-errors-spki-list={certificate.spki_sha256}")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


def measure(
    env: dict[str, str],
    folder: Path,
    log: Path,
    pages: Sequence[str] | None = None,
    lang: str = "en",
) -> dict:
    """Every page (or those named in ``pages``), first and repeat visit, direct and (with
    nginx) behind the proxy, in ``lang``."""
    from playwright.sync_api import sync_playwright

    from bench.server_memory import start, stop
    from ui.pages import PAGES

    query = f"{PERIOD}&lang={lang}"
    result: dict = {"query": query, "goals": GOALS, "pages": []}
    server, port = start(env, log)
    meters: list[WireMeter] = []
    try:
        with contextlib.ExitStack() as stack:
            direct = WireMeter(port)
            meters.append(direct)
            routes = {"direct": (f"http://127.0.0.1:{direct.port}", direct, None)}
            reason = nginx_unavailable()
            if reason is None:
                proxy = stack.enter_context(documented_proxy(port, folder / "nginx"))
                behind = WireMeter(proxy.port)
                meters.append(behind)
                routes["proxy"] = (f"https://127.0.0.1:{behind.port}", behind, proxy.certificate)
                result["proxy"] = {
                    "nginx": proxy.version,
                    "brotli": proxy.brotli,
                    "fonts": [asdict(font) for font in proxy.cut_fonts],
                }
            else:
                result["proxy"] = {"unavailable": reason}
            with sync_playwright() as playwright:
                browsers = {
                    name: launch_browser(playwright, certificate)
                    for name, (_, _, certificate) in routes.items()
                }
                for entry in PAGES:
                    if pages and entry.name not in pages:
                        continue
                    row: dict = {"page": entry.name, "url": page_url("", entry.url_path, query)}
                    for name, (base, meter, _) in routes.items():
                        print(f"Page weight: {entry.name}, {name} …", file=sys.stderr, flush=True)
                        row[name] = first_and_repeat(browsers[name], base, entry, meter, query)
                    result["pages"].append(row)
                for browser in browsers.values():
                    browser.close()
    finally:
        for meter in meters:
            meter.close()
        stop(server)
    return result


# --- the tables -----------------------------------------------------------------------------
def tables(result: dict) -> str:
    """Bytes on the wire per page against the goals; the heaviest items of a first visit."""
    from bench.report import kilobytes, ratio, table, verdict

    proxied = "nginx" in result["proxy"]
    rows, failed = [], []
    for row in result["pages"]:
        cells = [row["url"], kilobytes(_wire(row, "direct", "first"))]
        cells.append(kilobytes(_wire(row, "direct", "repeat")))
        if proxied:
            first, repeat = _wire(row, "proxy", "first"), _wire(row, "proxy", "repeat")
            cells += [
                kilobytes(first),
                kilobytes(repeat),
                ratio(first, GOALS["first"]),
                ratio(repeat, GOALS["repeat"]),
                verdict(
                    None
                    if first is None or repeat is None
                    else first <= GOALS["first"] and repeat <= GOALS["repeat"]
                ),
            ]
        rows.append(cells)
        failed += [
            f"  {row['page']}, {route}: {row[route]['error']}"
            for route in ("direct", "proxy")
            if "error" in row.get(route, {})
        ]
    header = ["page", "first, direct", "repeat, direct"]
    if proxied:
        header += ["first, proxy", "repeat, proxy", "first/1.5 MB", "repeat/200 kB", ""]
        about = f"behind {result['proxy']['nginx']}" + (
            ", brotli" if result["proxy"]["brotli"] else ", gzip only (no brotli module)"
        )
    else:
        about = f"direct only: {result['proxy']['unavailable']}"
    out = [table(f"page weight, bytes on the wire (kB = 1,000 bytes; {about})", header, rows)]
    out.append(
        f"  goals behind the proxy: first visit ≤ {kilobytes(GOALS['first'])}, "
        f"repeat visit ≤ {kilobytes(GOALS['repeat'])}"
    )
    if failed:
        out += ["  not measured (the page did not render):", *failed]
    out.append(_heaviest_table(result, "proxy" if proxied else "direct"))
    return "\n".join(out)


def _wire(row: dict, route: str, visit: str) -> int | None:
    return row.get(route, {}).get(visit, {}).get("wire_bytes")


def _deflate(visit: dict) -> str:
    return "deflate" if "permessage-deflate" in visit["websocket_extensions"] else "none"


def _pages(pages: list[str], every: int) -> str:
    if len(pages) == every:
        return "all"
    return ", ".join(pages) if len(pages) <= 3 else f"{len(pages)} of {every}"


def _heaviest_table(result: dict, route: str) -> str:
    from bench.report import kilobytes, table

    items: dict[str, dict] = {}
    measured = [row for row in result["pages"] if "first" in row.get(route, {})]
    for row in measured:
        for item in row[route]["first"]["heaviest"]:
            entry = items.setdefault(item["item"], {**item, "pages": []})
            entry["bytes"] = max(entry["bytes"], item["bytes"])
            entry["pages"].append(row["page"])
        first = row[route]["first"]
        unpacked = kilobytes(first["websocket_payload_bytes"])
        items[f"WebSocket, {row['page']}"] = {
            "bytes": first["wire_bytes"] - first["http_bytes"],
            "encoding": f"{_deflate(first)}, {unpacked} unpacked",
            "pages": [row["page"]],
        }
    every = len(measured)
    rows = [
        [
            name,
            kilobytes(entry["bytes"]),
            entry["encoding"] or "none",
            _pages(entry["pages"], every),
        ]
        for name, entry in sorted(items.items(), key=lambda kv: -kv[1]["bytes"])
        if entry["bytes"] >= 20_000
    ]
    return table(
        f"heaviest items of a first visit ({route}; each page's 8 largest responses as sent, "
        "and its WebSocket: bytes on the wire less the HTTP bytes)",
        ["item", "bytes", "encoding", "pages"],
        rows[:20],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--store", help="the analytics store's URL (default: the configured one)")
    parser.add_argument("--pages", help="only these pages (ui/pages.py names, comma-separated)")
    parser.add_argument("--lang", choices=["en", "hi"], default="en", help="the pages' language")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    from bench import data
    from data_access.config import load_settings

    store = args.store or load_settings().store_url
    with tempfile.TemporaryDirectory(prefix="page-weight-") as folder:
        data.BENCH_DIR.mkdir(parents=True, exist_ok=True)
        result = measure(
            data.app_environment(store),
            Path(folder),
            data.BENCH_DIR / "server.log",
            args.pages.split(",") if args.pages else None,
            args.lang,
        )
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        return
    print(tables(result))


if __name__ == "__main__":
    main()
