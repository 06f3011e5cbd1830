"""Actors: a network plus its objective, evaluated on one batch."""
from ltr.actors.base_actor import BaseActor
from ltr.actors.bbreg import AtomActor

__all__ = ["BaseActor", "AtomActor"]
