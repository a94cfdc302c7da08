"""Einblick — connects young people with the apprenticeships of their region."""
