"""Click-to-curl, session 5: a regression test per class of loss found on the dev and blind sets,
each on a mini spec built here (never a product's spec).

- a value the steps typed that lands by nearness in a field of another type (a message text in an
  integer ``reply_to_message_id``) no longer costs the whole call: the field is left out (or gets a
  placeholder when required), while a value for the field its label names still fails the check;
- an enum the index cut at :data:`~llmingest.converters.actions_schema.ENUM_KEPT` values cannot prove
  a value wrong.
"""

from __future__ import annotations

from conftest import json_body, mini_op, mini_spec, spec, task, top
from llmingest.converters.actions_schema import ENUM_KEPT, body_problems, misfit_fields, request_schema
from llmingest.converters.openapi import Operation, Param

S = {"type": "string"}
INT = {"type": "integer"}



BOT = {"openapi": "3.0.0", "info": {"title": "Botgram API"}, "servers": [{"url": "https://bot.test"}], "paths": {
    "/sendMessage": {"post": {"operationId": "sendMessage", "summary": "Send a text message to a chat",
                              "requestBody": json_body({"chat_id": INT, "text": S, "reply_to_message_id": INT,
                                                    "disable_notification": {"type": "boolean"}},
                                                   ["chat_id", "text"])}},
    "/getChat": {"post": {"operationId": "getChat", "summary": "Get up to date information about the chat",
                          "requestBody": json_body({"chat_id": INT}, ["chat_id"])}},
    "/setChatTitle": {"post": {"operationId": "setChatTitle", "summary": "Change the title of a chat",
                               "requestBody": json_body({"chat_id": INT, "title": S}, ["chat_id", "title"])}},
}}


def test_a_value_that_landed_in_a_field_of_another_type_is_left_out_not_the_call():
    md = ("### Send a message\n1. Open the chat.\n"
          "2. Type your message in the **Message** field, for example `Build passed`.\n3. Tap **Send**.\n")
    t = task(md, spec(BOT, "bot.json"), threshold=0.0)
    assert (t.status, t.path) == ("action", "/sendMessage")
    assert "reply_to_message_id" not in t.parameters  # 'Build passed' is no message id
    assert "text" in t.parameters and "chat_id" in t.parameters
    assert any("does not fit" in n for n in t.notes)


def test_misfit_fields_names_literal_type_and_enum_breaks_but_not_missing_or_placeholders():
    op = Operation("POST", "/fw", body=[Param("name", "body", True, "string"),
                                        Param("rules", "body", False, "array", item_type="object"),
                                        Param("rules.port", "body", False, "string"),
                                        Param("count", "body", False, "integer")])
    assert misfit_fields(op, {"rules": ["443"], "count": "$COUNT"}) == ["rules"]
    assert misfit_fields(op, {"count": "x"}) == ["count"]
    assert misfit_fields(op, {"count": 3}) == []  # 'name' missing is no misfit: a placeholder stands for it


def test_an_enum_cut_short_by_the_index_proves_nothing():
    many = [f"event.{i}" for i in range(ENUM_KEPT)]
    op = Operation("POST", "/hooks", body=[Param("events", "body", True, "array", item_type="string", enum=many),
                                           Param("mode", "body", False, "string", enum=["a", "b"])])
    assert "enum" not in request_schema(op)["properties"]["events"].get("items", {})
    assert body_problems(op, {"events": ["event.999"]}) == []  # may well be in the part that was cut
    assert body_problems(op, {"events": ["x"], "mode": "c"}) == ["mode: 'c' is not one of ['a', 'b']"]


# ---- words the spec says only in its prose (spec_alias), and whose field a heading edits ------------



MAIL = mini_spec("Mailer API", [
    ("/lists", mini_op("/lists", "post", "Add list", {"name": S}, ["name"],
                   "Create a new list (an audience) in your account.")),
    ("/lists/{list_id}", mini_op("/lists/{list_id}", "patch", "Update lists",
                             {"name": S, "campaign_defaults": {"type": "object", "properties": {"from_name": S}}},
                             description="Update the settings for a specific audience.")),
    ("/lists/{list_id}/members", mini_op("/lists/{list_id}/members", "post", "Add member to list",
                                     {"email_address": S}, ["email_address"],
                                     "Add a new contact to an audience.")),
    ("/campaigns", mini_op("/campaigns", "post", "Add campaign", {"type": S}, ["type"],
                       "Create a new campaign.")),
    ("/campaigns/{campaign_id}", mini_op("/campaigns/{campaign_id}", "patch", "Update campaign settings",
                                     {"settings": {"type": "object", "properties": {"from_name": S,
                                                                                    "title": S}}},
                                     description="Update some or all of the settings for a campaign.")),
    ("/templates", mini_op("/templates", "post", "Add template", {"name": S}, ["name"], "Create a new template.")),
])

MUSIC = mini_spec("Tunes API", [
    ("/playlists/{playlist_id}/tracks", mini_op("/playlists/{playlist_id}/tracks", "post", "Add items to playlist",
                                           {"uris": {"type": "array", "items": S}},
                                           description="Add one or more songs to a user's playlist.")),
    ("/users/{user_id}/playlists", mini_op("/users/{user_id}/playlists", "post", "Create playlist", {"name": S},
                                      ["name"], "Create a playlist for a user.")),
    ("/playlists/{playlist_id}", mini_op("/playlists/{playlist_id}", "put", "Change playlist details", {"name": S})),
    ("/albums/{id}", mini_op("/albums/{id}", "get", "Get album")),
])

CODE = mini_spec("Forge API", [
    ("/user/settings", mini_op("/user/settings", "patch", "Update user settings",
                           {"description": S, "website": S, "language": S})),
    ("/repos/{owner}/{repo}", mini_op("/repos/{owner}/{repo}", "patch",
                                  "Edit a repository's properties. Only fields that are set will be changed.",
                                  {"description": S, "name": S, "private": {"type": "boolean"}})),
    ("/user/repos", mini_op("/user/repos", "post", "Create a repository", {"name": S}, ["name"])),
    ("/user/keys", mini_op("/user/keys", "post", "Create a public key", {"title": S, "key": S}, ["title", "key"])),
    ("/user/gpg_keys", mini_op("/user/gpg_keys", "post", "Create a GPG key", {"armored_public_key": S},
                           ["armored_public_key"])),
    ("/user/gpg_key_verify", mini_op("/user/gpg_key_verify", "post", "Verify a GPG key", {"key_id": S})),
    ("/users/{username}/gpg_keys", mini_op("/users/{username}/gpg_keys", "get", "List a user's GPG keys")),
    ("/repos/{owner}/{repo}/keys", mini_op("/repos/{owner}/{repo}/keys", "post", "Add a deploy key",
                                       {"title": S, "key": S}, ["key"])),
    ("/repos/{owner}/{repo}/keys/{id}", mini_op("/repos/{owner}/{repo}/keys/{id}", "delete", "Remove a deploy key")),
    ("/user/keys/{id}", mini_op("/user/keys/{id}", "delete", "Delete a public key")),
    ("/admin/users/{username}/keys", mini_op("/admin/users/{username}/keys", "post", "Add a public key for a user",
                                         {"title": S, "key": S}, ["key"])),
    ("/repos/{owner}/{repo}/labels", mini_op("/repos/{owner}/{repo}/labels", "post", "Create a label",
                                         {"name": S}, ["name"])),
])


def _features(doc: dict, md: str) -> dict[tuple[str, str], dict[str, float]]:
    from llmingest.converters.actions_detect import detect
    from llmingest.converters.actions_match import rank
    from llmingest.converters.actions_model import decide

    s = spec(doc, "x.json")
    block, steps = detect(md)[0]
    return {(op.method, op.path): parts["features"]
            for _p, op, parts in decide(s, block.heading or "", steps, rank(s, block.heading or "", steps))}


def test_spec_alias_ties_a_ui_word_to_the_path_word_the_prose_gives_it():
    from llmingest.converters.actions_model import spec_alias

    assert spec_alias(spec(MAIL, "mail.json"), "audience") == {"list"}
    assert spec_alias(spec(MUSIC, "music.json"), "song") == {"track"}
    assert spec_alias(spec(MUSIC, "music.json"), "podcast") == set()  # the prose never says it
    assert spec_alias(spec(MAIL, "mail.json"), "settings") == set()  # too common a word to name a thing


def test_an_alias_never_names_a_scope():
    from llmingest.converters.actions_model import spec_alias

    chat = mini_spec("Chat API", [
        ("/admin.conversations.rename", mini_op("/admin.conversations.rename", "post", "Rename a channel.", {"name": S})),
        ("/admin.conversations.archive", mini_op("/admin.conversations.archive", "post", "Archive a channel.", {})),
        ("/conversations.rename", mini_op("/conversations.rename", "post", "Renames a channel.", {"name": S})),
        ("/chat.postMessage", mini_op("/chat.postMessage", "post", "Sends a message.", {"text": S})),
        ("/reminders.add", mini_op("/reminders.add", "post", "Creates a reminder.", {"text": S})),
        ("/users.info", mini_op("/users.info", "post", "Gets information about a user.", {"user": S})),
    ])
    assert "admin" not in spec_alias(spec(chat, "chat.json"), "channel")
    assert spec_alias(spec(chat, "chat.json"), "channel") == {"conversation"}


def test_a_place_the_ui_names_by_another_word_is_the_resource_the_spec_calls_so():
    md = ("### Change the default from name of an audience\n1. Click **Audience**, then **Settings** and "
          "**Audience name and defaults**.\n2. In **Campaign defaults**, change the **Default From name** to "
          "`Acme News`.\n3. Click **Save**.\n")
    t = task(md, spec(MAIL, "mail.json"), threshold=0.0)
    assert top(t) == ("PATCH", "/lists/{list_id}")
    f = _features(MAIL, md)
    # the campaign's own from_name is a field of another resource than the audience's
    assert f[("PATCH", "/campaigns/{campaign_id}")]["owner_elsewhere"] == 1.0
    assert f[("PATCH", "/lists/{list_id}")]["owner_elsewhere"] == 0.0


def test_a_heading_noun_the_spec_says_only_in_prose_finds_its_resource():
    md = ("### Add a song to a playlist\n1. Right-click the song.\n2. Select **Add to playlist** and pick "
          "**Road trip**.\n")
    t = task(md, spec(MUSIC, "music.json"), threshold=0.0)
    assert top(t) == ("POST", "/playlists/{playlist_id}/tracks")
    f = _features(MUSIC, md)
    assert f[("POST", "/playlists/{playlist_id}/tracks")]["alias_object"] == 1.0


def test_a_field_of_a_named_resource_is_not_the_callers_own_setting():
    md = ("### Change the repository description\n1. Open the repository and click **Settings**.\n"
          "2. In **Description**, enter `Tools for the build farm`.\n3. Click **Update Settings**.\n")
    t = task(md, spec(CODE, "forge.json"))
    assert top(t) == ("PATCH", "/repos/{owner}/{repo}")
    assert t.status != "action" or t.path == "/repos/{owner}/{repo}"
    assert _features(CODE, md)[("PATCH", "/user/settings")]["owner_elsewhere"] == 1.0  # vetoed
    assert all(c["path"] != "/user/settings" for c in t.candidates[:1])


def test_the_headings_kind_of_key_decides_even_when_the_steps_say_both():
    md = ("### Add an SSH key to your account\n1. Click your avatar and select **Settings**.\n"
          "2. Open the **SSH / GPG Keys** tab and click **Add Key** under **Manage SSH Keys**.\n"
          "3. Enter a **Key Name** `laptop` and paste the public key into **Content**.\n4. Click **Add Key**.\n")
    t = task(md, spec(CODE, "forge.json"), threshold=0.0)
    assert top(t) == ("POST", "/user/keys")
    f = _features(CODE, md)
    assert f[("POST", "/user/gpg_keys")]["qualifier_conflict"] == 1.0
    assert f[("POST", "/user/keys")]["qualifier_conflict"] == 0.0


def test_a_page_name_heading_is_told_from_a_task_heading():
    from llmingest.converters.actions_model import TaskContext

    s = spec(CODE, "forge.json")
    assert TaskContext("User settings", [], s).page_heading
    assert TaskContext("Labels", [], s).page_heading
    assert not TaskContext("Create a label", [], s).page_heading
    assert not TaskContext("Pin a message", [], s).page_heading  # a verb the lexicon lacks, but an article
