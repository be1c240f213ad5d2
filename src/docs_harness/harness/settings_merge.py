"""Apply a settings snippet to a real ``settings.py``, as a reader would.

A snippet is read as a person reads it:

- ``# ...`` or a bare ``...`` inside a list or dict means "what is already there
  stays". Items shown keep their order and their neighbours: ``[..., A, B, ...]``
  puts B directly after A, wherever A already is.
- A dict shown with a placeholder keeps the keys it does not show; when the setting is
  not in ``settings.py`` yet, Django's own default (passed in by the caller) is the base.
- An assignment without placeholders replaces the setting, as it would in a file.
- Any other statement (``MIDDLEWARE.append(...)``, ``STORAGES["x"] = ...``) is added
  to the end of the file and behaves as it would there; imports go to the top.

This module knows nothing of Django: defaults arrive as Python source text.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

DefaultSource = Callable[[str], "str | None"]

#: A comment alone on its line inside brackets stands for the entries already there
#: when it has "..." or "…" in it ("# ...", "# other apps …"), or reads as a pointer to
#: them: "# other values follow", "# your other middleware", "# rest of the apps", "# etc."
_PLACEHOLDER_COMMENT = re.compile(
    r"#.*(\.\.\.|…)"
    r"|#\s*(?:(?:and|your|the|all|any)\s+)*(?:other|rest|remaining|existing|more)\b"
    r"|#\s*(?:etc\b|and so on)",
    re.I,
)
_OPENERS, _CLOSERS = "([{", ")]}"


class SnippetError(ValueError):
    """The snippet cannot be applied; the message says why, for the reader."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        #: 1-based line inside the snippet, when one line is at fault
        self.line = line


@dataclass(frozen=True)
class Applied:
    source: str
    #: Upper-case names the snippet assigned or changed, e.g. {"MIDDLEWARE"}.
    touched: frozenset[str]


def apply_snippet(settings: str, snippet: str, defaults: DefaultSource) -> Applied:
    marked = mark_placeholders(snippet)
    tree = _parse_snippet(marked)
    touched: set[str] = set()
    for statement in tree.body:
        settings, names = _apply_statement(settings, marked, statement, defaults)
        touched |= names
    return Applied(settings, frozenset(touched))


def delete_settings(settings: str, snippet: str) -> Applied:
    """Remove the settings a snippet shows, as a reader deletes the lines shown."""
    tree = _parse_snippet(snippet)
    touched: set[str] = set()
    for statement in tree.body:
        name = _assigned_name(statement)
        if name is None:
            raise SnippetError(
                "only assignments such as NAME = ... can be deleted", statement.lineno
            )
        assert isinstance(statement, ast.Assign)  # _assigned_name says so
        if "..." in ast.unparse(statement.value) or "…" in snippet:
            raise SnippetError(
                f"{name}: a deleted setting is shown whole, without placeholders",
                statement.lineno,
            )
        assignments = [
            s
            for s in _parse_settings(settings).body
            if _assigned_name(s) == name and isinstance(s, ast.Assign)
        ]
        if not assignments:
            raise SnippetError(
                f"settings.py does not set {name}; nothing to delete", statement.lineno
            )
        shown = ast.dump(statement.value)
        if not any(ast.dump(a.value) == shown for a in assignments):
            raise SnippetError(
                f"settings.py sets {name} to something else than the line shown",
                statement.lineno,
            )
        for assignment in reversed(assignments):
            settings = _delete_lines(settings, assignment)
        touched.add(name)
    return Applied(settings, frozenset(touched))


def mark_placeholders(source: str) -> str:
    """Turn placeholders into Ellipsis entries the AST keeps: ``...`` in lists,
    ``...: ...`` in dicts. Comments outside brackets, or after an item on the same
    line, stay comments."""
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []  # (row, start col, end col, text)
    brackets: list[str] = []
    previous = ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            kind, text, (row, col), (_, end_col), _ = token
            if kind == tokenize.OP and text in _OPENERS:
                brackets.append(text)
            elif kind == tokenize.OP and text in _CLOSERS and brackets:
                brackets.pop()
            elif (
                kind == tokenize.COMMENT
                and brackets
                and _PLACEHOLDER_COMMENT.match(text)
                and not lines[row - 1][:col].strip()
            ):
                entry = "...: ..." if brackets[-1] == "{" else "..."
                separator = "" if previous in (",", *_OPENERS) else ", "
                edits.append((row, col, len(lines[row - 1].rstrip("\r\n")), f"{separator}{entry},"))
                previous = ","
                continue
            elif (
                kind == tokenize.OP
                and text == "..."
                and brackets[-1:] == ["{"]
                and previous in (",", "{")
            ):
                edits.append((row, col, end_col, "...: ..."))
            if kind not in (
                tokenize.NL,
                tokenize.NEWLINE,
                tokenize.COMMENT,
                tokenize.INDENT,
                tokenize.DEDENT,
            ):
                previous = text
    except (tokenize.TokenError, IndentationError):
        return source  # ast.parse reports the real problem with a line number
    for row, start, end, text in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + text + line[end:]
    return "".join(lines)


def _apply_statement(
    settings: str, snippet: str, statement: ast.stmt, defaults: DefaultSource
) -> tuple[str, set[str]]:
    module = _parse_settings(settings)
    text = ast.get_source_segment(snippet, statement) or ast.unparse(statement)
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return _insert_import(settings, module, text), set()
    name = _assigned_name(statement)
    if name is None:
        if _has_placeholder(statement):
            raise SnippetError(
                f"a placeholder (...) only works in a plain assignment: {text.splitlines()[0]}"
            )
        return _append(settings, text), _names_used(statement)
    existing = _last_assignment(module, name)
    assert isinstance(statement, ast.Assign)  # _assigned_name says so
    value = statement.value
    if _has_placeholder(value):
        base_source = (
            ast.get_source_segment(settings, existing.value) if existing else defaults(name)
        )
        base = ast.parse(base_source, mode="eval").body if base_source else None
        merged = _strip_placeholders(value) if base is None else _merge(value, base, name)
        text = f"{name} = {render(merged)}"
    if existing is None:
        return _append(settings, text), {name}
    if _defined_after(module, existing) & _loaded_names(statement):
        # It reads a name set further down (e.g. one the same snippet appended): in place
        # it would run before that name exists, so it moves to the end, as pasted.
        return _append(_delete_lines(settings, existing), text), {name}
    return _replace_lines(settings, existing, text), {name}


def _defined_after(module: ast.Module, statement: ast.stmt) -> set[str]:
    end = statement.end_lineno or statement.lineno
    return {
        node.id
        for later in module.body
        if later.lineno > end
        for node in ast.walk(later)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }


def _loaded_names(statement: ast.stmt) -> set[str]:
    return {
        node.id
        for node in ast.walk(statement)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def _parse_snippet(snippet: str) -> ast.Module:
    try:
        return ast.parse(snippet)
    except SyntaxError as exc:
        raise SnippetError(f"the snippet is not valid Python: {exc.msg}", exc.lineno) from None


def _parse_settings(settings: str) -> ast.Module:
    try:
        return ast.parse(settings)
    except SyntaxError as exc:
        raise SnippetError(
            f"settings.py is not valid Python: {exc.msg} (line {exc.lineno})"
        ) from None


def _assigned_name(statement: ast.stmt) -> str | None:
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return statement.targets[0].id
    return None


def _names_used(statement: ast.stmt) -> set[str]:
    return {
        node.id for node in ast.walk(statement) if isinstance(node, ast.Name) and node.id.isupper()
    }


def _last_assignment(module: ast.Module, name: str) -> ast.Assign | None:
    found = None
    for statement in module.body:
        if _assigned_name(statement) == name and isinstance(statement, ast.Assign):
            found = statement
    return found


def _is_placeholder(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def _has_placeholder(node: ast.AST) -> bool:
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_is_placeholder(e) or _has_placeholder(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return any(_is_placeholder(k) for k in node.keys) or any(
            _is_placeholder(v) or _has_placeholder(v) for v in node.values
        )
    if isinstance(node, ast.Assign):
        return _has_placeholder(node.value)
    return any(_has_placeholder(child) for child in ast.iter_child_nodes(node))


def _strip_placeholders(node: ast.expr) -> ast.expr:
    if isinstance(node, (ast.List, ast.Tuple)):
        elts = [_strip_placeholders(e) for e in node.elts if not _is_placeholder(e)]
        return type(node)(elts=elts, ctx=ast.Load())
    if isinstance(node, ast.Dict):
        pairs = [
            (k, _strip_placeholders(v))
            for k, v in zip(node.keys, node.values, strict=True)
            if not _is_placeholder(k) and not _is_placeholder(v)  # nothing to keep
        ]
        return ast.Dict(keys=[k for k, _ in pairs], values=[v for _, v in pairs])
    return node


def _merge(shown: ast.expr, base: ast.expr, where: str) -> ast.expr:
    if isinstance(shown, (ast.List, ast.Tuple)) and isinstance(base, (ast.List, ast.Tuple)):
        return type(base)(elts=_merge_sequence(shown.elts, base.elts, where), ctx=ast.Load())
    if isinstance(shown, ast.Dict) and isinstance(base, ast.Dict):
        return _merge_mapping(shown, base, where)
    kind = type(shown).__name__.lower()
    raise SnippetError(
        f"{where} is shown as a {kind} with '...', but settings.py has "
        f"{ast.unparse(base)[:60]!r} there; the two cannot be merged"
    )


def _key(node: ast.AST) -> str:
    return ast.dump(node)


def _merge_sequence(shown: list[ast.expr], existing: list[ast.expr], where: str) -> list[ast.expr]:
    """Place each run of shown items next to the one of them that already exists."""
    shown, existing = _merge_dict_items(shown, existing, where)
    runs: list[tuple[list[ast.expr], bool]] = []  # (items, a placeholder comes before)
    current: list[ast.expr] = []
    open_before = False
    for item in shown:
        if _is_placeholder(item):
            if current:
                runs.append((current, open_before))
                current = []
            open_before = True
        else:
            current.append(_strip_placeholders(item))
    if current:
        runs.append((current, open_before))

    result = list(existing)
    for items, before in runs:
        keys = [_key(i) for i in items]
        present = [_key(e) for e in result]
        anchor = next((i for i, k in enumerate(keys) if k in present), None)
        if anchor is None:
            # No shown item exists yet: a run that opens the list goes first,
            # any other run goes last.
            position = len(result) if before else 0
            result[position:position] = items
            continue
        anchor_key = keys[anchor]
        result = [e for e in result if _key(e) == anchor_key or _key(e) not in keys]
        at = [_key(e) for e in result].index(anchor_key)
        result[at : at + 1] = items
    return result


def _merge_dict_items(
    shown: list[ast.expr], existing: list[ast.expr], where: str
) -> tuple[list[ast.expr], list[ast.expr]]:
    """A dict with placeholders inside a list (one TEMPLATES entry, say) edits the
    existing dict it stands for: the only one, or the one with the same BACKEND."""
    shown, existing = list(shown), list(existing)
    for position, item in enumerate(shown):
        if not (isinstance(item, ast.Dict) and _has_placeholder(item)):
            continue
        candidates = [i for i, e in enumerate(existing) if isinstance(e, ast.Dict)]
        backend = _dict_value(item, "BACKEND")
        if backend is not None:
            candidates = [
                i
                for i in candidates
                if _dict_value(cast(ast.Dict, existing[i]), "BACKEND") == backend
            ]
        if len(candidates) == 1:
            merged = _merge(item, existing[candidates[0]], f"{where}[{candidates[0]}]")
            existing[candidates[0]] = shown[position] = merged
    return shown, existing


def _dict_value(node: ast.Dict, key: str) -> str | None:
    for k, v in zip(node.keys, node.values, strict=True):
        if isinstance(k, ast.Constant) and k.value == key:
            return ast.dump(v)
    return None


def _merge_mapping(shown: ast.Dict, base: ast.Dict, where: str) -> ast.Dict:
    pairs = list(zip(base.keys, base.values, strict=True))
    for key, value in zip(shown.keys, shown.values, strict=True):
        if _is_placeholder(key):
            continue
        index = next(
            (
                i
                for i, (k, _) in enumerate(pairs)
                if k is not None and key is not None and _key(k) == _key(key)
            ),
            None,
        )
        label = f"{where}[{ast.unparse(key)}]" if key is not None else where
        if _is_placeholder(value):
            if index is None:
                raise SnippetError(f"{label} is shown as '...', but there is no value to keep")
            continue
        if index is None:
            pairs.append((key, _strip_placeholders(value)))
        elif _has_placeholder(value):
            pairs[index] = (pairs[index][0], _merge(value, pairs[index][1], label))
        else:
            pairs[index] = (pairs[index][0], value)
    return ast.Dict(keys=[k for k, _ in pairs], values=[v for _, v in pairs])


def render(node: ast.expr, indent: int = 0) -> str:
    """Source for a value: lists and dicts one entry per line, as Django writes them."""
    inner = " " * (indent + 4)
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        opener, closer = ("[", "]") if isinstance(node, ast.List) else ("(", ")")
        items = "".join(f"{inner}{render(e, indent + 4)},\n" for e in node.elts)
        return f"{opener}\n{items}{' ' * indent}{closer}"
    if isinstance(node, ast.Dict) and node.keys:
        items = "".join(
            f"{inner}**{render(v, indent + 4)},\n"
            if k is None
            else f"{inner}{render(k)}: {render(v, indent + 4)},\n"
            for k, v in zip(node.keys, node.values, strict=True)
        )
        return f"{{\n{items}{' ' * indent}}}"
    return ast.unparse(node)


def _replace_lines(settings: str, statement: ast.stmt, text: str) -> str:
    lines = settings.splitlines(keepends=True)
    start, end = statement.lineno - 1, statement.end_lineno or statement.lineno
    return "".join(lines[:start]) + text + "\n" + "".join(lines[end:])


def _delete_lines(settings: str, statement: ast.stmt) -> str:
    """Remove a statement, and the blank line after it when one also precedes it."""
    lines = settings.splitlines(keepends=True)
    start, end = statement.lineno - 1, statement.end_lineno or statement.lineno
    blank_before = start == 0 or not lines[start - 1].strip()
    if blank_before and end < len(lines) and not lines[end].strip():
        end += 1
    return "".join(lines[:start] + lines[end:])


def _append(settings: str, text: str) -> str:
    return settings.rstrip("\n") + "\n\n" + text + "\n"


def _insert_import(settings: str, module: ast.Module, text: str) -> str:
    imports = [s for s in module.body if isinstance(s, (ast.Import, ast.ImportFrom))]
    if any(ast.unparse(s) == ast.unparse(ast.parse(text).body[0]) for s in imports):
        return settings
    lines = settings.splitlines(keepends=True)
    after = imports[-1].end_lineno if imports else 0
    return "".join(lines[:after]) + text + "\n" + "".join(lines[after:])
