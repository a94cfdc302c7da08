"""Views of talks: pupils (``pupil``), staff (``manage``), companies (``company``) and teachers (``teacher``)."""
