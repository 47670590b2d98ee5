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
