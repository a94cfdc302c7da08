"""Who may do what with duels. The only place such checks live."""


def can_edit(user) -> bool:
    """Seasons, episodes, the leaderboard and statistics: network staff."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_start_game(user) -> bool:
    """Class games are started by teachers (and staff)."""
    return bool(user.is_authenticated and user.is_active and (user.is_teacher or user.is_staff))


def can_run_game(user, game) -> bool:
    """The board of a class game: its teacher and staff."""
    return bool(user.is_authenticated and user.is_active and (game.teacher_id == user.pk or user.is_staff))
