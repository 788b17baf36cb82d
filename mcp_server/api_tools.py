"""MCP tools for choosing an API call when click-to-curl is unsure: the agent decides.

``curl_actions`` emits a curl only when the model is confident (a wrong curl is worse than none); for
the rest, an agent can look at the candidates itself and pick:

- ``find_api_operation(task, openapi, k)``: the k operations most likely to do what the task (UI steps
  in markdown, or one sentence) describes, with method, path, summary, required parameters, the body
  in brief, a probability and a why;
- ``curl_for_operation(openapi, operation, values)``: the curl for the one it picked, auth and missing
  required fields as named placeholders, the body checked against the request schema.

Thin edges over :mod:`llmingest.sources.actions` (which loads and caches the spec index).

>>> # async with Client(create_server()) as c:
>>> #     await c.call_tool("find_api_operation", {"task": "Set a channel topic", "openapi": "slack.json"})
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastmcp.tools.base import ToolResult
from mcp.types import TextContent
from pydantic import Field

from .service import Service

__all__ = ["register"]

CANDIDATES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "task": {"type": "string", "description": "the task as read (its heading)"},
        "spec": {"type": "string", "description": "the spec's title"},
        "candidates": {"type": "array", "items": {"type": "object", "properties": {
            "method": {"type": "string"}, "path": {"type": "string"},
            "operation_id": {"type": ["string", "null"]}, "summary": {"type": ["string", "null"]},
            "required": {"type": "array", "items": {"type": "string"}},
            "body": {"type": "array", "items": {"type": "string"}},
            "probability": {"type": "number"}, "why": {"type": "string"}}}},
    },
    "required": ["task", "spec", "candidates"],
}

CURL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "method": {"type": "string"}, "path": {"type": "string"}, "curl": {"type": "string"},
        "notes": {"type": "array", "items": {"type": "string"}},
        "placeholders": {"type": "object", "additionalProperties": {"type": "string"},
                         "description": "each $PLACEHOLDER left in the curl -> the field it stands for"},
    },
    "required": ["method", "path", "curl", "notes", "placeholders"],
}

OpenAPI = Annotated[str, Field(description="URL or path of the product's OpenAPI spec (JSON or YAML).")]


def _candidates_text(found: dict[str, Any]) -> str:
    lines = [f"Candidates for \"{found['task']}\" in {found['spec']} (most likely first):", ""]
    for i, c in enumerate(found["candidates"], 1):
        head = f"{i}. `{c['method']} {c['path']}`"
        if c.get("summary"):
            head += f": {c['summary']}"
        lines.append(f"{head} (probability {c.get('probability', 0):.2f})")
        if c.get("why"):
            lines.append(f"   why: {c['why']}")
        if c.get("required"):
            lines.append(f"   required: {', '.join(c['required'])}")
        if c.get("body"):
            lines.append(f"   body: {'; '.join(c['body'][:8])}" + (" ..." if len(c["body"]) > 8 else ""))
    lines += ["", "Pick one and call curl_for_operation(openapi, operation=\"METHOD /path\", values={...})."]
    return "\n".join(lines) + "\n"


def register(tool: Callable[..., Callable[[Any], Any]], svc: Service) -> None:
    """Add ``find_api_operation`` and ``curl_for_operation`` to a server (``tool`` is its decorator)."""

    @tool(output_schema=CANDIDATES_SCHEMA)
    def find_api_operation(
        task: Annotated[str, Field(description=(
            "What to do: the UI steps from the docs (markdown, e.g. '## Set a channel topic\\n1. Open the "
            "channel...') or one sentence ('set the topic of a channel').") , max_length=20_000)],
        openapi: OpenAPI,
        k: Annotated[int, Field(ge=1, le=50, description="How many candidates to return.")] = 5,
    ) -> ToolResult:
        """The k API operations most likely to do a described task, to choose from yourself.

        Each comes with method, path, summary, required parameters, the request body in brief, a
        probability (calibrated on products the model never saw) and why it was proposed."""
        from llmingest.sources.actions import operations_for_task

        svc.guard_location(openapi)
        found = operations_for_task(task, openapi, svc.options_for(), k=k)
        return ToolResult(content=[TextContent(type="text", text=_candidates_text(found))], structured_content=found)

    @tool(output_schema=CURL_SCHEMA)
    def curl_for_operation(
        openapi: OpenAPI,
        operation: Annotated[str, Field(description=(
            'The operation picked: "METHOD /path" exactly as find_api_operation lists it, or its operationId.'))],
        values: Annotated[dict[str, Any] | None, Field(description=(
            "Values for its fields (path, query and body; dotted names for nested body fields, e.g. "
            '{"owner": "octocat", "config.url": "https://..."}). Missing required ones become placeholders.'))] = None,
        base_url: Annotated[str | None, Field(description="API base URL (default: the spec's first server).")] = None,
    ) -> ToolResult:
        """The runnable curl for one API operation: auth as env-var placeholders, every missing
        required field a named $PLACEHOLDER, the body checked against the operation's request schema."""
        from llmingest.sources.actions import curl_for_operation as build

        svc.guard_location(openapi)
        out = build(openapi, operation, values, svc.options_for(), base_url=base_url)
        text = "```bash\n" + out["curl"] + "\n```\n" + "".join(f"- {n}\n" for n in out["notes"])
        structured = {k: out[k] for k in ("method", "path", "curl", "notes", "placeholders")}
        return ToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)
