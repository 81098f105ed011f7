"""Events triggered the way the store reads them back: their fields set in one go.

Every turn triggers four or five events. The library makes each through the
frozen dataclass's generated `__init__`, which sets its dozen fields one
`object.__setattr__` at a time, after copying the arguments twice; the mapper
already makes the events it reads with their `__dict__` filled at once. An event
made here is equal to the library's, field for field and in the same order (so
its stored state is the same bytes), and is refused as the library refuses it.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate, DomainEvent

_REQUIRED = object()  # a field without a default: the caller must give it
# Fields filled by the aggregate, never by the caller.
_COMMON = ("originator_id", "originator_version", "timestamp")


class QuickEvents(Aggregate):
    """An aggregate whose `trigger_event` fills its events' fields in one go."""

    def trigger_event(self, event_class: type[CanMutateAggregate[Any]], **kwargs: Any) -> None:
        template = _template(event_class)
        if template is None or getattr(type(self), "TOPIC", None) or not isinstance(self.id, UUID):
            super().trigger_event(event_class, **kwargs)
            return
        fields = dict(template)  # every field, in declaration order, at its default
        fields.update(kwargs)
        if len(fields) != len(template) or _REQUIRED in fields.values():
            super().trigger_event(event_class, **kwargs)  # raises the library's TypeError
            return
        fields["originator_id"] = self.id
        fields["originator_version"] = self.version + 1
        if fields["timestamp"] is None:
            fields["timestamp"] = event_class.create_timestamp()
        new_event = object.__new__(event_class)
        object.__setattr__(new_event, "__dict__", fields)
        new_event.mutate(self)
        self._pending_events.append(new_event)


_TEMPLATES: dict[type, tuple[tuple[str, Any], ...] | None] = {}


def _template(event_class: type) -> tuple[tuple[str, Any], ...] | None:
    """The event's fields and their defaults; None where its `__init__` does more than set them
    (a check of its own, a default factory, a field left out of it), so the library makes it."""
    try:
        return _TEMPLATES[event_class]
    except KeyError:
        pass
    template: tuple[tuple[str, Any], ...] | None = None
    # The library's own `__post_init__` only checks that the originator's id is a UUID,
    # which an aggregate's id is.
    checks = getattr(event_class, "__post_init__", DomainEvent.__post_init__)
    if dataclasses.is_dataclass(event_class) and checks is DomainEvent.__post_init__:
        declared = dataclasses.fields(event_class)
        simple = all(f.init and f.default_factory is dataclasses.MISSING for f in declared)
        names = [f.name for f in declared]
        if simple and names[:3] == list(_COMMON):
            template = tuple((f.name, _default(f)) for f in declared)
    _TEMPLATES[event_class] = template
    return template


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.name in _COMMON:
        return None  # set by the aggregate
    return _REQUIRED if field.default is dataclasses.MISSING else field.default
