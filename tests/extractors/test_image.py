import pytest

from docpipe.errors import CorruptFileError, FileTooLargeError
from extractors import sniff
from extractors.image import read_image
from tests import documents


@pytest.mark.parametrize(("fmt", "media_type"), [("PNG", sniff.PNG), ("JPEG", sniff.JPEG)])
def test_single_images_are_ocrd(settings, fmt, media_type):
    extracted = read_image(documents.image_bytes("Receipt total 42.50", fmt), settings, media_type)
    assert len(extracted.pages) == 1
    page = extracted.pages[0]
    assert page.source == "ocr" and "42.50" in page.text and page.ocr_confidence > 50


def test_multipage_tiff_gives_one_page_per_frame(settings):
    extracted = read_image(documents.multipage_tiff("Purchase order PO-1", "Page two PO-1"), settings, sniff.TIFF)
    assert [page.number for page in extracted.pages] == [1, 2]
    assert "Page two" in extracted.pages[1].text


def test_decompression_bomb_is_refused_before_decoding(settings):
    with pytest.raises(FileTooLargeError, match="decompression bomb"):
        read_image(documents.image_bomb_png(), settings, sniff.PNG)


def test_truncated_image_is_refused(settings):
    content = documents.image_bytes("Receipt total 42.50", "PNG")
    with pytest.raises(CorruptFileError):
        read_image(content[: len(content) // 2], settings, sniff.PNG)


@pytest.mark.parametrize(("width", "height"), [(1, 1), (10_000, 11_000)])
def test_a_blank_image_is_a_page_with_no_text(settings, width, height):
    extracted = read_image(documents.blank_png(width, height), settings, sniff.PNG)
    assert [(page.number, page.text.strip(), page.source, page.ocr_confidence) for page in extracted.pages] == [
        (1, "", "ocr", 0.0)
    ]
