"""Who may do what with accounts, schools and classes. The only place such checks live."""


def can_manage_classes(user) -> bool:
    return user.is_authenticated and user.is_teacher
