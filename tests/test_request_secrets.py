"""Callers' tokens are request-scoped through the real web app: never added to the process-wide set.

``register_secret`` inside a request goes to that request's ``secret_scope`` (a ContextVar); the
unit test in test_security_credentials shows two scopes never see each other's values. Here the
same holds end to end: requests with different Bearer tokens, two of them at once, leave the
process-wide set exactly as it was, and each token is forgotten when its request ends.
"""

from __future__ import annotations

import asyncio

import httpx
from conftest import web_service
from llmingest import errors
from llmingest.errors import redact
from llmingest.mcp_server.web import create_app


async def _get_all(app, path: str, tokens: list[str]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 4444))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await asyncio.gather(*(http.get(path, headers={"Authorization": f"Bearer {t}"}) for t in tokens))


def test_request_tokens_never_reach_the_process_wide_secrets(tmp_path, git_http_private):
    good = git_http_private["token"]
    wrong = [f"opaque-caller-value-{i:02d}-not-a-known-token-shape" for i in range(4)]  # no redaction rule matches
    app = create_app(web_service(tmp_path, host_map={"github.com": git_http_private["url"]}), mount_mcp=False)
    before = dict(errors._global_secrets)

    first, second = asyncio.run(_get_all(app, "/o/private", [good, wrong[0]]))  # two at once
    assert first.status_code == 200 and "second" in first.text and good not in first.text
    assert second.status_code == 401 and wrong[0] not in second.text and good not in second.text
    for token in wrong[1:]:  # one after another
        (res,) = asyncio.run(_get_all(app, "/o/private", [token]))
        assert res.status_code == 401 and token not in res.text

    assert dict(errors._global_secrets) == before  # the set did not grow across requests
    assert good in before or good not in errors._global_secrets  # an earlier CLI test may have left it
    for token in wrong:
        assert token not in errors._global_secrets
        assert redact(f"x {token} y") == f"x {token} y"  # forgotten when its request ended


def test_a_cli_runs_secrets_are_forgotten_when_it_ends(tmp_path, monkeypatch):
    """``--token`` is scrubbed during its run (worker threads included: the set is process-wide
    then) and gone afterwards, so in-process runs (tests, an embedding program) never accumulate."""
    import pytest
    from llmingest.cli import main

    token = "opaque-cli-run-token-value-0001"
    (tmp_path / "a.html").write_text("<html><head><title>A</title></head><body><main><h1>A</h1><p>Text.</p>"
                                     "</main></body></html>")
    monkeypatch.chdir(tmp_path)
    before = dict(errors._global_secrets)
    seen: list[str] = []
    from llmingest.sources import page

    real = page.page_bundle

    def spy(*args, **kwargs):
        seen.append(redact(f"x {token} y"))  # what a message made during the run would say
        return real(*args, **kwargs)

    monkeypatch.setattr(page, "page_bundle", spy)
    with pytest.raises(SystemExit) as exc:
        main(["page", "a.html", "--token", token, "-q", "-o", "a.md"])
    assert exc.value.code == 0 and seen == ["x *** y"]
    assert dict(errors._global_secrets) == before and redact(token) == token
