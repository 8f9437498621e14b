"""How a signed-in request's account is loaded: Django's model backend,
reading the account's reading preferences with it and its role just after,
so that the middleware and the access policy ask nothing more of the
database for them on every request."""

from django.contrib.auth.backends import ModelBackend

from archive.selectors import account_for_request


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        user = account_for_request(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
