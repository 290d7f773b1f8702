"""API of the assemblies module: polls, elections and exports."""

from ninja import Router

router = Router()
