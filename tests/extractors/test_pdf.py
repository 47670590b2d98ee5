import pytest

from docpipe.errors import CorruptFileError, EncryptedFileError
from extractors.pdf import read_pdf, has_usable_text_layer
from tests import documents


def test_text_layer_pages_are_read_without_ocr(settings):
    extracted = read_pdf(documents.text_pdf(documents.INVOICE_TEXT, "Page two: terms and conditions apply"), settings)
    assert [page.source for page in extracted.pages] == ["text_layer", "text_layer"]
    assert "INV-2041" in extracted.pages[0].text
    assert extracted.pages[1].text.startswith("Page two")
    assert not extracted.ocr_used


def test_scanned_pages_are_ocrd_with_confidence(settings):
    extracted = read_pdf(documents.scanned_pdf("Invoice number INV-2041", "Total due 1250.00 EUR"), settings)
    assert [page.source for page in extracted.pages] == ["ocr", "ocr"]
    assert "INV-2041" in extracted.pages[0].text
    assert "1250.00" in extracted.pages[1].text
    assert all(page.ocr_confidence is not None and page.ocr_confidence > 50 for page in extracted.pages)


def test_mixed_pdf_ocrs_only_the_scanned_page(settings):
    import pymupdf

    mixed = pymupdf.open(stream=documents.text_pdf(documents.INVOICE_TEXT), filetype="pdf")
    mixed.insert_pdf(pymupdf.open(stream=documents.scanned_pdf("Delivery note DN-77"), filetype="pdf"))
    extracted = read_pdf(mixed.tobytes(), settings)
    assert [page.source for page in extracted.pages] == ["text_layer", "ocr"]
    assert "DN-77" in extracted.pages[1].text


def test_blank_pages_are_pages_with_no_text(settings):
    blank = read_pdf(documents.text_pdf(""), settings)
    assert [(page.text.strip(), page.source, page.ocr_confidence) for page in blank.pages] == [("", "ocr", 0.0)]
    with_gap = read_pdf(documents.text_pdf(documents.INVOICE_TEXT, "", "Page three: terms apply"), settings)
    assert [page.source for page in with_gap.pages] == ["text_layer", "ocr", "text_layer"]
    assert (with_gap.pages[1].text.strip(), with_gap.pages[1].ocr_confidence) == ("", 0.0)
    assert with_gap.pages[2].text.startswith("Page three")


def test_a_cyclic_page_tree_is_a_damaged_pdf_not_a_crash(settings):
    with pytest.raises(CorruptFileError, match=r"^damaged PDF: a page cannot be read \(code=7: cycle in page tree\)$"):
        read_pdf(documents.cyclic_page_tree_pdf(), settings)


def test_encrypted_pdf_is_refused_with_reason(settings):
    with pytest.raises(EncryptedFileError, match="password-protected"):
        read_pdf(documents.encrypted_pdf("secret terms"), settings)


@pytest.mark.parametrize("content", [b"%PDF-1.7\n" + b"\x00garbage" * 50, b"%PDF-1.4\n%%EOF"])
def test_corrupt_pdf_is_refused_with_reason(settings, content):
    with pytest.raises(CorruptFileError):
        read_pdf(content, settings)


def test_truncated_pdf_is_repaired_or_refused(settings):
    content = documents.text_pdf(documents.INVOICE_TEXT)
    truncated = content[: len(content) // 3]
    try:
        extracted = read_pdf(truncated, settings)
    except CorruptFileError as error:
        assert "PDF" in str(error)
    else:  # MuPDF rebuilt it: what survives is reported as repaired
        assert extracted.metadata.get("warning", "").startswith("PDF structure was damaged")


def test_text_layer_of_unmapped_glyphs_is_not_usable():
    assert has_usable_text_layer("Invoice INV-2041 total 1250.00", 20)
    assert not has_usable_text_layer("   \n  ", 20)
    assert not has_usable_text_layer("\ufffd" * 40 + "ab", 20)
