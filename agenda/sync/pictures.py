"""The picture job: fetch the images events name, check them, store our own variants.

Runs after an import (``agenda import``, after deduplication) and on its own schedule
inside ``agenda serve``, never inside an import's transaction. Each source image URL is
fetched once through ``importers.fetch`` (the same timeouts and redirect limit as
sources, a 10 MB cap), checked with Pillow (only JPEG, PNG, WebP and GIF; at most
``MAX_PIXELS`` pixels, so a decompression bomb is refused before it is decoded;
``verify()``), turned upright by its EXIF orientation and written without metadata as
WebP and JPEG at the widths of ``agenda.pictures.WIDTHS`` into the images folder, named
by the content hash. A run is bounded: at most ``per_run`` fetches, ``per_host`` per
host, ``spacing`` seconds between two fetches from one host, and ``seconds`` in all.
Whatever one picture does is recorded (ok, refused or failed with its reason) and never
stops the others. Each run ends by forgetting the pictures no event shows any more and
removing their files, so the folder does not grow with every changed picture.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import msgspec
from PIL import Image, ImageOps, UnidentifiedImageError

from agenda.pictures import WIDTHS, StoredPicture, variant_size
from agenda.store.database import Store
from agenda.timeutil import utc_iso
from importers.errors import FetchError
from importers.fetch import Client, FetchLimits, fetch, open_client

log = logging.getLogger("agenda.sync.pictures")
ACCEPTED = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
# 40 megapixels is a 7,700×5,200 photograph; anything larger is refused unread.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard, for every opener in this process
RETRY_FAILED = timedelta(days=1)
# FetchError messages that mean the host itself could not be reached.
_UNREACHABLE = ("host ", "connection refused", "could not connect", "TLS ")


class PictureBudget(msgspec.Struct, frozen=True, kw_only=True):
    """How much one run of the picture job may do."""

    per_run: int = 60
    per_host: int = 20
    # Seconds between two fetches from one host (politeness).
    spacing: float = 1.0
    # The whole run's deadline.
    seconds: float = 120.0
    max_bytes: int = 10 * 1024 * 1024


class PictureReport(msgspec.Struct, kw_only=True):
    """What one run did."""

    ok: int = 0
    refused: int = 0
    failed: int = 0
    deferred: int = 0  # wanted, but left for the next run by a budget
    removed: int = 0  # files of pictures no event shows any more
    problems: list[StoredPicture] = msgspec.field(default_factory=list)

    def line(self) -> str:
        line = (
            f"pictures: {self.ok} stored, {self.refused} refused, {self.failed} failed, "
            f"{self.deferred} left for later"
        )
        return line + (f", {self.removed} unused files removed" if self.removed else "")


class Refused(Exception):
    """Not a picture we accept; the message says why."""


class Processed(msgspec.Struct, frozen=True, kw_only=True):
    digest: str
    width: int
    height: int
    files: dict[str, bytes]  # file name -> bytes


def utc_now() -> datetime:
    return datetime.now(UTC)


def process(data: bytes) -> Processed:
    """Check ``data`` is a picture we accept and make its variants; raises ``Refused``."""
    digest = hashlib.sha256(data).hexdigest()[:32]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format or ""
                if kind not in ACCEPTED:
                    raise Refused(f"{kind or 'unknown'} pictures are not accepted "
                                  "(only JPEG, PNG, WebP and GIF)")  # fmt: skip
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise Refused(f"{width}×{height} pixels is more than {MAX_PIXELS:,}")
                probe.verify()
            # verify() leaves the image unusable: open again to decode it.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _variants(upright, digest)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Refused(f"too many pixels (a decompression bomb?): {exc}") from None
    except UnidentifiedImageError:
        raise Refused("not a picture (no JPEG, PNG, WebP or GIF data)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise Refused(f"a broken picture: {exc}") from None


def _variants(image: Image.Image, digest: str) -> Processed:
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = image.convert("RGB")
    width, height = flat.size
    files: dict[str, bytes] = {}
    for target in WIDTHS:
        size = variant_size(width, height, target)
        resized = flat if size == flat.size else flat.resize(size, Image.Resampling.LANCZOS)
        for fmt, options in (
            ("webp", {"format": "WEBP", "quality": 80, "method": 4}),
            ("jpg", {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True}),
        ):
            out = io.BytesIO()
            # No exif=, icc_profile= or comment: the variants carry no metadata.
            resized.save(out, **options)  # type: ignore[arg-type]
            files[f"{digest}-{target}.{fmt}"] = out.getvalue()
    return Processed(digest=digest, width=width, height=height, files=files)


def _write(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        target = folder / name
        if target.exists():
            continue  # the same content, already there
        partial = folder / f".{name}.{os.getpid()}.part"
        partial.write_bytes(data)
        partial.replace(target)


def fetch_pictures(
    store: Store,
    folder: str | Path,
    *,
    budget: PictureBudget | None = None,
    limits: FetchLimits | None = None,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> PictureReport:
    """Fetch, check and store the pictures events want, within ``budget``; then remove
    those no event shows any more (``prune_pictures``)."""
    budget = budget or PictureBudget()
    limits = msgspec.structs.replace(limits or FetchLimits(), max_bytes=budget.max_bytes)
    now = clock()
    wanted = store.wanted_pictures(now, now - RETRY_FAILED, budget.per_run * 10)
    report = PictureReport()
    per_host: dict[str, int] = {}
    last_at: dict[str, float] = {}
    deadline = monotonic() + budget.seconds
    fetched = 0
    with open_client(limits) as client:
        for url in wanted:
            host = urlsplit(url).netloc.lower()
            if fetched >= budget.per_run or per_host.get(host, 0) >= budget.per_host:
                report.deferred += 1
                continue
            if monotonic() >= deadline:
                report.deferred += 1
                continue
            if host in last_at:
                wait = last_at[host] + budget.spacing - monotonic()
                if wait > 0:
                    sleep(wait)
            if urlsplit(url).scheme.lower() in ("http", "https"):
                fetched += 1
                per_host[host] = per_host.get(host, 0) + 1
                last_at[host] = monotonic()
            record = _one(url, Path(folder), limits, client, clock)
            store.record_picture(record)
            if record.status == "failed" and record.reason.startswith(_UNREACHABLE):
                per_host[host] = budget.per_host  # the host is down: its others wait a run
            if record.status == "ok":
                report.ok += 1
            else:
                report.problems.append(record)
                if record.status == "refused":
                    report.refused += 1
                else:
                    report.failed += 1
                log.warning(
                    "picture %s: %s",
                    record.status,
                    record.reason,
                    extra={"event": "picture", "url": url, "outcome": record.status},
                )
    try:
        report.removed = prune_pictures(store, folder, clock)
    except OSError as exc:  # an unreadable folder: what was fetched still counts
        log.warning("unused pictures not removed: %s", exc)
    return report


def _one(
    url: str, folder: Path, limits: FetchLimits, client: Client, clock: Callable[[], datetime]
) -> StoredPicture:
    def done(status: str, reason: str = "", **found: object) -> StoredPicture:
        return StoredPicture(url=url, status=status, reason=reason,
                             fetched=utc_iso(clock()), **found)  # type: ignore[arg-type]  # fmt: skip

    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return done("refused", f"only http(s) pictures are fetched, not {url[:80]!r}")
    try:
        got = fetch(url, base_dir=None, limits=limits, client=client)
        processed = process(got.data)
        _write(folder, processed.files)
    except FetchError as exc:
        return done("failed", str(exc))
    except Refused as exc:
        return done("refused", str(exc))
    except OSError as exc:
        return done("failed", f"could not store the picture: {exc}")
    except Exception as exc:  # a bug with one picture must not stop the others
        log.exception("picture %s crashed", url)
        return done("failed", f"internal error: {exc!r}")
    return done("ok", hash=processed.digest, width=processed.width, height=processed.height)


# Files are written before they are recorded (and uploads before their listing's event
# exists): whatever is younger than this is left alone, whether or not it is recorded yet.
PRUNE_GRACE = timedelta(hours=1)
_VARIANT = re.compile(r"^([0-9a-f]{32})-\d+\.(?:webp|jpg)$")
_PARTIAL = re.compile(r"^\..+\.\d+\.part$")


def prune_pictures(
    store: Store, folder: str | Path, clock: Callable[[], datetime] = utc_now
) -> int:
    """Forget the pictures no event shows any more and remove their files (and partial
    files a crash left); returns how many files were removed. Only the job's own file
    names are touched, and only files older than ``PRUNE_GRACE``."""
    now = clock()
    in_use = store.forget_unused_pictures(now - PRUNE_GRACE)
    root = Path(folder)
    if not root.is_dir():
        return 0
    cutoff = (now - PRUNE_GRACE).timestamp()
    removed = 0
    for path in root.iterdir():
        variant = _VARIANT.match(path.name)
        unused = (variant is not None and variant.group(1) not in in_use) or bool(
            _PARTIAL.match(path.name)
        )
        try:
            if unused and path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process removed it meanwhile
            continue
        except OSError as exc:  # a file we may not remove costs the folder space, no more
            log.warning("picture file %s not removed: %s", path.name, exc)
    return removed


def uploaded_url(digest: str) -> str:
    """What a listing's ``image`` holds for an uploaded picture: its address on our origin."""
    return f"/images/{digest}-{WIDTHS[-1]}.jpg"


def store_upload(store: Store, folder: str | Path, processed: Processed, now: datetime) -> str:
    """Keep a picture a partner uploaded (already checked by ``process``) like a fetched one:
    its variants in the images folder and a record under ``uploaded_url``, so it is served
    from /images like any picture; returns that address for the listing's ``image``."""
    _write(Path(folder), processed.files)
    url = uploaded_url(processed.digest)
    store.record_picture(
        StoredPicture(
            url=url,
            status="ok",
            hash=processed.digest,
            width=processed.width,
            height=processed.height,
            fetched=utc_iso(now),
        )
    )
    return url
