"""Load a plan file and refuse a bad one with the field and the line at fault.

The YAML is composed into nodes by hand so that every value keeps its line and
scalars stay text: pydantic does the typing, and a date such as ``31/9/2020`` is
reported as a date problem rather than silently misread by YAML.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from messages.plan import Plan

BUNDLED_PLAN = "kien-giang-2020.yaml"
# libyaml's loader composes the same nodes with the same line marks ~10× faster (every start
# reads the plan); the pure-Python one is there wherever PyYAML was built without libyaml
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PATH_PREFIX = re.compile(r"^([A-Za-z_][\w.\[\]]*): (.*)$", re.S)
_VI = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được dùng (sai tên?)",
    "int_parsing": "phải là số nguyên",
    "float_parsing": "phải là số",
    "bool_parsing": "phải là true hoặc false",
    "list_type": "phải là một danh sách",
    "dict_type": "phải là một nhóm trường (key: value)",
    "model_type": "phải là một nhóm trường (key: value)",
    "string_type": "phải là chuỗi ký tự",
    "too_short": "không được để trống",
    "date_type": "phải là ngày dạng dd/mm/yyyy",
}


class PlanError(Exception):
    """A plan file that cannot be used; ``problems`` are ready to show, one per line."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def bundled_plan_path() -> Path:
    return Path(str(resources.files("messages") / "plans" / BUNDLED_PLAN))


def load_plan(path: str | Path | None = None) -> Plan:
    """Load and validate a plan file (the bundled Kiên Giang 2020 plan by default)."""
    path = Path(path) if path else bundled_plan_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(str(path), [f"không đọc được tệp: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise PlanError(str(path), ["tệp không phải văn bản UTF-8"]) from None
    return parse_plan(text, str(path))


@lru_cache(maxsize=8)
def load_plan_cached(path: str | None = None) -> Plan:
    return load_plan(path)


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    return parse_model(text, source, Plan)


def parse_model(text: str, source: str, model: type[BaseModel], root: tuple = ()) -> Any:
    """YAML text → a validated ``model``, or ``PlanError`` naming the field and line of each problem.
    ``root``: where the file sits in a plan (the pack is a plan's ``knowledge``), so that its problems
    are named as they would be in a plan file."""
    try:
        node = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}: " if mark else ""
        raise PlanError(source, [f"{where}YAML sai cú pháp ({getattr(exc, 'problem', exc)})"]) from None
    if node is None:
        raise PlanError(source, ["tệp rỗng"])
    lines: dict[tuple, int] = {}
    problems: list[str] = []
    data = _build(node, root, lines, problems)
    if problems:
        raise PlanError(source, problems)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise PlanError(source, _explain(exc, lines, root)) from None


def _build(node: yaml.Node, path: tuple, lines: dict[tuple, int], problems: list[str]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in out:
                problems.append(f"{_dotted(path + (key,))} (dòng {key_node.start_mark.line + 1}): khóa bị lặp")
                continue
            out[key] = _build(value_node, path + (key,), lines, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), lines, problems) for i, item in enumerate(node.value)]
    if node.tag == "tag:yaml.org,2002:null" and node.style is None:
        return None
    return node.value


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(gốc)"


def _parse_dotted(path: str) -> tuple:
    parts: list[Any] = []
    for name, index in re.findall(r"([A-Za-z_]\w*)|\[(\d+)\]", path):
        parts.append(name if name else int(index))
    return tuple(parts)


def _line_of(loc: tuple, lines: dict[tuple, int]) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines and cut > 0:
            return lines[loc[:cut]]
    return None


def _explain(exc: ValidationError, lines: dict[tuple, int], root: tuple = ()) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        loc = root + loc if loc else loc
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "literal_error":
            msg = f"giá trị phải là một trong: {err['ctx']['expected']}"
        elif err["type"] == "too_short" and err.get("ctx", {}).get("min_length", 1) > 1:
            msg = f"cần ít nhất {err['ctx']['min_length']} mục"
        else:
            msg = _VI.get(err["type"], msg)
        for item in msg.split("\n"):
            item_loc = loc
            if not loc and (m := _PATH_PREFIX.match(item)):
                item_loc, item = _parse_dotted(m.group(1)), m.group(2)
            elif loc and (m := _PATH_PREFIX.match(item)) and m.group(1).startswith(_dotted(loc)):
                item_loc, item = _parse_dotted(m.group(1)), m.group(2)
            line = _line_of(item_loc, lines)
            where = _dotted(item_loc) + (f" (dòng {line})" if line else "")
            problems.append(f"{where}: {item}")
    return problems
