"""Parsing printed values (dates, amounts, currencies, durations) and normal forms for matching.

Used three ways: to turn the model's copied strings into typed values, to find every
date and amount a text contains (grounding), and to compare with gold labels (evaluation).
Everything here is deterministic and tolerant of OCR noise: case, whitespace, thousands
separators, date formats.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

from schemas.types import ISO_4217_CODES

DateOrder = Literal["DMY", "MDY"]

# --- text -----------------------------------------------------------------------------


def fold(text: str) -> str:
    """Unicode-compatible, case-folded text (``ﬁ`` -> ``fi``, ``Ｅ`` -> ``e``, curly quotes kept)."""
    return unicodedata.normalize("NFKC", text).casefold()


def compact(text: str) -> str:
    """Letters and digits only, case-folded: equal for ``"67,JLN MEWAH"`` and ``"67 jln mewah"``."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


# --- amounts --------------------------------------------------------------------------

# A number with thousands groups ("1,234.50", "1 234,50") or without ("1234.50").
_GROUPED_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:[,. '\u00a0]\d{3})+(?:[.,]\d{1,4})?)(?!\d)")
_PLAIN_NUMBER = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d{1,4})?)(?![\d])")


def parse_amount(text: str | None) -> Decimal | None:
    """The number in a printed amount: ``"RM 1,234.50"``, ``"1.234,50 €"``, ``"(12.00)"``, ``"$15,000"``.

    The last of ``,``/``.`` is the decimal mark when both occur; a lone separator followed
    by exactly three digits is a thousands separator when it is a comma (``1,250``) and a
    decimal point when it is a dot (``1.250`` is more often a quantity than 1250 money).
    """
    if text is None:
        return None
    raw = fold(text).strip()
    negative = raw.startswith("-") or raw.endswith("-") or (raw.startswith("(") and raw.endswith(")"))
    digits = re.sub(r"(?<=\d)[ '\u00a0](?=\d{3}\b)", "", raw)
    match = re.search(r"\d[\d.,]*", digits)
    if match is None:
        return None
    number = match.group(0).rstrip(".,")
    commas, dots = number.count(","), number.count(".")
    if commas and dots:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
    elif commas:
        decimal_mark = "," if commas == 1 and not re.search(r",\d{3}$", number) else "thousands"
    elif dots > 1:
        decimal_mark = "thousands"
    else:
        decimal_mark = "."
    if decimal_mark == ",":
        number = number.replace(".", "").replace(",", ".")
    elif decimal_mark == ".":
        number = number.replace(",", "")
    else:
        number = number.replace(",", "").replace(".", "")
    try:
        value = Decimal(number)
    except InvalidOperation:
        return None
    return -value if negative else value


def amounts_in(text: str) -> set[Decimal]:
    """Every number printed in ``text``, parsed as an amount (OCR'd ``"14 .10"`` included)."""
    cleaned = re.sub(r"(?<=\d) ?([.,]) ?(?=\d{2}\b)", r"\1", text)
    # Both passes: "12 100.00" may be 12100.00 or a quantity 12 and an amount 100.00.
    found: set[Decimal] = set()
    for pattern in (_GROUPED_NUMBER, _PLAIN_NUMBER):
        for match in pattern.finditer(cleaned):
            value = parse_amount(match.group(1))
            if value is not None:
                found.add(value)
    return found


# --- dates ----------------------------------------------------------------------------

DATE_LANGUAGES = ("en", "de", "fr", "nl", "es", "it", "pt", "ms")
"""Languages whose month names a printed date may use ("29 maart 2014", "02 Juillet 2015",
"10 Ogos 2018"): their names come from dateparser's locale data."""
_MONTH_KEYS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip


def _month_names() -> dict[str, int]:
    from dateparser.languages.loader import default_loader

    names: dict[str, int] = {}
    for language in DATE_LANGUAGES:
        info = default_loader.get_locale(language).info
        for number, key in enumerate(_MONTH_KEYS, start=1):
            # Names of three letters or more: two-letter ones ("ag") read words as months.
            names.update({fold(name): number for name in info.get(key, ()) if len(name) >= 3})
    names["sept"] = 9  # English print's own abbreviation, missing from the locale data
    return names


_MONTHS = _month_names()
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4}|'?\d{2})"
_DATE_PATTERNS = (
    # 2018-12-25, 2018/12/25, 2018.12.25
    re.compile(r"(?<!\d)(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)"),
    # 25/12/2018, 12-25-18, 25.12.2018 (order decided later)
    re.compile(r"(?<!\d)(?P<first>\d{1,2})\s?[-/.]\s?(?P<second>\d{1,2})\s?[-/.]\s?(?P<year>\d{4}|\d{2})(?!\d)"),
    # 10 February 2017, 10th day of February, 2017, 10-Feb-2017, 10 Feb 17
    re.compile(r"(?<!\d)" + _DAY + r"(?:\s+day)?(?:\s+of)?[\s\-/.,]*" + _MONTH + r"[\s\-/.,]*" + _YEAR + r"(?!\d)", re.I),
    # February 10, 2017, Feb. 10th 2017, February 10,2017
    # (the day and year set apart: "March 2014" is no 20 March 14)
    re.compile(r"(?<![a-z])" + _MONTH + r"\s*" + _DAY + r"(?:\s*,\s*|\s+)" + _YEAR + r"(?!\d)", re.I),
)


def _year(text: str) -> int:
    digits = text.lstrip("'")
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _readings(match: re.Match[str]) -> Iterator[tuple[date, DateOrder | None]]:
    """Every date a match can mean, with the day/month order it implies (None: unambiguous)."""
    groups = match.groupdict()
    year = _year(groups["year"])
    if groups.get("first") is not None:
        first, second = int(groups["first"]), int(groups["second"])
        day_first, month_first = _safe_date(year, second, first), _safe_date(year, first, second)
        if day_first is not None:
            yield day_first, "DMY"
        if month_first is not None and month_first != day_first:
            yield month_first, "MDY"
        return
    month_text = groups["month"]
    month = int(month_text) if month_text.isdigit() else _MONTHS[fold(month_text)]
    parsed = _safe_date(year, month, int(groups["day"]))
    if parsed is not None:
        yield parsed, None


def parse_date(text: str | None, order: DateOrder = "DMY") -> date | None:
    """The date printed in ``text``; ``order`` settles numeric dates like ``03/04/2020``.

    A numeric date whose first number is over 12 is day-first and one whose second is over
    12 is month-first, whatever ``order`` says.
    """
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        readings = list(_readings(match))
        if not readings:
            continue
        if len(readings) == 1:
            return readings[0][0]
        return next(value for value, reading_order in readings if reading_order == order)
    return None


def dates_in(text: str) -> set[date]:
    """Every date ``text`` can be read to contain, under either day/month order."""
    found: set[date] = set()
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            found.update(value for value, _order in _readings(match))
    return found


def infer_date_order(text: str) -> DateOrder | None:
    """Day-first or month-first, from numeric dates in ``text`` that only one order can read."""
    day_first = month_first = 0
    for match in _DATE_PATTERNS[1].finditer(text):
        first, second = int(match.group("first")), int(match.group("second"))
        day_first += first > 12 >= second
        month_first += second > 12 >= first
    if day_first == month_first:
        return None
    return "DMY" if day_first > month_first else "MDY"


# --- currencies -----------------------------------------------------------------------

# Symbols and local abbreviations as printed -> ISO 4217. "$" alone is read as USD.
CURRENCY_SYMBOLS: dict[str, str] = {
    "$": "USD", "us$": "USD", "usd$": "USD", "dollar": "USD", "dollars": "USD",
    "€": "EUR", "eur€": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp£": "GBP", "¥": "JPY", "円": "JPY", "元": "CNY", "rmb": "CNY",
    "₹": "INR", "rs": "INR", "rs.": "INR", "inr₹": "INR", "rupees": "INR",
    "rm": "MYR", "ringgit": "MYR", "s$": "SGD", "a$": "AUD", "au$": "AUD", "c$": "CAD",
    "ca$": "CAD", "hk$": "HKD", "nz$": "NZD", "r$": "BRL", "zł": "PLN", "kč": "CZK",
    "₩": "KRW", "฿": "THB", "₱": "PHP", "rp": "IDR", "₫": "VND", "₺": "TRY", "₽": "RUB",
    "₪": "ILS", "fr.": "CHF", "sfr": "CHF",
}
_SYMBOLS_BY_CODE: dict[str, tuple[str, ...]] = {}
for _symbol, _code in CURRENCY_SYMBOLS.items():
    _SYMBOLS_BY_CODE[_code] = (*_SYMBOLS_BY_CODE.get(_code, ()), _symbol)


def normalize_currency(text: str | None) -> str | None:
    """ISO 4217 code for a printed currency (``"rm"`` -> ``MYR``, ``"€"`` -> ``EUR``), else ``None``."""
    if not text:
        return None
    raw = fold(text).strip()
    if raw.upper() in ISO_4217_CODES:
        return raw.upper()
    squeezed = raw.replace(" ", "")
    if squeezed in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[squeezed]
    for token in re.findall(r"\b[a-z]{3}\b", raw):
        if token.upper() in ISO_4217_CODES:
            return token.upper()
    for symbol in sorted(CURRENCY_SYMBOLS, key=len, reverse=True):
        if symbol in squeezed and not symbol.isalpha():
            return CURRENCY_SYMBOLS[symbol]
    return None


def currency_markers(code: str) -> tuple[str, ...]:
    """How ``code`` may be printed: the code itself and its symbols."""
    return (code.lower(), *_SYMBOLS_BY_CODE.get(code, ()))


def currency_printed_in(code: str, text: str) -> bool:
    folded = fold(text)
    for marker in currency_markers(code):
        if marker.isalpha() or marker.endswith("."):
            if re.search(rf"(?<![a-z]){re.escape(marker)}(?![a-z])", folded):
                return True
        elif marker in folded:
            return True
    return False


# --- durations ------------------------------------------------------------------------

_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORDS.update({"thirty": 30, "sixty": 60, "ninety": 90, "a": 1, "an": 1, "one-year": 1})
_UNIT = {"year": "year", "yr": "year", "month": "month", "mo": "month", "week": "week", "day": "day"}
_DURATION = re.compile(
    r"(?P<number>\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
    r"(?:\s*\(\s*(?P<digits>\d+)\s*\))?[\s-]*(?:calendar\s+|full\s+|consecutive\s+)?"
    r"(?P<unit>years?|yrs?|months?|mos?|weeks?|days?)\b",
    re.I,
)


def _duration(match: re.Match[str]) -> tuple[int, str]:
    number_text = match.group("digits") or match.group("number").lower()
    number = int(number_text) if number_text.isdigit() else _NUMBER_WORDS[number_text]
    unit_text = match.group("unit").lower().rstrip("s")
    return number, _UNIT[unit_text]


def parse_duration(text: str | None) -> tuple[int, str] | None:
    """``"two (2) years"`` -> ``(2, "year")``; ``None`` when no number and unit are stated."""
    if not text:
        return None
    match = _DURATION.search(text)
    return _duration(match) if match else None


def durations_in(text: str) -> set[tuple[int, str]]:
    return {_duration(match) for match in _DURATION.finditer(text)}


def duration_label(duration: tuple[int, str]) -> str:
    number, unit = duration
    return f"{number} {unit}{'' if number == 1 else 's'}"


# --- jurisdictions --------------------------------------------------------------------

_LAW_PREFIX = re.compile(
    r"^(?:(?:the\s+)?(?:internal\s+|substantive\s+)?laws?\s+of\s+)?(?:the\s+)?"
    r"(?:state|commonwealth|province|republic|kingdom)\s+of\s+|^(?:the\s+)?(?:internal\s+)?laws?\s+of\s+(?:the\s+)?",
    re.I,
)


def normalize_jurisdiction(text: str | None) -> str | None:
    """``"the laws of the State of New York"`` -> ``"New York"``."""
    if not text:
        return None
    stripped = _LAW_PREFIX.sub("", text.strip()).strip(" .,;")
    return stripped or None


# --- e-mail ---------------------------------------------------------------------------

_EMAIL = re.compile(r"^[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.I)


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


def document_date_order(text: str) -> DateOrder:
    """Day/month order for ambiguous numeric dates: from the document's unambiguous dates,
    else month-first when dollars are printed in it, else day-first (most of the world)."""
    return infer_date_order(text) or ("MDY" if currency_printed_in("USD", text) else "DMY")
