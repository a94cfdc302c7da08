"""Helpers that run inside the application's processes during tests (e.g. a slow e-mail backend for the worker)."""
