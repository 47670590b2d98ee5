import pytest

from docpipe.errors import CorruptFileError
from extractors.plaintext import read_plain_text


def test_utf8_text_is_one_page_per_form_feed():
    extracted = read_plain_text("Subject: VPN down\n\nNobody can connect.\fSecond page".encode())
    assert [page.text for page in extracted.pages] == ["Subject: VPN down\n\nNobody can connect.", "Second page"]
    assert extracted.metadata["encoding"] == "utf-8"


def test_windows_1252_text_is_read_and_its_encoding_recorded():
    extracted = read_plain_text("Rechnung für Müller – 250 €".encode("cp1252"))
    assert extracted.pages[0].text == "Rechnung für Müller – 250 €"
    assert extracted.metadata["encoding"] == "cp1252"


def test_bytes_that_are_not_text_in_any_encoding_are_refused():
    with pytest.raises(CorruptFileError, match="not a readable text file"):
        read_plain_text(bytes(range(128, 256)) * 8)


def test_utf8_with_a_stray_byte_stays_utf8_with_a_warning():
    content = "Grüße aus Köln: Rechnung 7 über 120 €, fällig Freitag.".encode()
    damaged = content[:10] + b"\xff" + content[10:]
    extracted = read_plain_text(damaged)
    assert "Köln" in extracted.text and "über 120 €" in extracted.text and "\ufffd" in extracted.text
    assert extracted.metadata["encoding"] == "utf-8"
    assert extracted.metadata["warnings"] == ["1 byte sequence(s) not valid UTF-8, replaced with \ufffd"]


def test_a_guessed_windows_1252_reading_carries_a_warning():
    extracted = read_plain_text("Grüße aus Köln, Rechnung folgt.".encode("cp1252"))
    assert extracted.metadata["warnings"] == ["not valid UTF-8: read as Windows-1252"]
