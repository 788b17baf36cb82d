"""A small realistic regression set for click-to-curl: three made-up products, three spec styles.

Each product's mini spec is written the way real ones are (OpenAPI 3 JSON with bearer auth,
Swagger 2.0 YAML with an API-key header, OpenAPI 3 YAML with basic auth and form-encoded bodies),
and each task is written the way product docs write UI steps. None of these words appear in the
converter: if grounding only worked because of tuning, these would fail.
"""

from __future__ import annotations

import json

import pytest
from llmingest.converters.actions import rewrite
from llmingest.converters.openapi import load_spec

TICKETS = {  # an issue tracker, OpenAPI 3.0 JSON, bearer auth
    "openapi": "3.0.3",
    "info": {"title": "Trackly REST API", "version": "1"},
    "servers": [{"url": "https://api.trackly.test/v2"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "parameters": {
            "project": {"name": "project_id", "in": "path", "required": True, "schema": {"type": "integer"}},
        },
        "schemas": {
            "IssueInput": {"type": "object", "required": ["title"], "properties": {
                "title": {"type": "string", "description": "Short summary of the issue"},
                "body": {"type": "string", "description": "Longer description in markdown"},
                "assignee": {"type": "string"},
                "labels": {"type": "array", "items": {"type": "string"}}}},
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        "/projects": {
            "get": {"operationId": "listProjects", "summary": "List projects"},
            "post": {"operationId": "createProject", "summary": "Create a project", "requestBody": {"content": {
                "application/json": {"schema": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"}, "visibility": {"type": "string", "enum": ["private", "public"]}}}}}}},
        },
        "/projects/{project_id}": {
            "parameters": [{"$ref": "#/components/parameters/project"}],
            "get": {"operationId": "getProject", "summary": "Get a project"},
            "patch": {"operationId": "updateProject", "summary": "Update a project", "requestBody": {"content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "name": {"type": "string", "description": "The project's name"},
                    "description": {"type": "string"}, "archived": {"type": "boolean"}}}}}}},
            "delete": {"operationId": "deleteProject", "summary": "Delete a project"},
        },
        "/projects/{project_id}/issues": {
            "parameters": [{"$ref": "#/components/parameters/project"}],
            "get": {"operationId": "listIssues", "summary": "List issues of a project"},
            "post": {"operationId": "createIssue", "summary": "Create an issue", "requestBody": {"content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/IssueInput"}}}}},
        },
        "/projects/{project_id}/issues/{issue_id}": {
            "parameters": [{"$ref": "#/components/parameters/project"},
                           {"name": "issue_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {"operationId": "getIssue", "summary": "Get an issue"},
            "patch": {"operationId": "updateIssue", "summary": "Update an issue", "requestBody": {"content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "title": {"type": "string"}, "state": {"type": "string", "enum": ["open", "closed"]}}}}}}},
        },
        "/projects/{project_id}/labels": {
            "parameters": [{"$ref": "#/components/parameters/project"}],
            "get": {"operationId": "listLabels", "summary": "List labels"},
            "post": {"operationId": "createLabel", "summary": "Create a label", "requestBody": {"content": {
                "application/json": {"schema": {"type": "object", "required": ["name", "color"], "properties": {
                    "name": {"type": "string"}, "color": {"type": "string", "description": "Hex color"}}}}}}},
        },
        "/projects/{project_id}/labels/{label_id}": {
            "parameters": [{"$ref": "#/components/parameters/project"},
                           {"name": "label_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "delete": {"operationId": "deleteLabel", "summary": "Delete a label"},
        },
        "/projects/{project_id}/members": {
            "parameters": [{"$ref": "#/components/parameters/project"}],
            "get": {"operationId": "listMembers", "summary": "List project members"},
            "post": {"operationId": "addMember", "summary": "Add a member to a project", "requestBody": {"content": {
                "application/json": {"schema": {"type": "object", "required": ["email"], "properties": {
                    "email": {"type": "string"}, "role": {"type": "string", "enum": ["viewer", "editor", "admin"]}}}}}}},
        },
    },
}

SHIPPING_YAML = """\
swagger: "2.0"
info: {title: Shipfast API, version: "1.0"}
host: api.shipfast.test
basePath: /v1
schemes: [https]
consumes: [application/json]
securityDefinitions:
  key: {type: apiKey, in: header, name: X-Api-Key}
security: [{key: []}]
definitions:
  Address:
    type: object
    required: [street, city, country]
    properties:
      street: {type: string}
      city: {type: string}
      postal_code: {type: string}
      country: {type: string, description: ISO country code}
paths:
  /shipments:
    get: {operationId: listShipments, summary: List shipments}
    post:
      operationId: createShipment
      summary: Create a shipment
      parameters:
        - in: body
          name: body
          schema:
            type: object
            required: [to_address_id, weight_grams]
            properties:
              to_address_id: {type: string}
              weight_grams: {type: integer}
  /shipments/{shipment_id}:
    get:
      operationId: getShipment
      summary: Get a shipment
      parameters: [{in: path, name: shipment_id, required: true, type: string}]
  /shipments/{shipment_id}/cancel:
    post:
      operationId: cancelShipment
      summary: Cancel a shipment
      parameters: [{in: path, name: shipment_id, required: true, type: string}]
  /addresses:
    get: {operationId: listAddresses, summary: List saved addresses}
    post:
      operationId: createAddress
      summary: Save an address to the address book
      parameters:
        - {in: body, name: body, schema: {$ref: "#/definitions/Address"}}
  /webhooks:
    get: {operationId: listWebhooks, summary: List webhook subscriptions}
    post:
      operationId: createWebhook
      summary: Subscribe a URL to shipment events
      parameters:
        - in: body
          name: body
          schema:
            type: object
            required: [url]
            properties:
              url: {type: string, description: Where events are POSTed}
              events:
                type: array
                items: {type: string, enum: [shipment.created, shipment.delivered, shipment.cancelled]}
"""

BILLING_YAML = """\
openapi: 3.0.1
info: {title: Payly API, version: "2024-01"}
servers: [{url: "https://api.payly.test"}]
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
  schemas:
    Customer:
      type: object
      properties:
        id: {type: string, readOnly: true}
        email: {type: string}
        name: {type: string}
        parent: {$ref: "#/components/schemas/Customer"}
security: [{basic: []}]
paths:
  /v1/customers:
    get: {operationId: GetCustomers, description: Returns a list of your customers.}
    post:
      operationId: PostCustomers
      description: Creates a new customer object.
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                email: {type: string, description: Customer's email address}
                name: {type: string, description: The customer's full name}
                address:
                  type: object
                  properties:
                    city: {type: string}
                    country: {type: string}
  /v1/customers/{customer}:
    parameters: [{in: path, name: customer, required: true, schema: {type: string}}]
    get: {operationId: GetCustomersCustomer, description: Retrieves a customer.}
    post:
      operationId: PostCustomersCustomer
      description: Updates the specified customer.
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {$ref: "#/components/schemas/Customer"}
    delete: {operationId: DeleteCustomersCustomer, description: Permanently deletes a customer.}
  /v1/invoices:
    get: {operationId: GetInvoices, description: Lists invoices.}
    post:
      operationId: PostInvoices
      description: Creates a draft invoice for a customer.
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [customer]
              properties:
                customer: {type: string}
                days_until_due: {type: integer}
  /v1/invoices/{invoice}/send:
    post:
      operationId: PostInvoicesInvoiceSend
      description: Sends an invoice to the customer by email.
      parameters: [{in: path, name: invoice, required: true, schema: {type: string}}]
"""

# (product, markdown, expected (method, path) or None, params the call must carry)
CASES = [
    ("tickets", """## File a bug
1. Open your project and select the **Issues** tab.
2. Click **New issue**.
3. Enter `Login fails on Safari` as the **Title** and describe the problem in **Description**.
4. Click **Submit new issue**.
""", ("POST", "/projects/{project_id}/issues"), ["project_id", "title"]),
    ("tickets", """## Rename a project
1. Go to **Project settings > General**.
2. Change the **Project name** to `apollo`.
3. Click **Rename project**.
""", ("PATCH", "/projects/{project_id}"), ["project_id", "name"]),
    ("tickets", """## Remove a label you no longer use
1. Go to **Issues > Labels**.
2. Click **Delete** next to the label, then confirm.
""", ("DELETE", "/projects/{project_id}/labels/{label_id}"), ["project_id", "label_id"]),
    ("tickets", """## Invite a teammate
1. Open **Project settings > Members**.
2. Click **Add member**, type their **Email** `ana@example.com` and choose the **Editor** role.
3. Click **Send invitation**.
""", ("POST", "/projects/{project_id}/members"), ["project_id", "email", "role"]),
    ("tickets", """## Change your avatar
1. Click your picture in the top right and choose **Profile**.
2. Click **Upload new picture** and pick an image.
""", None, []),
    ("shipping", """### Get notified when parcels arrive
1. In the dashboard, go to **Developers > Webhooks**.
2. Click **Add webhook**.
3. Paste `https://shop.example.com/hooks/shipfast` into **Endpoint URL**.
4. Tick `shipment.delivered`, then click **Save**.
""", ("POST", "/webhooks"), ["url", "events"]),
    ("shipping", """### Stop a parcel before pickup
1. Open **Shipments** and click the shipment.
2. Click **Cancel shipment** and confirm.
""", ("POST", "/shipments/{shipment_id}/cancel"), ["shipment_id"]),
    ("shipping", """### Store a warehouse address
1. Go to **Address book** and click **New address**.
2. Fill in **Street**, **City** and **Postal code**, and pick the **Country**.
3. Click **Save address**.
""", ("POST", "/addresses"), ["street", "city", "postal_code", "country"]),
    ("shipping", """### Turn on two-factor authentication
1. Open **Account > Security**.
2. Click **Enable 2FA** and scan the QR code with your authenticator app.
""", None, []),
    ("billing", """## Add your first customer
1. In the dashboard, open **Customers**.
2. Click **+ Add customer**.
3. Enter the **Email** `jo@example.com` and the customer's **Name**.
4. Click **Add customer**.
""", ("POST", "/v1/customers"), ["email", "name"]),
    ("billing", """## Email an invoice
1. Open **Invoices** and click the draft invoice.
2. Click **Send invoice**.
""", ("POST", "/v1/invoices/{invoice}/send"), ["invoice"]),
    ("billing", """## Delete a test customer
1. Open **Customers** and click the customer.
2. Click **•••** and choose **Delete customer**.
""", ("DELETE", "/v1/customers/{customer}"), ["customer"]),
    ("billing", """## Switch the dashboard to dark mode
1. Click the gear icon and open **Appearance**.
2. Choose **Dark** and click **Save**.
""", None, []),
]


@pytest.fixture(scope="module")
def specs():
    return {"tickets": load_spec(json.dumps(TICKETS), name="trackly.json"),
            "shipping": load_spec(SHIPPING_YAML, name="shipfast.yaml"),
            "billing": load_spec(BILLING_YAML, name="payly.yaml")}


#: these mini specs have a dozen operations; the calibrated model (trained on real specs of hundreds)
#: is less sure on them, so grounding is checked at this threshold, and the default one only for
#: never emitting a wrong call (its precision on real specs: benchmarks/actions_bench.py)
RULES_THRESHOLD = 0.5


def _run(specs, threshold=RULES_THRESHOLD):
    rows = []
    for product, md, expected, params in CASES:
        result = rewrite(md, specs[product], threshold=threshold)
        assert len(result.tasks) == 1, md
        rows.append((result.tasks[0], expected, params))
    return rows


def test_every_task_grounded_or_abstained_correctly(specs):
    for task, expected, _params in _run(specs):
        got = (task.method, task.path) if task.status == "action" else None
        assert got == expected, (task.title, got, expected, task.candidates)


def test_scores_meet_the_targets(specs):
    rows = _run(specs)
    positives = [r for r in rows if r[1]]
    emitted = [r for r in rows if r[0].status == "action"]
    correct = [r for r in emitted if r[1] == (r[0].method, r[0].path)]
    assert len(correct) / len(positives) >= 0.8
    assert len(correct) / len(emitted) >= 0.9
    assert all(r[0].status == "manual" for r in rows if r[1] is None)
    recalls = [sum(1 for p in r[2] if p in r[0].parameters) / len(r[2]) for r in correct if r[2]]
    assert sum(recalls) / len(recalls) >= 0.8


def test_the_default_threshold_never_emits_a_wrong_call(specs):
    rows = _run(specs, threshold=None)
    emitted = [r for r in rows if r[0].status == "action"]
    assert emitted, "the default threshold should still emit the clear cases"
    assert all(r[1] == (r[0].method, r[0].path) for r in emitted), [(r[0].title, r[0].path) for r in emitted]


def test_auth_and_base_url_per_spec_style(specs):
    rows = {t.title: t for t, _e, _p in _run(specs)}
    assert 'Authorization: Bearer $TRACKLY_TOKEN' in rows["File a bug"].curl
    assert "https://api.trackly.test/v2/projects/$PROJECT_ID/issues" in rows["File a bug"].curl
    hook = rows["Get notified when parcels arrive"]
    assert '-H "X-Api-Key: $SHIPFAST_API_KEY"' in hook.curl
    assert '"https://api.shipfast.test/v1/webhooks"' in hook.curl
    assert hook.parameters["url"] == "https://shop.example.com/hooks/shipfast"
    assert hook.parameters["events"] == ["shipment.delivered"]
    customer = rows["Add your first customer"]
    assert '-u "$PAYLY_API_KEY:"' in customer.curl
    assert '--data-urlencode "email=jo@example.com"' in customer.curl
    assert customer.parameters["email"] == "jo@example.com"
    invite = rows["Invite a teammate"]
    assert invite.parameters["role"] == "editor"
    assert invite.parameters["email"] == "ana@example.com"
