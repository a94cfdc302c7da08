"""Views of duels: watching and guessing (``public``), sharing (``share``), class games (``game``), the editor
(``editor``)."""
