"""Click-to-curl on API styles unlike REST-by-the-book, one mini spec per style built here, and a
regression test per failure class seen on unseen products: create vs edit-existing, admin
look-alikes, RPC method paths, actions sub-resources, user vs account scopes, tasks with no API,
bodies that would not validate. Plus the agent-decides tools: MCP ``find_api_operation`` /
``curl_for_operation`` through FastMCP's in-memory client, and the CLI's ``--candidates``.

The invariant checked everywhere: at the default threshold a call is either the right one or none;
the right one is among the candidates an agent is shown.
"""

from __future__ import annotations

import json

import pytest
from conftest import call_tool, json_body, local_service, spec, task, top
from llmingest.cli import app
from llmingest.converters.actions import (
    DEFAULT_THRESHOLD,
    find_operation,
    operation_curl,
    task_from_text,
)
from llmingest.converters.actions_schema import body_problems, request_schema, validate
from llmingest.mcp_server.server import create_server
from typer.testing import CliRunner


def _form(props: dict, required: list[str] | None = None) -> dict:
    schema = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return {"content": {"application/x-www-form-urlencoded": {"schema": schema}}}



S = {"type": "string"}

# ---- RPC-style method paths, with admin look-alikes (a chat product) -------------------------------
RPC = {"openapi": "3.0.0", "info": {"title": "Chatly Web API"}, "servers": [{"url": "https://chatly.test/api"}],
       "components": {"securitySchemes": {"bot": {"type": "http", "scheme": "bearer"}}}, "security": [{"bot": []}],
       "paths": {}}
for name, summary, fields in [
    ("conversations.create", "Initiates a public or private channel-based conversation", ["name", "is_private"]),
    ("conversations.rename", "Renames a conversation.", ["channel", "name"]),
    ("conversations.setTopic", "Sets the topic for a conversation.", ["channel", "topic"]),
    ("conversations.setPurpose", "Sets the purpose for a conversation.", ["channel", "purpose"]),
    ("conversations.archive", "Archives a conversation.", ["channel"]),
    ("conversations.invite", "Invites users to a channel.", ["channel", "users"]),
    ("admin.conversations.create", "Create a public or private channel-based conversation.", ["name", "is_private", "team_id"]),
    ("admin.conversations.rename", "Rename a public or private channel.", ["channel_id", "name"]),
    ("admin.conversations.archive", "Archive a public or private channel.", ["channel_id"]),
    ("admin.conversations.setConversationPrefs", "Set the posting permissions for a public or private channel.",
     ["channel_id", "prefs"]),
    ("pins.add", "Pins an item to a channel.", ["channel", "timestamp"]),
    ("reminders.add", "Creates a reminder.", ["text", "time"]),
    ("reminders.delete", "Deletes a reminder.", ["reminder"]),
    ("chat.postMessage", "Sends a message to a channel.", ["channel", "text"]),
]:
    RPC["paths"][f"/{name}"] = {"post": {"operationId": name.replace(".", "_"), "summary": summary,
                                         "requestBody": _form({f: S for f in fields}, fields[:1])}}

# ---- .json-suffixed versioned paths; POST to /{Sid}.json edits (a telephony product) ----------------
TEL = {"openapi": "3.0.1", "info": {"title": "Telco REST API"}, "servers": [{"url": "https://api.telco.test"}],
       "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}}, "security": [{"basic": []}],
       "paths": {}}
_acc = {"name": "AccountSid", "in": "path", "required": True, "schema": S}
_sid = {"name": "Sid", "in": "path", "required": True, "schema": S}
TEL["paths"]["/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json"] = {
    "parameters": [_acc],
    "get": {"operationId": "ListIncomingPhoneNumber"},
    "post": {"operationId": "CreateIncomingPhoneNumber", "requestBody": _form(
        {"PhoneNumber": S, "FriendlyName": S, "SmsUrl": S, "VoiceUrl": S}, ["PhoneNumber"])}}
TEL["paths"]["/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json"] = {
    "parameters": [_acc, _sid],
    "get": {"operationId": "FetchIncomingPhoneNumber"},
    "post": {"operationId": "UpdateIncomingPhoneNumber", "requestBody": _form(
        {"FriendlyName": S, "SmsUrl": S, "SmsMethod": {"type": "string", "enum": ["GET", "POST"]}, "VoiceUrl": S})},
    "delete": {"operationId": "DeleteIncomingPhoneNumber"}}
TEL["paths"]["/2010-04-01/Accounts/{AccountSid}/Messages.json"] = {
    "parameters": [_acc],
    "post": {"operationId": "CreateMessage", "requestBody": _form({"To": S, "From": S, "Body": S}, ["To"])}}
TEL["paths"]["/2010-04-01/Accounts/{AccountSid}/Queues.json"] = {
    "parameters": [_acc],
    "post": {"operationId": "CreateQueue", "requestBody": _form({"FriendlyName": S, "MaxSize": {"type": "integer"}},
                                                                 ["FriendlyName"])}}

# ---- user vs account scopes (a video-meeting product) ----------------------------------------------
_settings = {"waiting_room": {"type": "boolean"}, "join_before_host": {"type": "boolean"},
             "mute_upon_entry": {"type": "boolean"}}
MEET = {"openapi": "3.0.0", "info": {"title": "Meetly API"}, "servers": [{"url": "https://api.meetly.test/v2"}],
        "paths": {
            "/users/{userId}/settings": {
                "parameters": [{"name": "userId", "in": "path", "required": True, "schema": S}],
                "get": {"summary": "Get user settings"},
                "patch": {"summary": "Update user settings", "requestBody": json_body(_settings)}},
            "/accounts/{accountId}/settings": {
                "parameters": [{"name": "accountId", "in": "path", "required": True, "schema": S}],
                "get": {"summary": "Get account settings"},
                "patch": {"summary": "Update account settings", "requestBody": json_body(_settings)}},
            "/users/{userId}/meetings": {
                "parameters": [{"name": "userId", "in": "path", "required": True, "schema": S}],
                "post": {"summary": "Create a meeting", "requestBody": json_body({"topic": S, "duration": {"type": "integer"}})}},
            "/meetings/{meetingId}": {
                "parameters": [{"name": "meetingId", "in": "path", "required": True, "schema": S}],
                "patch": {"summary": "Update a meeting", "requestBody": json_body({"topic": S, "duration": {"type": "integer"}})},
                "delete": {"summary": "Delete a meeting"}},
        }}

# ---- actions sub-resources with a type (a cloud product) -------------------------------------------
CLOUD = {"openapi": "3.0.0", "info": {"title": "Cloudy API"}, "servers": [{"url": "https://api.cloudy.test"}],
         "paths": {
             "/v2/droplets": {"post": {"summary": "Create a New Droplet", "requestBody": json_body(
                 {"name": S, "region": S, "size": S}, ["name", "size"])}},
             "/v2/droplets/{droplet_id}": {
                 "parameters": [{"name": "droplet_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                 "delete": {"summary": "Delete an Existing Droplet"}},
             "/v2/droplets/{droplet_id}/actions": {
                 "parameters": [{"name": "droplet_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                 "post": {"summary": "Initiate a Droplet Action", "requestBody": json_body({"type": {
                     "type": "string", "enum": ["reboot", "power_off", "power_on", "shutdown", "snapshot", "resize"]},
                     "name": S}, ["type"])}},
             "/v2/volumes/{volume_id}/snapshots": {
                 "parameters": [{"name": "volume_id", "in": "path", "required": True, "schema": S}],
                 "post": {"summary": "Create Snapshot from a Volume", "requestBody": json_body({"name": S}, ["name"])}},
             "/v2/volumes/{volume_id}/actions": {
                 "parameters": [{"name": "volume_id", "in": "path", "required": True, "schema": S}],
                 "post": {"summary": "Initiate A Block Storage Action By Volume Id", "requestBody": json_body({"type": {
                     "type": "string", "enum": ["attach", "detach", "resize"]}}, ["type"])}},
         }}

# ---- edit an existing item vs create one (a hosting product; issue 15 item 8) -----------------------
SITES = {"openapi": "3.0.0", "info": {"title": "Hostly API"}, "servers": [{"url": "https://api.hostly.test/v1"}],
         "paths": {
             "/sites": {"get": {"summary": "List sites"},
                        "post": {"operationId": "createSite", "summary": "Create a site", "requestBody": json_body(
                            {"name": S, "custom_domain": S, "repo_url": S})}},
             "/sites/{site_id}": {
                 "parameters": [{"name": "site_id", "in": "path", "required": True, "schema": S}],
                 "get": {"operationId": "getSite", "summary": "Get a site"},
                 "patch": {"operationId": "updateSite", "summary": "Update a site", "requestBody": json_body(
                     {"name": S, "custom_domain": S, "force_ssl": {"type": "boolean"}})},
                 "delete": {"operationId": "deleteSite", "summary": "Delete a site"}},
             "/sites/{site_id}/deploys": {
                 "parameters": [{"name": "site_id", "in": "path", "required": True, "schema": S}],
                 "post": {"operationId": "createSiteDeploy", "summary": "Deploy a site"}},
         }}

# ---- admin look-alikes on REST paths (a code-hosting product) ---------------------------------------
FORGE = {"openapi": "3.0.0", "info": {"title": "Forgy API"}, "servers": [{"url": "https://forgy.test/api/v1"}],
         "paths": {
             "/user/keys": {"post": {"summary": "Create a public key", "requestBody": json_body(
                 {"title": S, "key": S, "read_only": {"type": "boolean"}}, ["title", "key"])}},
             "/admin/users/{username}/keys": {
                 "parameters": [{"name": "username", "in": "path", "required": True, "schema": S}],
                 "post": {"summary": "Add a public key on behalf of a user", "requestBody": json_body(
                     {"title": S, "key": S}, ["title", "key"])}},
             "/admin/users": {"post": {"summary": "Create a user", "requestBody": json_body(
                 {"username": S, "email": S, "password": S}, ["username", "email", "password"])}},
             "/user/repos": {"post": {"summary": "Create a repository", "requestBody": json_body({"name": S}, ["name"])}},
             "/admin/users/{username}/repos": {
                 "parameters": [{"name": "username", "in": "path", "required": True, "schema": S}],
                 "post": {"summary": "Create a repository on behalf of a user", "requestBody": json_body({"name": S}, ["name"])}},
             "/repos/{owner}/{repo}/collaborators/{collaborator}": {
                 "parameters": [{"name": n, "in": "path", "required": True, "schema": S}
                                for n in ("owner", "repo", "collaborator")],
                 "put": {"summary": "Add a collaborator to a repository", "requestBody": json_body({"permission": {
                     "type": "string", "enum": ["read", "write", "admin"]}})}},
         }}


def right_or_none(t, expected: tuple[str, str] | None) -> None:
    """At the default threshold a call is the right one or none at all."""
    if t.status == "action":
        assert (t.method, t.path) == expected, (t.title, t.method, t.path, t.confidence)


# ------------------------------------------------------------------------------ RPC and admin look-alikes


@pytest.mark.parametrize("md, expected", [
    ("## Set a channel topic\n1. Open the channel you'd like to update.\n2. Click the channel name in the "
     "conversation header.\n3. Under **Topic**, click **Edit**.\n4. Enter a topic, then click **Save**.\n",
     ("POST", "/conversations.setTopic")),
    ("## Rename a channel\n1. Open the channel.\n2. Click the channel name in the header.\n"
     "3. Next to **Channel name**, click **Edit**.\n4. Enter a new name, then click **Save Changes**.\n",
     ("POST", "/conversations.rename")),
    ("## Archive a channel\n1. Open the channel.\n2. Click the **Settings** tab, then select "
     "**Archive channel for everyone**.\n3. Click **Archive**.\n", ("POST", "/conversations.archive")),
])
def test_rpc_method_paths_rank_the_method_not_its_admin_look_alike(md, expected):
    t = task(md, spec(RPC, "chatly.json"))
    assert top(t) == expected, t.candidates[:3]
    admin = [c for c in t.candidates if c["path"].startswith("/admin.")]
    assert all(c["probability"] < t.candidates[0]["probability"] for c in admin)
    assert all("admin" in c["why"] for c in admin)
    right_or_none(t, expected)


def test_admin_look_alike_on_rest_paths_is_not_the_users_own_call():
    md = ("## Add an SSH key to your account\n1. Click your avatar and select **Settings**.\n"
          "2. Open the **SSH Keys** tab and click **Add Key**.\n3. Enter a **Key Name** and paste the key.\n"
          "4. Click **Add Key**.\n")
    t = task(md, spec(FORGE, "forgy.json"))
    assert top(t) == ("POST", "/user/keys"), t.candidates[:3]
    right_or_none(t, ("POST", "/user/keys"))


def test_an_admin_task_may_use_the_admin_call():
    md = ("## Create an account for a new user (site administrator)\n1. Open **Site Administration**.\n"
          "2. Click **User Accounts**, then **Create User Account**.\n3. Enter the **Username**, "
          "**Email Address** and **Password**.\n4. Click **Create User Account**.\n")
    t = task(md, spec(FORGE, "forgy.json"))
    assert top(t) == ("POST", "/admin/users")


# ------------------------------------------------------------------------------ create vs edit-existing


def test_editing_an_existing_numbered_item_is_never_the_collection_create():
    md = ("### Configure a phone number's messaging webhook\n1. Go to **Phone Numbers > Active numbers**.\n"
          "2. Click the phone number you want to configure.\n3. Under **A message comes in**, set the webhook "
          "to `https://example.com/sms`.\n4. Click **Save configuration**.\n")
    t = task(md, spec(TEL, "telco.json"))
    expected = ("POST", "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json")
    assert top(t) == expected, t.candidates[:3]
    right_or_none(t, expected)
    edit = t.candidates[0]
    assert "existing item" in edit["why"]


def test_adding_a_field_of_an_existing_site_is_not_creating_a_site():
    # issue 15 item 8: "Add a custom domain" was POST /sites at 0.80
    md = ("### Add a custom domain\n1. Go to **Site configuration > Domain management**.\n"
          "2. Under **Production domains**, select **Add a domain**.\n3. Enter `www.example.com` and select "
          "**Verify**.\n4. Select **Add domain**.\n")
    t = task(md, spec(SITES, "hostly.json"))
    assert not (t.status == "action" and (t.method, t.path) == ("POST", "/sites")), t.confidence
    assert ("PATCH", "/sites/{site_id}") in [(c["method"], c["path"]) for c in t.candidates[:5]]
    right_or_none(t, ("PATCH", "/sites/{site_id}"))


def test_creating_still_creates():
    md = ("### Create a site\n1. Click **Add new site**.\n2. Enter the site **Name** `docs`.\n"
          "3. Click **Create site**.\n")
    t = task(md, spec(SITES, "hostly.json"))
    assert top(t) == ("POST", "/sites")
    right_or_none(t, ("POST", "/sites"))


# ------------------------------------------------------------------------------ scopes and sub-resources


@pytest.mark.parametrize("md, expected", [
    ("### Turn on waiting room for your own meetings\n1. Sign in to the web portal.\n2. Click **Settings**.\n"
     "3. On the **Meeting** tab, toggle **Waiting Room** on.\n", ("PATCH", "/users/{userId}/settings")),
    ("### Enable waiting room for all users in the account\n1. Sign in as an administrator.\n"
     "2. Click **Account Management** then **Account Settings**.\n3. Toggle **Waiting Room** on.\n",
     ("PATCH", "/accounts/{accountId}/settings")),
])
def test_user_and_account_scopes_are_told_apart(md, expected):
    t = task(md, spec(MEET, "meetly.json"))
    assert top(t) == expected, t.candidates[:3]
    right_or_none(t, expected)


def test_a_droplet_action_is_the_actions_sub_resource_never_a_volume_snapshot():
    md = ("## Take a snapshot of a Droplet\n1. Open the Droplet's page and click **Snapshots**.\n"
          "2. Enter a **snapshot name**.\n3. Click **Take live snapshot**.\n")
    t = task(md, spec(CLOUD, "cloudy.json"))
    assert not (t.status == "action" and "volumes" in (t.path or "")), (t.path, t.confidence)
    assert ("POST", "/v2/droplets/{droplet_id}/actions") in [(c["method"], c["path"]) for c in t.candidates[:5]]
    right_or_none(t, ("POST", "/v2/droplets/{droplet_id}/actions"))


# ------------------------------------------------------------------------------ no API equivalent


@pytest.mark.parametrize("doc, name", [(RPC, "chatly.json"), (TEL, "telco.json"), (MEET, "meetly.json"),
                                       (CLOUD, "cloudy.json"), (SITES, "hostly.json"), (FORGE, "forgy.json")])
def test_a_task_with_no_api_stays_manual_on_every_style(doc, name):
    for md in ("## Switch to dark mode\n1. Click your avatar, then **Preferences**.\n2. Under **Theme**, "
               "choose **Dark** and click **Save**.\n",
               "## Change the language of the portal\n1. Scroll to the bottom of any page.\n"
               "2. Click **Language** and choose **Deutsch**.\n"):
        t = task(md, spec(doc, name))
        assert (t.status, t.curl) == ("manual", None), (name, t.candidates[:1])
        assert t.reason.startswith("no API equivalent found")


# ------------------------------------------------------------------------------ body validation


def test_request_schema_rebuilt_from_the_index_has_required_types_and_enums():
    op = find_operation(spec(CLOUD, "cloudy.json"), "POST /v2/droplets/{droplet_id}/actions")
    schema = request_schema(op)
    assert schema["required"] == ["type"]
    assert schema["properties"]["type"]["enum"][:2] == ["reboot", "power_off"]
    assert body_problems(op, {"type": "power_off"}) == []
    assert body_problems(op, {"type": "$TYPE"}) == []  # a named placeholder is the caller's to fill
    assert body_problems(op, {"type": "explode"}) == ["type: 'explode' is not one of ['reboot', 'power_off', "
                                                      "'power_on', 'shutdown', 'snapshot', 'resize']"]
    assert body_problems(op, {"name": "x"}) == ["body: 'type' is a required property"]
    queue = find_operation(spec(TEL, "telco.json"), "CreateQueue")
    assert body_problems(queue, {"FriendlyName": "q", "MaxSize": "thirty"}) == ["MaxSize: 'thirty' is not of type 'integer'"]


@pytest.mark.parametrize("value", [
    {"type": "reboot"}, {"type": "explode"}, {}, {"type": 3}, {"type": "reboot", "size": {"w": "x"}},
    {"type": "reboot", "size": {"w": 2, "tags": ["a", 1]}}, {"type": "reboot", "size": {}}, [], "x",
    {"type": "reboot", "count": True}, {"type": "reboot", "count": 2.0}, {"type": "reboot", "count": 2.5},
])
def test_the_builtin_validator_agrees_with_jsonschema(value):
    import jsonschema  # installed with fastmcp (mcp depends on it); the runtime does not import it
    schema = {"type": "object", "required": ["type"], "properties": {
        "type": {"type": "string", "enum": ["reboot", "power_off"]},
        "count": {"type": "integer"},
        "size": {"type": "object", "required": ["w"], "properties": {
            "w": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}}}}
    theirs = sorted((tuple(map(str, e.absolute_path)), e.message)
                    for e in jsonschema.Draft202012Validator(schema).iter_errors(value))
    ours = validate(schema, value)
    assert bool(ours) == bool(theirs)
    assert set(ours) <= set(theirs), (ours, theirs)


def test_a_curl_whose_body_would_not_validate_is_not_emitted():
    md = ("## Create a queue\n1. Open **Voice > Queues** and click **Create new Queue**.\n"
          "2. Enter a **Friendly name** `support` and set **Max size** to `thirty`.\n3. Click **Create**.\n")
    t = task(md, spec(TEL, "telco.json"), threshold=0.0)
    assert t.status == "manual" and t.curl is None
    assert "would not validate" in t.reason and "MaxSize" in t.reason
    ok = task(md.replace("`thirty`", "`30`"), spec(TEL, "telco.json"), threshold=0.0)
    assert (ok.status, ok.path, ok.parameters.get("MaxSize")) == (
        "action", "/2010-04-01/Accounts/{AccountSid}/Queues.json", 30)


def test_an_emitted_call_names_its_placeholders():
    md = ("## Create a queue\n1. Open **Voice > Queues** and click **Create new Queue**.\n"
          "2. Enter a **Friendly name** `support`.\n3. Click **Create**.\n")
    t = task(md, spec(TEL, "telco.json"), threshold=0.0)
    assert t.status == "action"
    assert t.placeholders == {"$ACCOUNT_SID": "AccountSid"}
    assert "$ACCOUNT_SID" in t.curl and t.parameters["FriendlyName"] == "support"


# ------------------------------------------------------------------------------ the agent decides


def test_operation_curl_fills_values_and_names_the_missing_required_ones():
    s = spec(CLOUD, "cloudy.json")
    op = find_operation(s, "POST /v2/droplets/{droplet_id}/actions")
    out = operation_curl(s, op, {"droplet_id": 42, "type": "power_off"})
    assert out["curl"].startswith('curl -X POST "https://api.cloudy.test/v2/droplets/42/actions"')
    assert '"type": "power_off"' in out["curl"]
    assert out["placeholders"] == {}
    out = operation_curl(s, op, {})
    assert out["placeholders"] == {"$DROPLET_ID": "droplet_id", "$TYPE": "type"}
    assert any("`$TYPE`" in n and "power_off" in n for n in out["notes"])  # the allowed values are named
    with pytest.raises(ValueError, match="no field colour"):
        operation_curl(s, op, {"colour": "red"})
    with pytest.raises(ValueError, match="would not validate"):
        operation_curl(s, op, {"type": "explode"})
    with pytest.raises(LookupError):
        find_operation(s, "POST /nowhere")


def test_task_from_text_reads_steps_or_a_sentence():
    title, steps = task_from_text("## Set a topic\n1. Click **Edit**.\n")
    assert title == "Set a topic" and len(steps) == 1
    title, steps = task_from_text("set the topic of a channel")
    assert title == "set the topic of a channel" and steps


@pytest.fixture()
def rpc_spec_file(tmp_path):
    path = tmp_path / "chatly.json"
    path.write_text(json.dumps(RPC))
    return path


def test_mcp_find_api_operation_lists_candidates_with_why(tmp_path, rpc_spec_file):
    server = create_server(local_service(tmp_path))
    res = call_tool(server, "find_api_operation", {"task": "Set the topic of a channel", "openapi": str(rpc_spec_file),
                                                  "k": 3})
    data = res.structured_content
    assert data["spec"] == "Chatly Web API" and len(data["candidates"]) == 3
    best = data["candidates"][0]
    assert (best["method"], best["path"]) == ("POST", "/conversations.setTopic")
    assert best["required"] == ["channel"] and "topic: string" in best["body"]
    assert 0.0 <= best["probability"] <= 1.0 and best["why"]
    assert "curl_for_operation" in res.content[0].text


def test_mcp_curl_for_operation_builds_the_picked_call(tmp_path, rpc_spec_file):
    server = create_server(local_service(tmp_path))
    res = call_tool(server, "curl_for_operation", {"openapi": str(rpc_spec_file),
                                                  "operation": "POST /conversations.setTopic",
                                                  "values": {"topic": "Release week"}})
    data = res.structured_content
    assert data["path"] == "/conversations.setTopic"
    assert '"Authorization: Bearer $CHATLY_TOKEN"' in data["curl"]
    assert '--data-urlencode "topic=Release week"' in data["curl"]
    assert data["placeholders"] == {"$CHANNEL": "channel"}  # required, not given: named
    bad = call_tool(server, "curl_for_operation", {"openapi": str(rpc_spec_file), "operation": "POST /nope"},
                    raise_on_error=False)
    assert bad.is_error and "no operation 'POST /nope'" in bad.content[0].text
    bad = call_tool(server, "curl_for_operation", {"openapi": str(rpc_spec_file), "operation": "conversations_setTopic",
                                                  "values": {"colour": "red"}}, raise_on_error=False)
    assert bad.is_error and "has no field colour" in bad.content[0].text


def test_curl_actions_lists_the_runner_ups_of_a_manual_task(tmp_path, rpc_spec_file):
    doc = tmp_path / "doc.md"
    doc.write_text("## Mute a channel\n1. Open the channel.\n2. Click the channel name and choose **Mute channel**.\n")
    server = create_server(local_service(tmp_path))
    text = call_tool(server, "curl_actions", {"source": str(doc), "openapi": str(rpc_spec_file)}).content[0].text
    assert "> **Manual step**: no API equivalent found in Chatly Web API" in text
    runner_ups = [ln for ln in text.splitlines() if ln.startswith("> Candidates (pick one with `curl_for_operation`): ")]
    assert len(runner_ups) == 1 and runner_ups[0].count("`POST /") == 3


def test_cli_candidates_lists_k_operations_under_each_task(tmp_path, rpc_spec_file):
    doc = tmp_path / "doc.md"
    doc.write_text("## Rename a channel\n1. Open the channel.\n2. Next to **Channel name**, click **Edit**.\n"
                   "3. Enter a new name, then click **Save Changes**.\n")
    res = CliRunner().invoke(app, ["actions", str(doc), "--openapi", str(rpc_spec_file), "--candidates", "4", "-q"],
                             env={"LLMINGEST_CACHE_DIR": str(tmp_path / "cache")})
    assert res.exit_code == 0, res.output
    assert "Candidates (4 most likely):" in res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("- `POST /")]
    assert len(lines) == 4 and lines[0].startswith("- `POST /conversations.rename`")
    assert "(probability " in lines[0]
    res = CliRunner().invoke(app, ["actions", str(doc), "--openapi", str(rpc_spec_file), "--candidates", "99"],
                             env={"LLMINGEST_CACHE_DIR": str(tmp_path / "cache")})
    assert res.exit_code == 2


def test_default_threshold_is_the_calibrated_one():
    from llmingest.converters.actions_model import default_model

    assert DEFAULT_THRESHOLD == default_model().threshold
    assert 0.5 <= DEFAULT_THRESHOLD <= 0.99
