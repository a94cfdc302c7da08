"""Tickets as QR codes: what the code holds and how it is drawn. Rendered locally with segno (no request to any
QR service); the payload holds only the ticket code, no name.

The payload is ``EINBLICK-TICKET:<code>``: upper-case letters, digits, ``-`` and ``:`` only, so the QR code uses the
compact alphanumeric mode (version 2, 25 × 25 modules). ``services.normalise_code`` turns it back into the code.
"""

import io

import segno
from django.utils.translation import gettext

from .models import Registration

PAYLOAD_PREFIX = "EINBLICK-TICKET:"
SCALE = 6  # pixels per module
BORDER = 2  # quiet zone in modules (phone scanners cope with 2 on a white page)


def qr_payload(registration: Registration) -> str:
    return PAYLOAD_PREFIX + registration.ticket


def qr_code(registration: Registration) -> segno.QRCode:
    # error correction at least M; segno raises it further if that still fits the same version
    return segno.make(qr_payload(registration), error="m", micro=False)


def qr_svg(registration: Registration) -> bytes:
    """The ticket's QR code as SVG: black on white (also readable from a phone in dark mode), with a ``viewBox`` so
    it scales, and a <title> for assistive technology."""
    buffer = io.BytesIO()
    qr_code(registration).save(
        buffer,
        kind="svg",
        scale=SCALE,
        border=BORDER,
        dark="#000",
        light="#fff",
        title=gettext("Ticket %(code)s") % {"code": registration.ticket_display},
        omitsize=True,
    )
    return buffer.getvalue()


def qr_png(registration: Registration, *, scale: int = SCALE) -> bytes:
    """The same code as PNG, e.g. as an e-mail attachment (mail clients do not all show SVG)."""
    buffer = io.BytesIO()
    qr_code(registration).save(buffer, kind="png", scale=scale, border=BORDER, dark="#000", light="#fff")
    return buffer.getvalue()
