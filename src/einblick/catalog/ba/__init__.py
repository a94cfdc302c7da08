"""Offer import from the job search of the Bundesagentur für Arbeit (BA).

``client`` fetches pages of ``/pc/v4/jobs`` (apprenticeships and dual study: ``angebotsart=4``), ``parse`` turns a
page in the v4 shape (``stellenangebote``) or the newer v6 shape (``ergebnisliste``) into plain records and counts
what it cannot use, ``services`` maps records to companies, sites, professions and offers (idempotent by the BA
reference number), ``tasks`` runs an import in the worker. See docs/catalog.md.
"""
