"""Public services API under /api/v1/public-services/."""

from ninja import Router

router = Router(tags=["public-services"])
