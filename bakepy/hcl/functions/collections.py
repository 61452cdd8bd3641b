"""Collection functions of the bake stdlib: lists, maps and sets with cty semantics."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.operators import add, get_index
from bakepy.hcl.values import (
    MapValue,
    describe,
    equal,
    hash_key,
    normalize_number,
    sorted_set,
    to_int,
    to_list,
    to_number,
    to_str,
    unify_list,
    unify_primitives,
)

RANGE_LIMIT = 1024


def _require_collection(collection: Any) -> None:
    """cty's collection functions take lists, tuples, sets and maps, but not objects."""
    if isinstance(collection, list | tuple | set | frozenset | MapValue):
        return
    found = "an object" if isinstance(collection, dict) else describe(collection)
    raise HclError(f"collection must be a list, a map or a tuple, got {found}")


def length(collection: Any) -> int:
    """Number of elements in a list, map or set (objects and strings are rejected, as in cty)."""
    _require_collection(collection)
    return len(collection)


def element(collection: Any, index: Any) -> Any:
    """The element at `index`, wrapping around past the end."""
    items = to_list(collection, "list")
    position = to_int(index, "index")
    if position < 0:
        raise HclError("cannot use element function with a negative index")
    if not items:
        raise HclError("cannot use element function with an empty list")
    return items[position % len(items)]


def index(collection: Any, key: Any) -> Any:
    """The element with the given key or index (like `collection[key]`)."""
    _require_collection(collection)
    return get_index(collection, key)


def hasindex(collection: Any, key: Any) -> bool:
    """Whether `collection[key]` would succeed."""
    _require_collection(collection)
    try:
        get_index(collection, key)
    except HclError:
        return False
    return True


def indexof(collection: Any, value: Any) -> int:
    """The index of the first element equal to `value`."""
    if not isinstance(collection, list | tuple):
        raise HclError("argument must be a list or tuple")
    if not collection:
        raise HclError("cannot search an empty list")
    for position, item in enumerate(collection):
        if equal(item, value):
            return position
    raise HclError("item not found")


def contains(collection: Any, value: Any) -> bool:
    """Whether a list or set has an element equal to `value`."""
    if collection is None:
        raise HclError("cannot search a nil list or set")
    if not isinstance(collection, list | tuple | set | frozenset):
        raise HclError("argument must be list, tuple, or set")
    return any(equal(item, value) for item in collection)


def distinct(collection: Any) -> list[Any]:
    """The list without duplicate elements, keeping first occurrences."""
    seen: set[Any] = set()
    result = []
    for item in unify_list(to_list(collection, "list")):
        key = hash_key(item)
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def chunklist(collection: Any, size: Any) -> list[list[Any]]:
    """Split a list into chunks of at most `size` elements (size 0: one chunk)."""
    chunk_size = to_int(size, "size")
    if chunk_size < 0:
        raise HclError("the size argument must be positive")
    items = unify_list(to_list(collection, "list"))
    if not items:
        return []
    if chunk_size == 0:
        return [list(items)]
    return [list(items[i : i + chunk_size]) for i in range(0, len(items), chunk_size)]


def coalesce(*values: Any) -> Any:
    """The first argument that is not null (cty keeps empty strings, unlike Terraform)."""
    if not values:
        raise HclError("at least one argument is required")
    for value in unify_primitives(list(values)):
        if value is not None:
            return value
    raise HclError("no non-null arguments")


def coalescelist(*lists: Any) -> list[Any]:
    """The first non-empty list argument."""
    if not lists:
        raise HclError("at least one argument is required")
    for value in lists:
        if value is not None and not isinstance(value, list | tuple):
            raise HclError("coalescelist arguments must be lists or tuples")
    for value in lists:
        if value:
            return list(value)
    raise HclError("no non-null arguments")


def compact(collection: Any) -> list[str]:
    """The list of strings without empty strings and nulls."""
    result = []
    for item in to_list(collection, "list"):
        if item is None:
            continue
        text = to_str(item, "list element")
        if text:
            result.append(text)
    return result


def concat(*lists: Any) -> list[Any]:
    """Concatenate lists."""
    if not lists:
        raise HclError("at least one argument is required")
    result: list[Any] = []
    for value in lists:
        if not isinstance(value, list | tuple):
            raise HclError(f"all arguments must be lists or tuples; got {describe(value)}")
        result.extend(value)
    return result


def flatten(collection: Any) -> list[Any]:
    """Replace nested lists by their elements, recursively."""
    if not isinstance(collection, list | tuple | set | frozenset):
        raise HclError("can only flatten lists, sets and tuples")
    result: list[Any] = []
    for item in collection:
        if isinstance(item, list | tuple | set | frozenset):
            result.extend(flatten(item))
        else:
            result.append(item)
    return result


def keys(mapping: Any) -> list[str]:
    """The keys of a map, sorted."""
    if not isinstance(mapping, dict):
        raise HclError("must have map or object type")
    return sorted(mapping)


def values(mapping: Any) -> list[Any]:
    """The values of a map, in sorted key order."""
    if not isinstance(mapping, dict):
        raise HclError("values() requires a map as the first argument")
    return [mapping[key] for key in sorted(mapping)]


def lookup(mapping: Any, key: Any, default: Any) -> Any:
    """`mapping[key]`, or `default` when the key is missing."""
    if not isinstance(mapping, dict):
        raise HclError("lookup() requires a map as the first argument")
    if default is None:
        raise HclError('invalid value for "default" parameter: argument must not be null')
    name = to_str(key, "key")
    if name in mapping:
        return mapping[name]
    return default


def merge(*maps: Any) -> dict[str, Any]:
    """Shallow-merge maps; later keys win and null arguments are skipped."""
    result: dict[str, Any] = {}
    for value in maps:
        if value is None:
            continue
        if not isinstance(value, dict):
            raise HclError(f"arguments must be maps or objects, got {describe(value)}")
        result.update(value)
    return result


def zipmap(key_list: Any, value_list: Any) -> dict[str, Any]:
    """Build a map from a list of keys and a list of values."""
    names = to_list(key_list, "keys")
    items = to_list(value_list, "values")
    if len(names) != len(items):
        raise HclError(
            f"number of keys ({len(names)}) does not match number of values ({len(items)})"
        )
    result: dict[str, Any] = {}
    for position, (name, item) in enumerate(zip(names, items, strict=True)):
        if name is None:
            raise HclError(f"keys list has null value at index {position}")
        result[to_str(name, "key")] = item
    return result


def reverselist(collection: Any) -> list[Any]:
    """The list in reverse order."""
    if not isinstance(collection, list | tuple | set | frozenset):
        raise HclError(f"can only reverse list or tuple values, not {describe(collection)}")
    return list(reversed(list(collection)))


def slice_(collection: Any, start: Any, end: Any) -> list[Any]:
    """Elements from `start` (inclusive) to `end` (exclusive)."""
    if isinstance(collection, set | frozenset):
        raise HclError("cannot slice a set, because its elements do not have indices")
    if not isinstance(collection, list | tuple):
        raise HclError("must be a list or tuple value")
    first = to_int(start, "start_index")
    last = to_int(end, "end_index")
    if first < 0:
        raise HclError("start index must not be less than zero")
    if first > len(collection):
        raise HclError("start index must not be greater than the length of the list")
    if last < 0:
        raise HclError("end index must not be less than zero")
    if last > len(collection):
        raise HclError("end index must not be greater than the length of the list")
    if first > last:
        raise HclError("start index must not be greater than end index")
    return list(collection[first:last])


def sort(collection: Any) -> list[str]:
    """Sort a list of strings lexicographically (numbers are converted to strings)."""
    items = []
    for position, item in enumerate(to_list(collection, "list")):
        if item is None:
            raise HclError(f"given list element {position} is null; a null string cannot be sorted")
        items.append(to_str(item, "list element"))
    return sorted(items)  # code-point order equals Go's UTF-8 byte order


def range_(*args: Any) -> list[int | float]:
    """range(limit), range(start, limit) or range(start, limit, step)."""
    numbers = [to_number(arg, "params") for arg in args]
    start: int | float
    end: int | float
    if len(numbers) == 1:
        start, end = 0, numbers[0]
        step: int | float = -1 if end < 0 else 1
    elif len(numbers) == 2:
        start, end = numbers
        step = -1 if end < start else 1
    elif len(numbers) == 3:
        start, end, step = numbers
    else:
        raise HclError("must have one, two, or three arguments")
    if step == 0:
        raise HclError("step must not be zero")
    if step < 0 and end > start:
        raise HclError("end must be less than start when step is negative")
    if step > 0 and end < start:
        raise HclError("end must be greater than start when step is positive")
    result: list[int | float] = []
    current: int | float = start
    while (current > end) if step < 0 else (current < end):
        if len(result) >= RANGE_LIMIT:
            raise HclError(
                "more than 1024 values were generated; either decrease the difference between "
                "start and end or use a smaller step"
            )
        result.append(normalize_number(current))
        current = add(current, step)
    return result


# -- sets ---------------------------------------------------------------------------------


def _set_items(value: Any, what: str) -> list[Any]:
    items = to_list(value, what)
    seen: set[Any] = set()
    result = []
    for item in unify_list(list(items)):
        key = hash_key(item)
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _as_set(items: list[Any]) -> list[Any]:
    return sorted_set(items)


def setunion(*sets: Any) -> list[Any]:
    """Elements present in any of the sets."""
    if not sets:
        raise HclError("at least one argument is required")
    combined: list[Any] = []
    for value in sets:
        combined.extend(to_list(value, "sets"))
    return _as_set(_set_items(combined, "sets"))


def setintersection(*sets: Any) -> list[Any]:
    """Elements present in all of the sets."""
    if not sets:
        raise HclError("at least one argument is required")
    first = _set_items(sets[0], "sets")
    others = [{hash_key(item) for item in _set_items(value, "sets")} for value in sets[1:]]
    return _as_set([item for item in first if all(hash_key(item) in other for other in others)])


def setsubtract(first: Any, second: Any) -> list[Any]:
    """Elements of the first set that are not in the second."""
    removed = {hash_key(item) for item in _set_items(second, "b")}
    return _as_set([item for item in _set_items(first, "a") if hash_key(item) not in removed])


def setsymmetricdifference(*sets: Any) -> list[Any]:
    """Elements present in an odd number of the sets."""
    if not sets:
        raise HclError("at least one argument is required")
    counts: dict[Any, int] = {}
    items: dict[Any, Any] = {}
    for value in sets:
        for item in _set_items(value, "sets"):
            key = hash_key(item)
            counts[key] = counts.get(key, 0) + 1
            items.setdefault(key, item)
    return _as_set([items[key] for key, count in counts.items() if count % 2 == 1])


def sethaselement(collection: Any, value: Any) -> bool:
    """Whether the set contains the value."""
    return any(equal(item, value) for item in _set_items(collection, "set"))


def setproduct(*sets: Any) -> list[list[Any]]:
    """The Cartesian product of the given lists/sets, as a list of tuples."""
    if len(sets) < 2:
        raise HclError("at least two arguments are required")
    pools = []
    for value in sets:
        if not isinstance(value, list | tuple | set | frozenset):
            raise HclError("a set or a list is required")
        pools.append(list(value))
    return [list(combination) for combination in itertools.product(*pools)]


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "chunklist": chunklist,
    "coalesce": coalesce,
    "coalescelist": coalescelist,
    "compact": compact,
    "concat": concat,
    "contains": contains,
    "distinct": distinct,
    "element": element,
    "flatten": flatten,
    "hasindex": hasindex,
    "index": index,
    "indexof": indexof,
    "keys": keys,
    "length": length,
    "lookup": lookup,
    "merge": merge,
    "range": range_,
    "reverselist": reverselist,
    "sethaselement": sethaselement,
    "setintersection": setintersection,
    "setproduct": setproduct,
    "setsubtract": setsubtract,
    "setsymmetricdifference": setsymmetricdifference,
    "setunion": setunion,
    "slice": slice_,
    "sort": sort,
    "values": values,
    "zipmap": zipmap,
}
