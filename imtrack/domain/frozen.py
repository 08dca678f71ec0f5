"""`Frozen` and `Record`: the bases of imtrack's value classes (Measure, Region, Flags...).

They give what `@dataclass(frozen=True, slots=True)` and `@dataclass(slots=True)` gave them
(equality by fields, hashing for the frozen ones, a repr naming the fields, FrozenInstanceError
on assignment) without their cost at import: a dataclass compiles its generated methods with exec() when its module is imported, about 1 ms
per class on the benchmark machine, and a command imports a dozen of them (start-up, issue 6).

A subclass names its fields in `__slots__` (in order) and writes its own `__init__`; a Frozen
one sets each field with `object.__setattr__`, as a frozen dataclass does."""

from __future__ import annotations

from typing import Any


class Record:
    """A mutable value class, as `@dataclass(slots=True)`: equality by fields, a repr naming
    them, unhashable."""

    __slots__ = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__qualname__}({fields})"


class Frozen(Record):
    """An immutable value class, as `@dataclass(frozen=True, slots=True)`: hashable too."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values())

    # copy, deepcopy and pickle restore the fields past __setattr__, as a frozen dataclass does
    def __getstate__(self) -> tuple[Any, ...]:
        return self._values()

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self.__slots__, state, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")
