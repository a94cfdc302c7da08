"""Why a record, a page or an import was not (fully) used: stable codes stored in ``OfferImport.report``, texts
translated when shown."""

from django.utils.translation import gettext_lazy as _

REASONS = {
    # pages
    "malformed_json": _("The page is not valid JSON (%(detail)s)."),
    "malformed_page": _("The page has an unexpected structure (%(detail)s)."),
    "fetch_failed": _("The page could not be fetched (%(detail)s)."),
    # records
    "not_an_object": _("The record is not a JSON object."),
    "missing_ref": _("The record has no reference number."),
    "invalid_ref": _("The reference number is not usable (%(detail)s)."),
    "missing_employer": _("The record names no employer."),
    "missing_profession": _("The record names no profession."),
    "missing_location": _("The record has no postal code or town."),
    "invalid_plz": _("The postal code is not valid (%(detail)s)."),
    "unknown_plz": _("Unknown postal code or town (%(detail)s): it is not in the place table."),
    "unmapped_profession": _("The profession is not in the catalogue (%(detail)s)."),
    "invalid_offer": _("The offer could not be saved (%(detail)s)."),
    "error": _("Unexpected error (%(detail)s)."),
    # the import as a whole
    "incomplete": _(
        "Not all results were fetched (%(detail)s). Choose a smaller distance or allow more pages "
        "(EINBLICK_BA_PAGES)."
    ),
    "unknown_area": _("The searched place (%(detail)s) is not in the place table."),
    "not_expired": _("Offers missing from this import were not expired because the import is incomplete."),
    "problems_truncated": _("Only the first %(detail)s problems are listed."),
    "failed": _("The import failed: %(detail)s"),
}


def reason_text(code: str, detail: str = "") -> str:
    message = REASONS.get(code)
    if message is None:
        return f"{code}: {detail}" if detail else code
    return str(message) % {"detail": detail}
