"""Who may keep research tools: every signed-in role that reads testimonies
(researchers, documenters, moderators). The public keeps nothing here."""

from archive.access import role_required
from archive.roles import Role

RESEARCH_ROLES = (Role.RESEARCHER, Role.DOCUMENTER, Role.MODERATOR)

research_required = role_required(*RESEARCH_ROLES)
