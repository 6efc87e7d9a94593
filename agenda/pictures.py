"""An event's picture as the agenda serves it: our own addresses, sizes and alt text.

Pure (no I/O). The picture job (``agenda.sync.pictures``) fetches an event's ``image``
(a source's URL), checks and resizes it and records a ``StoredPicture`` per source URL;
pages, the API (and so the widget) and the feeds turn an event into a ``Picture`` with
``picture_for`` and never point a visitor's browser at another site. An event without a
usable picture gets ``None``; pages then show ``placeholder_for`` (a small SVG per kind).
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from agenda.model import Event

# The widths every picture is stored in (never wider than the original), as WebP and JPEG.
WIDTHS: tuple[int, ...] = (480, 1200)
FORMATS: tuple[str, ...] = ("webp", "jpg")
MEDIA_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}
PLACEHOLDER_KINDS: tuple[str, ...] = (
    "exhibition", "concert", "performance", "lecture", "tour", "workshop", "festival",
    "film", "market", "other",
)  # fmt: skip
PLACEHOLDER_SIZE = (480, 320)


class StoredPicture(msgspec.Struct, frozen=True, kw_only=True):
    """What the picture job recorded for one source URL."""

    url: str
    status: str  # ok | refused | failed
    reason: str = ""
    hash: str | None = None
    width: int | None = None  # of the original, EXIF orientation applied
    height: int | None = None
    fetched: str = ""


class Picture(msgspec.Struct, frozen=True, kw_only=True):
    """An event's picture on our origin: a JPEG ``src`` for every browser and feed reader,
    WebP and JPEG ``srcset``s, the size of the largest variant and its alt text."""

    src: str
    webp_srcset: str
    jpeg_srcset: str
    width: int
    height: int
    alt: str
    small: str  # the narrowest JPEG (thumbnails)


def default_images_dir(db: str) -> str:
    """Where pictures live when no folder is configured: beside the database."""
    return f"{db}.images"


def variant_size(width: int, height: int, target: int) -> tuple[int, int]:
    """The size of the ``target``-wide variant of a ``width``×``height`` picture (no upscaling)."""
    w = min(width, target)
    return w, max(1, round(height * w / width))


def image_path(digest: str, width: int, fmt: str) -> str:
    """``/images/{hash}-{width}.{webp|jpg}``: the address of one stored variant."""
    return f"/images/{digest}-{width}.{fmt}"


def picture_for(
    event: Event, pictures: Mapping[str, StoredPicture], base_url: str = ""
) -> Picture | None:
    """The event's picture on our origin (``base_url`` makes the addresses absolute), or None
    when it has none, or it was refused, failed or not fetched yet."""
    if not event.image:
        return None
    stored = pictures.get(event.image)
    if stored is None or stored.status != "ok" or not stored.hash:
        return None
    if not stored.width or not stored.height:
        return None
    base = base_url.rstrip("/")
    sizes = [variant_size(stored.width, stored.height, w) for w in WIDTHS]

    def srcset(fmt: str) -> str:
        return ", ".join(
            f"{base}{image_path(stored.hash or '', target, fmt)} {w}w"
            for target, (w, _) in zip(WIDTHS, sizes, strict=True)
        )

    width, height = sizes[-1]
    return Picture(
        src=base + image_path(stored.hash, WIDTHS[-1], "jpg"),
        webp_srcset=srcset("webp"),
        jpeg_srcset=srcset("jpg"),
        width=width,
        height=height,
        alt=event.title,
        small=base + image_path(stored.hash, WIDTHS[0], "jpg"),
    )


def placeholder_for(event: Event, base_url: str = "") -> str:
    """A small static SVG in the colours of the agenda, one per kind of event."""
    kind = event.kind if event.kind in PLACEHOLDER_KINDS else "other"
    return f"{base_url.rstrip('/')}/static/placeholder-{kind}.svg"
