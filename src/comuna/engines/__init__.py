"""Pure computation engines: no Django imports, frozen dataclasses in and out."""
