from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrEmailBackend(ModelBackend):
    """Log in with the user name (pupils who joined with a class code have no e-mail) or the e-mail address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        username = username.strip()
        if "@" in username:
            user = User.objects.filter(email__iexact=username).first()
        else:
            user = User.objects.filter(username__iexact=username).first()
        if user is None:
            User().set_password(
                password
            )  # same work as a real check: no timing hint that the user is unknown
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
