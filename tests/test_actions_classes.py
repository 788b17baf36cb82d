"""Click-to-curl, session 5: a regression test per class of loss found on the dev and blind sets,
each on a mini spec built here (never a product's spec).

- a value the steps typed that lands by nearness in a field of another type (a message text in an
  integer ``reply_to_message_id``) no longer costs the whole call: the field is left out (or gets a
  placeholder when required), while a value for the field its label names still fails the check;
- an enum the index cut at :data:`~llmingest.converters.actions_schema.ENUM_KEPT` values cannot prove
  a value wrong.
"""

from __future__ import annotations

from conftest import spec, task
from llmingest.converters.actions_schema import ENUM_KEPT, body_problems, misfit_fields, request_schema
from llmingest.converters.openapi import Operation, Param

S = {"type": "string"}
INT = {"type": "integer"}


def _json(props: dict, required: list[str] | None = None) -> dict:
    schema: dict = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return {"content": {"application/json": {"schema": schema}}}


BOT = {"openapi": "3.0.0", "info": {"title": "Botgram API"}, "servers": [{"url": "https://bot.test"}], "paths": {
    "/sendMessage": {"post": {"operationId": "sendMessage", "summary": "Send a text message to a chat",
                              "requestBody": _json({"chat_id": INT, "text": S, "reply_to_message_id": INT,
                                                    "disable_notification": {"type": "boolean"}},
                                                   ["chat_id", "text"])}},
    "/getChat": {"post": {"operationId": "getChat", "summary": "Get up to date information about the chat",
                          "requestBody": _json({"chat_id": INT}, ["chat_id"])}},
    "/setChatTitle": {"post": {"operationId": "setChatTitle", "summary": "Change the title of a chat",
                               "requestBody": _json({"chat_id": INT, "title": S}, ["chat_id", "title"])}},
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
