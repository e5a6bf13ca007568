from django.conf import settings


def site(request):
    """Values every page needs: municipality, support phone and whether demo mode is on."""
    return {
        "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
        "SUPPORT_PHONE": settings.SUPPORT_PHONE,
        "DEMO": settings.DEMO,
    }
