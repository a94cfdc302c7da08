"""Views of events: public pages, registration, back office for staff and hosts, check-in, documents."""
