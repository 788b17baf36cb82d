"""OpenAPI 3.x / Swagger 2.0 parsing into the operation index, and the on-disk index cache."""

from __future__ import annotations

import json
import pickle

import pytest
from llmingest.converters.openapi import load_spec, spec_hash
from llmingest.errors import ConversionError, SourceNotFound
from llmingest.options import Options
from llmingest.sources.actions import cache_path, load_index


def _op(index, key):
    return next(op for op in index.operations if op.key == key)


def test_oas3_json_operations_servers_and_product():
    spec = {"openapi": "3.0.0", "info": {"title": "Acme Cloud API"},
            "servers": [{"url": "https://{region}.acme.test/v1", "variables": {"region": {"default": "eu"}}}],
            "paths": {"/b": {"get": {"summary": "List bees"}}, "/a": {"post": {"operationId": "createA"},
                                                                      "get": {}}}}
    idx = load_spec(json.dumps(spec), name="acme.json")
    assert [op.key for op in idx.operations] == ["GET /a", "POST /a", "GET /b"]
    assert idx.servers == ["https://eu.acme.test/v1"]
    assert idx.product == "ACME"
    assert _op(idx, "POST /a").operation_id == "createA"
    assert idx.spec_hash == spec_hash(json.dumps(spec))


def test_yaml_spec_with_refs_allof_and_readonly():
    text = """
openapi: 3.1.0
info: {title: Zoo}
components:
  parameters:
    zooId: {name: zoo_id, in: path, required: true, schema: {type: string}}
  schemas:
    Base: {type: object, required: [name], properties: {name: {type: string}, id: {type: string, readOnly: true}}}
    Animal:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          properties:
            diet: {$ref: '#/components/schemas/Diet'}
    Diet: {type: string, enum: [herbivore, carnivore]}
  requestBodies:
    AnimalBody:
      content: {application/json: {schema: {$ref: '#/components/schemas/Animal'}}}
paths:
  /zoos/{zoo_id}/animals:
    parameters: [{$ref: '#/components/parameters/zooId'}]
    post:
      summary: Add an animal
      requestBody: {$ref: '#/components/requestBodies/AnimalBody'}
"""
    idx = load_spec(text, name="zoo.yaml")
    op = _op(idx, "POST /zoos/{zoo_id}/animals")
    assert [(p.name, p.location, p.required) for p in op.params] == [("zoo_id", "path", True)]
    body = {b.name: b for b in op.body}
    assert set(body) == {"name", "diet"}  # id is readOnly: never sent
    assert body["name"].required and not body["diet"].required
    assert body["diet"].enum == ["herbivore", "carnivore"]
    assert op.body_media == "application/json"


def test_recursive_and_nested_refs_terminate():
    spec = {"openapi": "3.0.0", "info": {"title": "Tree"}, "paths": {"/nodes": {"post": {"requestBody": {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}}}}},
        "components": {"schemas": {
            "Node": {"type": "object", "properties": {
                "label": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                "parent": {"$ref": "#/components/schemas/Node"},
                "meta": {"$ref": "#/components/schemas/Meta"}}},
            "Meta": {"$ref": "#/components/schemas/Meta2"},
            "Meta2": {"type": "object", "properties": {"owner": {"$ref": "#/components/schemas/Owner"}}},
            "Owner": {"type": "object", "properties": {"email": {"type": "string"}}},
            "Loop": {"$ref": "#/components/schemas/Loop"}}}}
    idx = load_spec(json.dumps(spec))
    names = {b.name for b in _op(idx, "POST /nodes").body}
    assert {"label", "children", "parent", "meta", "meta.owner", "meta.owner.email"} <= names
    # the cycle (Node -> parent: Node) is cut at its first repeat, not followed forever
    assert not any(n.startswith(("parent.", "children.")) for n in names)


def test_external_body_ref_is_named_not_followed_and_binary_is_a_file():
    from llmingest.converters.actions import rewrite

    yaml_text = """openapi: 3.0.0
info: {title: Ext}
servers: [{url: "https://ext.test/v1"}]
paths:
  /notes:
    post:
      summary: Create a note
      requestBody: {content: {application/json: {schema: {$ref: "./schemas/note.yaml#/Note"}}}}
  /files:
    post:
      summary: Upload a file
      requestBody: {content: {multipart/form-data: {schema: {type: object, properties: {
        data: {type: string, format: binary}}}}}}
"""
    idx = load_spec(yaml_text, name="ext.yaml")
    note = _op(idx, "POST /notes")
    assert note.body_ref == "./schemas/note.yaml#/Note" and note.body == []
    assert [(b.name, b.type) for b in _op(idx, "POST /files").body] == [("data", "file")]
    task = rewrite("## Create a note\n1. Click **New note**.\n2. Click **Create note**.\n", idx).tasks[0]
    assert '--data-binary "@$BODY_FILE"' in task.curl  # never a POST without the body it needs
    assert any("./schemas/note.yaml#/Note" in n for n in task.notes)


def test_allof_of_refs_is_an_object_with_every_part():
    spec = {"openapi": "3.0.0", "info": {"title": "Env"}, "paths": {"/projects": {"post": {"requestBody": {
        "content": {"application/json": {"schema": {"properties": {"data": {"$ref": "#/components/schemas/Req"}}}}}}}}},
        "components": {"schemas": {
            "Req": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"team": {"type": "string"}}}]},
            "Base": {"allOf": [{"properties": {"name": {"type": "string"}}}, {"properties": {"notes": {"type": "string"}}}]}}}}
    names = {b.name for b in _op(load_spec(json.dumps(spec)), "POST /projects").body}
    assert {"data", "data.name", "data.notes", "data.team"} <= names


def test_swagger2_normalised_to_the_same_model():
    text = """
swagger: "2.0"
info: {title: Legacy Store}
host: store.legacy.test
basePath: /api
schemes: [http, https]
securityDefinitions:
  basicAuth: {type: basic}
  key: {type: apiKey, in: query, name: api_key}
definitions:
  Order: {type: object, required: [sku], properties: {sku: {type: string}, qty: {type: integer}}}
paths:
  /orders:
    post:
      summary: Place an order
      parameters: [{in: body, name: body, schema: {$ref: '#/definitions/Order'}}]
  /uploads:
    post:
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {in: formData, name: title, type: string, required: true}
        - {in: query, name: dry_run, type: boolean}
"""
    idx = load_spec(text)
    assert idx.version == "2.0"
    assert idx.servers == ["https://store.legacy.test/api"]
    assert idx.security_schemes["basicAuth"] == {"type": "http", "scheme": "basic"}
    assert idx.security_schemes["key"] == {"type": "apiKey", "in": "query", "name": "api_key"}
    order = _op(idx, "POST /orders")
    assert order.body_media == "application/json"
    assert {(b.name, b.required) for b in order.body} == {("sku", True), ("qty", False)}
    upload = _op(idx, "POST /uploads")
    assert upload.body_media == "application/x-www-form-urlencoded"
    assert [(b.name, b.required) for b in upload.body] == [("title", True)]
    assert [(p.name, p.location, p.type) for p in upload.params] == [("dry_run", "query", "boolean")]


@pytest.mark.parametrize("data, message", [
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    ("{not json", "not valid JSON"),
    ("key: [unclosed", "neither JSON nor valid YAML"),
    ('{"info": {}}', "not an OpenAPI spec"),
    ('{"openapi": "3.0.0", "info": {}}', "no 'paths'"),
    ('{"openapi": "3.0.0", "paths": {"/x": {"parameters": []}}}', "no operations"),
])
def test_bad_specs_are_conversion_errors(data, message):
    with pytest.raises(ConversionError, match=message):
        load_spec(data, name="bad.json")


def test_index_cache_by_spec_hash(tmp_path):
    spec = {"openapi": "3.0.0", "info": {"title": "Cache Test"}, "paths": {"/x": {"get": {}}}}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    opts = Options(cache_dir=tmp_path / "cache")
    first = load_index(str(path), opts)
    cached = cache_path(spec_hash(path.read_bytes()), opts)
    assert cached.is_file() and cached.parent.name == "openapi"
    # prove the second load reads the cache: change the cached copy and see it come back
    index = pickle.loads(cached.read_bytes())
    index.title = "From Cache"
    cached.write_bytes(pickle.dumps(index))
    assert load_index(str(path), opts).title == "From Cache"
    assert load_index(str(path), Options(cache_dir=tmp_path / "cache", cache=False)).title == first.title
    # an edited spec has a new hash: re-indexed, not served stale
    spec["info"]["title"] = "Edited"
    path.write_text(json.dumps(spec))
    assert load_index(str(path), opts).title == "Edited"
    # a corrupt cache file is ignored and rebuilt
    cache_path(spec_hash(path.read_bytes()), opts).write_bytes(b"not a pickle")
    assert load_index(str(path), opts).title == "Edited"


def test_missing_spec_file_is_source_not_found(tmp_path):
    with pytest.raises(SourceNotFound):
        load_index(str(tmp_path / "nope.yaml"), Options(cache_dir=tmp_path))
