"""Sample files for the attachment tests, made with Pillow in the test run:
photos carrying GPS, a camera serial, XMP, an ICC profile and a comment,
and the kinds of files the archive must refuse."""

import io
import shutil
import struct
import wave
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, ImageDraw

SERIAL = "SN-QX7731-ZEBRA"
MAKER = "Quokkaphone"
COMMENT = "taken at the house of Layla Haddad"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/'
    b'1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com'
    b'/exif/1.0/" exif:GPSLatitude="35,8.85N" exif:BodySerialNumber="'
    + SERIAL.encode()
    + b'"/></rdf:RDF></x:xmpmeta>'
)
GPS_LATITUDE = (35.0, 8.0, 51.0)
GPS_LONGITUDE = (35.0, 56.0, 33.0)
RED, BLUE = (220, 20, 20), (20, 20, 220)
# Bytes of the metadata that must never reach a served copy.
LEAKS = (SERIAL.encode(), MAKER.encode(), b"adobe:ns:meta", COMMENT.encode())
# Made once: lcms writes the current second into a profile's header, and two
# photos made a second apart must still be byte for byte the same.
SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def photo_bytes(*, size=(96, 64), orientation=None, fmt="JPEG", pattern=False) -> bytes:
    """A photo with every kind of metadata a phone writes. Left half red,
    right half blue (to see how it was turned), or a fine checkerboard."""
    image = Image.new("RGB", size, RED)
    draw = ImageDraw.Draw(image)
    if pattern:
        for x in range(size[0]):
            for y in range(size[1]):
                if (x + y) % 2:
                    image.putpixel((x, y), (255, 255, 255))
                else:
                    image.putpixel((x, y), (0, 0, 0))
    else:
        draw.rectangle([size[0] // 2, 0, size[0], size[1]], fill=BLUE)
    exif = Image.Exif()
    exif[0x010F] = MAKER
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: GPS_LATITUDE, 3: "E", 4: GPS_LONGITUDE})
    exif.get_ifd(0x8769)[0xA431] = SERIAL
    buffer = io.BytesIO()
    extra = {"comment": COMMENT.encode()} if fmt == "JPEG" else {}
    image.save(buffer, fmt, exif=exif, icc_profile=SRGB_PROFILE, xmp=XMP, **extra)
    return buffer.getvalue()


def upload(data: bytes, name: str = "IMG_2025.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF\n"
    )


def wav_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x01" * 800)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture: a decompression bomb
    must be refused from its header, before any decoding."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", data)
        + chunk(b"IEND", b"")
    )


def media_files() -> list[Path]:
    """Every file under MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def media_bytes() -> bytes:
    return b"".join(path.read_bytes() for path in media_files())


def read_back(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def metadata_problems(data: bytes) -> list[str]:
    """What of the original's metadata a served copy still carries."""
    image = read_back(data)
    problems = [
        key for key in ("exif", "xmp", "icc_profile", "comment") if key in image.info
    ]
    if image.getexif():
        problems.append("getexif")
    problems += [leak.decode() for leak in LEAKS if leak in data]
    # The GPS degrees as EXIF writes them: rationals 35/1 and 8/1, either
    # byte order.
    for order in "<>":
        if struct.pack(f"{order}IIII", 35, 1, 8, 1) in data:
            problems.append("gps-rational")
    return problems


@pytest.fixture
def empty_media():
    """MEDIA_ROOT emptied before and after the test: the tests look for
    files left behind, and the folder is shared by the whole run."""
    root = Path(settings.MEDIA_ROOT)
    shutil.rmtree(root, ignore_errors=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)
