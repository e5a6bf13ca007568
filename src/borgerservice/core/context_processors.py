from django.conf import settings


def site(request):
    """Values every page needs: municipality, support phone, demo mode and the user's roles."""
    from borgerservice.accounts.roles import ANALYST, AUDITOR, PERSON_ROLES, TEAM_LEAD, user_roles

    roles = user_roles(getattr(request, "user", None))
    return {
        "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
        "SUPPORT_PHONE": settings.SUPPORT_PHONE,
        "DEMO": settings.DEMO,
        "MAY_OPEN_PERSONS": bool(roles & PERSON_ROLES),
        "IS_AUDITOR": AUDITOR in roles,
        "IS_TEAM_LEAD": TEAM_LEAD in roles,
        # Management information: team leads and analysts.
        "IS_PLANNER": bool(roles & {TEAM_LEAD, ANALYST}),
    }
