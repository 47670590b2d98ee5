from extractors.email import read_email, html_to_text
from tests import documents


def test_mail_body_and_headers_form_the_text_and_attachments_are_kept():
    pdf = documents.text_pdf(documents.INVOICE_TEXT)
    extracted = read_email(documents.eml("Please find invoice INV-2041 attached.", [("INV-2041.pdf", pdf, "application/pdf")]))
    text = extracted.pages[0].text
    assert "Subject: Invoice INV-2041" in text and "Please find invoice INV-2041 attached." in text
    assert [(a.filename, a.content) for a in extracted.attachments] == [("INV-2041.pdf", pdf)]
    assert extracted.metadata["attachments"] == ["INV-2041.pdf"]


def test_html_only_mail_is_reduced_to_text():
    raw = (
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: Outage\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><style>p{}</style></head><body><p>Server <b>down</b></p><p>since 9:00</p></body></html>"
    )
    text = read_email(raw).pages[0].text
    assert "Server down" in text and "since 9:00" in text and "p{}" not in text


def test_forwarded_mail_is_one_attachment():
    inner = documents.eml("Original invoice mail")
    outer = documents.eml("FYI, see below", [("forwarded.eml", inner, "message/rfc822")])
    attachments = read_email(outer).attachments
    assert len(attachments) == 1 and b"Original invoice mail" in attachments[0].content


def test_html_to_text_keeps_blocks_apart():
    lines = [line for line in html_to_text("<div>one</div><div>two</div>").splitlines() if line]
    assert lines == ["one", "two"]


def test_a_raw_binary_pdf_attachment_comes_out_byte_for_byte():
    pdf = documents.text_pdf("Invoice 7")
    mail = read_email(documents.mail_with_raw_pdf(pdf))
    assert mail.metadata["subject"] == "Invoice 7" and "Attached." in mail.text
    assert [(a.filename, a.content) for a in mail.attachments] == [("inv.pdf", pdf)]
