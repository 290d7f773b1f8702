"""API of the public_services module: schedules and route planning."""

from ninja import Router

router = Router()
