"""A review as people and machines read it: Markdown for the sticky PR comment, JSON, text.

Catalogue text is escaped for Markdown and HTML, so a title cannot add markup or @mention anyone."""

from __future__ import annotations

import html
import json
from dataclasses import asdict
from typing import Any

from builder.diagnostics import Diagnostic
from builder.review import AssetChange, Review


MARKER = "<!-- dam-review -->"
# GitHub refuses comments over 65,536 characters; keep room for the marker and the footer.
MARKDOWN_BUDGET = 60_000


# ---------------------------------------------------------------------------------------------
# Rendering: JSON for scripts, Markdown for the sticky comment, text for a terminal
# ---------------------------------------------------------------------------------------------

def _diagnostic_record(d: Diagnostic) -> dict:
    return {"path": d.path, "line": d.line, "col": d.col, "code": d.code, "severity": d.severity.value,
            "message": d.message, "hint": d.hint}


def to_data(result: Review) -> dict:
    changes = []
    for change in result.changes:
        record = {name: getattr(change, name) for name in change.__dataclass_fields__ if name not in ("before", "after")}
        record["fields"] = [asdict(f) for f in change.fields]
        changes.append(record)
    return {
        "base": result.base, "head": result.head,
        "base_commit": result.base_commit, "head_commit": result.head_commit,
        "today": result.today.isoformat(),
        "summary": summary_counts(result),
        "changes": changes,
        "errors": [_diagnostic_record(d) for d in result.errors],
        "warnings": [_diagnostic_record(d) for d in result.warnings],
        "taxonomy_changes": list(result.taxonomy_changes),
        "other_files": list(result.other_files),
    }


def to_json(result: Review) -> str:
    return json.dumps(to_data(result), indent=2, ensure_ascii=False, default=str)


def summary_counts(result: Review) -> dict[str, int]:
    return {
        "assets": len(result.changes),
        **{kind: result.count("kind", kind) for kind in ("added", "removed", "renamed", "modified", "unreadable")},
        "masters_replaced": sum(1 for c in result.changes if c.master_replaced),
        "will_be_published": result.count("effect", "publish"),
        "will_be_withdrawn": result.count("effect", "withdraw"),
        "errors": len(result.errors),
        "warnings": len(result.warnings),
    }


# Characters that mean something to GitHub Markdown (tables, code, emphasis, links, mentions,
# issue references) become numeric character references: they render as themselves.
_MARKDOWN_ESCAPES = {ord(c): f"&#{ord(c)};" for c in "\\`*_[]|#@~<>"} | {ord("&"): "&amp;", ord('"'): "&quot;"}


def md(value: Any, limit: int = 160) -> str:
    """Catalogue text made inert for a Markdown table cell or an HTML <summary>."""
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value) if value else "(none)"
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.translate(_MARKDOWN_ESCAPES)


def code(value: str) -> str:
    """An id or path in <code>; HTML-escaped, so a backtick or tag inside cannot break out."""
    return f"<code>{html.escape(value, quote=True)}</code>"


_EFFECT_ICONS = {"publish": "🟢", "withdraw": "🔴", "update": "🔵", "none": "⚪"}


def _asset_row(change: AssetChange) -> str:
    status = md(change.status_after or change.status_before)
    if change.status_before and change.status_after and change.status_before != change.status_after:
        status = f"{md(change.status_before)} → {md(change.status_after)}"
    what = change.kind
    if change.kind == "renamed":
        what = f"renamed (same {'master' if change.renamed_by == 'md5' else 'id' if change.renamed_by == 'id' else 'file'})"
    elif change.kind == "modified":
        what = f"{len(change.fields)} field{'s' if len(change.fields) != 1 else ''}"
    if change.master_replaced:
        what += ", master replaced"
    flag = " ❌" if change.problems else ""
    return (f"| {code(change.asset_id)}{flag} | {md(change.title, 60)} | {what} | {status} | "
            f"{_EFFECT_ICONS[change.effect]} {md(change.portal)} |")


def _details(change: AssetChange, problems: list[Diagnostic]) -> str:
    lines = [f"<details><summary>{code(change.asset_id)} {md(change.title, 80)} · {md(change.kind)} · {md(change.portal)}</summary>", ""]
    if change.old_path and change.new_path and change.old_path != change.new_path:
        lines.append(f"Moved from {code(change.old_path)} to {code(change.new_path)}"
                     + (f" (id {code(change.old_id)} → {code(change.asset_id)}: its portal URL changes)" if change.old_id else "") + ".")
        lines.append("")
    else:
        lines += [f"File: {code(change.path)}", ""]
    if change.fields:
        lines += ["| Field | Before | After |", "|---|---|---|"]
        lines += [f"| {code(f.field)} | {md(f.old)} | {md(f.new)} |" for f in change.fields]
        lines.append("")
    if change.master_replaced:
        before, after = change.technical_before or {}, change.technical_after or {}
        lines += ["**Master replaced**", "", "| Technical | Before | After |", "|---|---|---|"]
        for name in dict.fromkeys([*before, *after]):
            if before.get(name) != after.get(name) or name in ("md5", "width", "height"):
                lines.append(f"| {code(name)} | {md(before.get(name))} | {md(after.get(name))} |")
        lines.append("")
    for d in problems:
        lines.append(f"- {'❌' if d.is_error else '⚠️'} line {d.line}: `{d.code}` {md(d.message, 300)}" + (f" ({md(d.hint, 200)})" if d.hint else ""))
    if problems:
        lines.append("")
    lines += ["</details>", ""]
    return "\n".join(lines)


def _diagnostic_row(d: Diagnostic) -> str:
    hint = f" ({md(d.hint, 200)})" if d.hint else ""
    return f"| {code(f'{d.path}:{d.line}')} | `{d.code}` | {md(d.message, 300)}{hint} |"


def to_markdown(result: Review, budget: int = MARKDOWN_BUDGET) -> str:
    """The sticky comment: a summary, rule breaks, the portal impact table, then folded details.
    Sections are cut (with a note) rather than let the comment outgrow GitHub's limit."""
    counts = summary_counts(result)
    out = [MARKER, f"## Catalogue review: {code(result.base_commit[:7])} → {code(result.head_commit[:7])}", ""]
    if not result.changes and not result.diagnostics and not result.taxonomy_changes:
        out += ["No catalogue changes in this pull request.", ""]
        return "\n".join(out)
    parts = [f"{counts[k]} {k}" for k in ("added", "modified", "renamed", "removed", "unreadable") if counts[k]]
    out.append(f"**{counts['assets']} asset{'s' if counts['assets'] != 1 else ''} changed**" + (f": {', '.join(parts)}" if parts else ""))
    out.append(f"· 🟢 {counts['will_be_published']} will be published · 🔴 {counts['will_be_withdrawn']} will be withdrawn"
               f" · {counts['masters_replaced']} master(s) replaced")
    verdict = (f"❌ **{counts['errors']} rule break{'s' if counts['errors'] != 1 else ''}**: fix them before merging"
               if counts["errors"] else "✅ no rule breaks")
    out += [f"· {verdict} · ⚠️ {counts['warnings']} warning{'s' if counts['warnings'] != 1 else ''}",
            f"· publication judged as of {result.today.isoformat()}", ""]
    used = len("\n".join(out))
    note = "\n_… cut to fit a comment: the full report is review.json in the preview artifact._\n"

    def section(title: str, header: list[str], rows: list[str]) -> None:
        nonlocal used
        if not rows:
            return
        block = [title, "", *header]
        size = len("\n".join(block)) + 2
        kept = 0
        for row in rows:
            if used + size + len(row) + len(note) > budget:
                break
            block.append(row)
            size += len(row) + 1
            kept += 1
        if kept < len(rows):
            block += ["", f"_… and {len(rows) - kept} more: see review.json._"]
        block.append("")
        out.extend(block)
        used += size

    table = ["| Where | Code | Problem |", "|---|---|---|"]
    section("### ❌ Rule breaks", table, [_diagnostic_row(d) for d in result.errors])
    section("### ⚠️ Warnings", table, [_diagnostic_row(d) for d in result.warnings])
    section("### Portal impact", ["| Asset | Title | Change | Status | Public portal |", "|---|---|---|---|---|"],
            [_asset_row(c) for c in result.changes])
    if result.taxonomy_changes:
        section("### taxonomy.yaml", [], [f"- {md(line)}" for line in result.taxonomy_changes]
                + ["- unchanged sidecars are checked against the new taxonomy by `dam validate`"])
    by_path: dict[str, list[Diagnostic]] = {}
    for d in result.diagnostics:
        by_path.setdefault(d.path, []).append(d)
    details = [_details(c, by_path.get(c.new_path or "", [])) for c in result.changes
               if c.fields or c.master_replaced or c.renamed_by or by_path.get(c.new_path or "") or c.kind == "added"]
    if details:
        out += ["### Details", ""]
        used += 14
        for index, block in enumerate(details):
            if used + len(block) + len(note) > budget:
                out.append(f"_… details of {len(details) - index} more asset(s) are in review.json._")
                break
            out.append(block)
            used += len(block) + 1
    if result.other_files:
        out.append("<sub>Other changed files: " + ", ".join(code(p) for p in result.other_files[:20])
                   + (f" and {len(result.other_files) - 20} more" if len(result.other_files) > 20 else "") + "</sub>")
    text = "\n".join(out).rstrip() + "\n"
    return text if len(text) <= budget + len(note) else text[:budget] + note


def to_text(result: Review) -> str:
    """For a terminal: one line per asset, then every problem as path:line:col."""
    counts = summary_counts(result)
    lines = [f"review {result.base_commit[:7]}..{result.head_commit[:7]} (as of {result.today}): "
             f"{counts['assets']} asset(s) changed, {counts['will_be_published']} to publish, "
             f"{counts['will_be_withdrawn']} to withdraw, {counts['errors']} error(s), {counts['warnings']} warning(s)"]
    for change in result.changes:
        fields = ", ".join(f"{f.field}: {f.old!r} -> {f.new!r}" for f in change.fields[:6])
        more = f" (+{len(change.fields) - 6} more)" if len(change.fields) > 6 else ""
        master = " [master replaced]" if change.master_replaced else ""
        moved = f" from {change.old_path}" if change.renamed_by else ""
        lines.append(f"  {change.kind:<10} {change.asset_id}{moved}{master}: {change.portal}" + (f"; {fields}{more}" if fields else ""))
    for d in result.diagnostics:
        lines.append(d.text() if d.is_error else d.text().replace(f": {d.code} ", f": {d.code} warning: ", 1))
    return "\n".join(lines)


