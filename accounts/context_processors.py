def tenancy(request):
    return {
        "region": getattr(request, "region", None),
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
    }
