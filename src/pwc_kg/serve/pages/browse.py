"""(being written) Browse state of the art: /sota, the task pages, All SotA."""

from __future__ import annotations

from . import entities

ROUTES: dict = {}


def task_page(pages, entity):
    return entities.task_page(pages.reads, entity)
