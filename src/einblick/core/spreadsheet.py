"""CSV for spreadsheets (German Excel: UTF-8 with BOM, semicolons, decimal comma), shared by the fair statistics,
the duel statistics and the events' portfolio and attendance lists."""

import csv
import io

from django.utils import formats


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return formats.number_format(value, 1, use_l10n=True)
    text = str(value)
    # A text starting like a formula would run as one in a spreadsheet (CSV injection): make it plain text.
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def to_csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
