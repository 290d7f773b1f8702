"""Assemblies API under /api/v1/assemblies/."""

from ninja import Router

from comuna.assemblies.api_voting import router as voting_router

router = Router(tags=["assemblies"])
router.add_router("", voting_router)
