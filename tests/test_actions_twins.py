"""Click-to-curl, session 6: a regression test per class of loss found on the dev set, each on a mini
spec built here (never a product's spec).

- the same call under a scope or parent the steps never name, beside one they account for, is the
  look-alike (``/orgs/{org}/repos`` beside ``/user/repos``; ``/admin.conversations.create`` beside
  ``/conversations.create``) - ``scoped_twin``;
- a heading that switches a thing on or off ("Turn on two-step verification") is never a call where
  a word of that thing is missing (``PUT /users/{id}`` whose only such field says "exempt"; "dark
  mode" against ``/sql_mode``) - ``toggle_target_absent``;
- "Power off **a** server" is never the bulk ``POST /servers/actions`` while the item's own actions
  endpoint has the same action - ``bulk_action_twin``;
- "Update your profile bio" is never ``PATCH /users/{user_id}`` when the spec has ``PATCH /me``
  - ``caller_twin``;
- an enum value that names the heading's verb ("Configure" -> ``state: configured``) only counts on a
  call whose path or summary says one of the heading's nouns.
"""

from __future__ import annotations

from conftest import mini_op, mini_spec, spec, task, top
from llmingest.converters.actions_model import VETOES

S = {"type": "string"}
B = {"type": "boolean"}





def _features(doc: dict, md: str) -> dict[tuple[str, str], dict[str, float]]:
    from llmingest.converters.actions_detect import detect
    from llmingest.converters.actions_match import rank
    from llmingest.converters.actions_model import decide

    s = spec(doc, "x.json")
    block, steps = detect(md)[0]
    return {(op.method, op.path): parts["features"]
            for _p, op, parts in decide(s, block.heading or "", steps, rank(s, block.heading or "", steps))}


FORGE = mini_spec("Forge API", [
    ("/user/repos", mini_op("/user/repos", "post", "Create a repository for the authenticated user",
                        {"name": S, "description": S, "private": B}, ["name"])),
    ("/orgs/{org}/repos", mini_op("/orgs/{org}/repos", "post", "Create an organization repository",
                              {"name": S, "description": S, "private": B}, ["name"])),
    ("/repos/{owner}/{repo}", mini_op("/repos/{owner}/{repo}", "patch", "Update a repository", {"description": S})),
    ("/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts",
     mini_op("/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts", "post",
         "Redeliver a delivery for a repository webhook")),
    ("/orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts",
     mini_op("/orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts", "post",
         "Redeliver a delivery for an organization webhook")),
    ("/users/{user_id}", mini_op("/users/{user_id}", "put", "Update user",
                             {"name": S, "phone": S, "is_exempt_from_login_verification": B})),
    ("/users", mini_op("/users", "post", "Create user", {"name": S, "login": S}, ["name"])),
    ("/repos/{owner}/{repo}/code-scanning/default-setup",
     mini_op("/repos/{owner}/{repo}/code-scanning/default-setup", "patch", "Update a code scanning default setup",
         {"state": {"type": "string", "enum": ["configured", "not-configured"]}})),
])

CHAT = mini_spec("Chat API", [
    ("/conversations.create", mini_op("/conversations.create", "post", "Initiates a public or private channel-based conversation",
                                  {"name": S, "is_private": B}, ["name"])),
    ("/admin.conversations.create", mini_op("/admin.conversations.create", "post",
                                        "Create a public or private channel-based conversation",
                                        {"name": S, "is_private": B, "team_id": S}, ["name", "is_private"])),
    ("/conversations.archive", mini_op("/conversations.archive", "post", "Archives a conversation", {"channel": S})),
])

CLOUD = mini_spec("Cloud API", [
    ("/servers", mini_op("/servers", "post", "Create a new server", {"name": S}, ["name"])),
    ("/servers/actions", mini_op("/servers/actions", "post", "Act on tagged servers",
                             {"type": {"type": "string", "enum": ["power_on", "power_off", "shutdown"]}, "tag_name": S},
                             ["type", "tag_name"])),
    ("/servers/{server_id}/actions", mini_op("/servers/{server_id}/actions", "post", "Initiate a server action",
                                         {"type": {"type": "string", "enum": ["power_on", "power_off", "reboot"]}},
                                         ["type"])),
    ("/databases/{cluster_id}/sql_mode", mini_op("/databases/{cluster_id}/sql_mode", "put",
                                             "Update SQL mode for a cluster", {"sql_mode": S}, ["sql_mode"])),
])


def test_the_same_call_under_a_scope_the_steps_never_name_is_the_look_alike():
    md = ("### Create a repository\n1. In the upper-right corner, click **+** and select **New repository**.\n"
          "2. Type a **name** `tools` and an optional description.\n3. Click **Create repository**.\n")
    t = task(md, spec(FORGE, "forge.json"), threshold=0.0)
    assert top(t) == ("POST", "/user/repos")
    f = _features(FORGE, md)
    assert f[("POST", "/orgs/{org}/repos")]["scoped_twin"] == 1.0
    assert f[("POST", "/user/repos")]["scoped_twin"] == 0.0
    assert VETOES["scoped_twin"] == 1.0


def test_a_repository_webhook_redelivery_is_not_the_organizations_twin():
    md = ("### Re-send a failed webhook delivery\n1. Open the repository's **Settings > Webhooks** and edit "
          "the webhook.\n2. Open **Recent Deliveries** and click the failed delivery.\n3. Click **Redeliver**.\n")
    f = _features(FORGE, md)
    assert f[("POST", "/orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts")]["scoped_twin"] == 1.0
    t = task(md, spec(FORGE, "forge.json"), threshold=0.0)
    assert top(t) == ("POST", "/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts")


def test_an_admin_rpc_twin_is_the_look_alike_of_the_plain_method():
    md = ("## Create a channel\n1. In the sidebar, click **+ Add channels** and choose **Create a new channel**.\n"
          "2. Enter a **Name** like `proj-apollo`.\n3. Click **Create**.\n")
    t = task(md, spec(CHAT, "chat.json"), threshold=0.0)
    assert top(t) == ("POST", "/conversations.create")
    assert _features(CHAT, md)[("POST", "/admin.conversations.create")]["scoped_twin"] == 1.0


def test_steps_that_name_the_scope_keep_the_scoped_call():
    md = ("### Create a repository in your organization\n1. Open the **organization** page and click "
          "**New repository**.\n2. Type a **name** `tools`.\n3. Click **Create repository**.\n")
    f = _features(FORGE, md)
    assert f[("POST", "/orgs/{org}/repos")]["scoped_twin"] == 0.0


def test_switching_on_a_thing_the_call_does_not_have_stays_manual():
    md = ("### Turn on two-step verification for your login\n1. Click your account icon and select "
          "**Account Settings**.\n2. Tick **Require 2-step verification for unrecognized logins**.\n"
          "3. Enter a **mobile phone number** and click **Continue**.\n")
    f = _features(FORGE, md)
    # the only field about login verification says "exempt": it switches nothing on
    assert f[("PUT", "/users/{user_id}")]["toggle_target_absent"] == 1.0
    t = task(md, spec(FORGE, "forge.json"))
    assert t.status != "action"


def test_a_toggle_needs_every_word_of_its_thing_in_the_call():
    md = ("## Turn on dark mode\n1. Click your avatar and select **My Account**.\n"
          "2. Under **Appearance**, choose **Dark** and click **Save**.\n")
    f = _features(CLOUD, md)
    assert f[("PUT", "/databases/{cluster_id}/sql_mode")]["toggle_target_absent"] == 1.0
    assert task(md, spec(CLOUD, "cloud.json")).status != "action"


def test_one_items_action_is_never_the_bulk_twin():
    md = ("## Power off a server\n1. Click **Servers** and then the server.\n2. Click **Power** in the left "
          "menu.\n3. Click **Power off**.\n")
    f = _features(CLOUD, md)
    assert f[("POST", "/servers/actions")]["bulk_action_twin"] == 1.0
    assert f[("POST", "/servers/{server_id}/actions")]["bulk_action_twin"] == 0.0
    t = task(md, spec(CLOUD, "cloud.json"), threshold=0.0)
    assert top(t) == ("POST", "/servers/{server_id}/actions")


def test_an_enum_naming_the_headings_verb_needs_the_headings_thing():
    md = ("### Configure two-factor authentication using a TOTP app\n1. Click your profile photo, then "
          "**Settings**.\n2. Click **Password and authentication**.\n3. Click **Enable two-factor "
          "authentication** and scan the QR code.\n")
    f = _features(FORGE, md)
    assert all(v["enum_action"] == 0.0 for k, v in f.items() if k[1].endswith("default-setup"))
    assert task(md, spec(FORGE, "forge.json")).status != "action"


def test_a_ticked_switch_label_names_the_thing_the_call_must_have():
    md = ("## Set up single sign-on\n1. In your organization, open **Settings**.\n"
          "2. Tick **Enable SAML authentication** and paste the **Sign on URL**.\n3. Click **Save**.\n")
    f = _features(FORGE, md)
    assert all(v["toggle_target_absent"] == 1.0 for v in f.values())  # no call here says saml
    assert task(md, spec(FORGE, "forge.json")).status != "action"
    # ... while a label whose thing the call has does not veto it
    md2 = ("## Create a repository\n1. Click **New repository** and type a **name**.\n"
           "2. Tick **Enable private visibility**.\n3. Click **Create repository**.\n")
    f2 = _features(FORGE, md2)
    assert f2[("POST", "/user/repos")]["toggle_target_absent"] == 1.0  # "visibility" is no field of it
    md3 = md2.replace("Enable private visibility", "Enable private repository")
    assert _features(FORGE, md3)[("POST", "/user/repos")]["toggle_target_absent"] == 0.0


VIDEO = mini_spec("Video API", [
    ("/me", mini_op("/me", "patch", "Edit the current user", {"bio": S, "name": S})),
    ("/users/{user_id}", mini_op("/users/{user_id}", "patch", "Edit a user", {"bio": S, "name": S})),
    ("/users/{user_id}/albums", mini_op("/users/{user_id}/albums", "post", "Create an album", {"name": S}, ["name"])),
])


def test_the_callers_own_form_wins_over_someones_id():
    md = ("### Update your profile bio\n1. Click your profile picture and select **Settings**.\n"
          "2. On the **Profile** tab, edit the **Bio** field.\n3. Click **Save changes**.\n")
    f = _features(VIDEO, md)
    assert f[("PATCH", "/users/{user_id}")]["caller_twin"] == 1.0
    assert f[("PATCH", "/me")]["caller_twin"] == 0.0
    # no /me form of the album create: nothing to prefer
    assert f.get(("POST", "/users/{user_id}/albums"), {"caller_twin": 0.0})["caller_twin"] == 0.0
    t = task(md, spec(VIDEO, "video.json"), threshold=0.0)
    assert top(t) == ("PATCH", "/me")


def test_steps_about_another_user_keep_the_users_call():
    md = ("### Change a user's bio\n1. Open **Users** and click the user.\n2. Edit the **Bio** field.\n"
          "3. Click **Save**.\n")
    assert _features(VIDEO, md)[("PATCH", "/users/{user_id}")]["caller_twin"] == 0.0
