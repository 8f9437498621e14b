from archive.roles import role_of


def role(request):
    """The requesting user's role, for navigation only (never for access)."""
    return {"archive_role": role_of(getattr(request, "user", None))}
