"""The Mesa agents: human creators and AI models."""

from agents.ai_model import AIModel
from agents.human_creator import CreatorPopulation, HumanCreator

__all__ = ["AIModel", "CreatorPopulation", "HumanCreator"]
