"""Public services API under /api/v1/public-services/."""

from ninja import Router

from comuna.public_services.api_operations import router as operations_router

router = Router(tags=["public-services"])
router.add_router("", operations_router)
