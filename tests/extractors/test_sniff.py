import pytest

from docpipe.errors import UnsupportedTypeError
from extractors import sniff
from tests import documents


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (documents.text_pdf("hello"), sniff.PDF),
        (documents.image_bytes("hello", "PNG"), sniff.PNG),
        (documents.image_bytes("hello", "JPEG"), sniff.JPEG),
        (documents.multipage_tiff("a", "b"), sniff.TIFF),
        (documents.eml("Please find the invoice attached."), sniff.EML),
        ("Subject: printer on fire\n\nThe printer on floor 2 is smoking.".encode(), sniff.TEXT),
        ("Grüße aus Köln, Rechnung folgt.".encode("cp1252"), sniff.TEXT),
    ],
)
def test_type_comes_from_content(content, expected):
    assert sniff.sniff_media_type(content, "misnamed.bin") == expected


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"PK\x03\x04" + b"\x00" * 100, "ZIP archive"),
        (bytes(range(256)) * 4, "binary content not recognised"),
    ],
)
def test_unsupported_content_is_named(content, reason):
    with pytest.raises(UnsupportedTypeError, match=reason):
        sniff.sniff_media_type(content, "x.pdf")


def _bmp() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="BMP")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"BMW service, invoice 2026-114\nOil change 120.00 EUR\n", sniff.TEXT),
        (b"Our scanner writes files starting with %PDF-1.4 when it works.\nToday it did not.\n", sniff.TEXT),
        (b"junk from a mail gateway\r\n" + documents.text_pdf("hello"), sniff.PDF),
        (documents.mail_with_raw_pdf(documents.text_pdf("Invoice 7")), sniff.EML),
    ],
)
def test_ambiguous_content_is_decided_in_a_clear_order(content, expected):
    assert sniff.sniff_media_type(content, "x.txt") == expected


def test_a_real_bmp_is_named():
    with pytest.raises(UnsupportedTypeError, match="a BMP image"):
        sniff.sniff_media_type(_bmp(), "scan.bmp")
