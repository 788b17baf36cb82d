"""Secret redaction over a real git repo with ~40 kinds of planted, well-formed credentials.

Every value is built at run time from random parts (a seeded generator), so neither this file nor
a digest of this repository holds anything a scanner would flag. The planted repo is digested with
``--hidden --convert-pdfs``; no planted value may appear anywhere in the rendered digest (contents,
tree, headers, report), and ordinary code that merely looks like assignments of keys, lockfile
hashes and UUIDs must come through unchanged.
"""

from __future__ import annotations

import base64
import random
import string
import subprocess
from pathlib import Path

import pytest
from llmingest import ingest, render
from llmingest.cli import app
from llmingest.transforms.secrets import find, redact_path
from typer.testing import CliRunner

RNG = random.Random(12)
UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
PEM_BEGIN, PEM_END = "-----BEGIN " + "PRIVATE KEY-----", "-----END " + "PRIVATE KEY-----"


def rnd(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(cwd), "-c", "user.name=T", "-c", "user.email=t@example.invalid", *args],
                   check=True, capture_output=True)


def pdf_with(text: str) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), text, fontsize=9)
    return doc.tobytes()


def planted() -> tuple[dict[str, str], dict[str, str]]:
    """(secret name -> value, file -> content): every kind the digest must redact."""
    s = {
        "aws_key_id": "AK" + "IA" + rnd(UPPER_DIGITS, 16),
        "aws_secret_py": rnd(B64, 40),
        "aws_secret_yaml": rnd(B64, 40),  # issue 12: unquoted YAML
        "aws_session": "FwoGZXIvYXdzE" + rnd(B64, 300),  # issue 12: AWS_SESSION_TOKEN export
        "ghp": "gh" + "p_" + rnd(ALNUM, 36),
        "github_pat": "github" + "_pat_" + rnd(ALNUM, 22) + "_" + rnd(ALNUM, 59),
        "glpat": "gl" + "pat-" + rnd(ALNUM, 20),
        "gitlab_runner": "GR13" + "48941" + rnd(ALNUM, 20),
        "slack_bot": "xo" + "xb-" + rnd("0123456789", 12) + "-" + rnd("0123456789", 13) + "-" + rnd(ALNUM, 24),
        "slack_hook": "https://hooks.slack" + ".com/services/T" + rnd(UPPER_DIGITS, 8) + "/B" + rnd(UPPER_DIGITS, 8) + "/" + rnd(ALNUM, 24),
        "stripe": "sk" + "_live_" + rnd(ALNUM, 24),
        "stripe_rk": "rk" + "_live_" + rnd(ALNUM, 24),
        "stripe_long": "sk" + "_live_" + rnd(ALNUM, 99),  # today's length; detect-secrets' rule takes 24
        "google": "AI" + "za" + rnd(ALNUM + "_-", 35),
        "anthropic": "sk-" + "ant-api03-" + rnd(ALNUM, 93) + "AA",
        "openai": "sk-" + "proj-" + rnd(ALNUM, 48),
        "npm": "np" + "m_" + rnd(ALNUM, 36),
        "npmrc": "np" + "m_" + rnd(ALNUM, 36),
        "pypi": "pyp" + "i-AgEIcHlwaS5vcmc" + rnd(ALNUM, 80),
        "jwt": "ey" + "J" + rnd(ALNUM, 30) + ".ey" + "J" + rnd(ALNUM, 40) + "." + rnd(ALNUM + "_-", 43),
        "db_url_pw": rnd(ALNUM, 18),
        "pem_body": "MIIEvQIBADAN" + "BgkqhkiG9w0BAQEFAASC" + rnd(B64, 120),
        "sendgrid": "SG" + "." + rnd(ALNUM, 22) + "." + rnd(ALNUM, 43),  # issue 12
        "twilio_export": "S" + "K" + rnd(HEX, 32),  # issue 12: export
        "twilio_yaml": "A" + "C" + rnd(HEX, 32),  # issue 12: unquoted YAML
        "azure": rnd(B64, 86) + "==",  # issue 12: AccountKey
        "yaml_password": "pR7" + rnd(ALNUM, 13),  # issue 12: unquoted YAML password
        "datadog": rnd(HEX, 32),  # issue 12: compose file
        "telegram_bot": rnd("123456789", 9) + ":AA" + rnd(ALNUM + "_-", 33),  # issue 12
        "docker_auth": base64.b64encode(("robot:" + rnd(ALNUM, 20)).encode()).decode(),  # issue 12
        "readme_bearer": rnd(ALNUM, 40),  # issue 12: README curl
        "file_name_pat": "gh" + "p_" + rnd(ALNUM, 36),  # issue 12: in a file name
        "pdf_pat": "gh" + "p_" + rnd(ALNUM, 36),  # issue 12: inside a PDF
        "env_value": rnd(ALNUM, 24),
        "mailchimp": rnd(HEX, 32) + "-us" + "6",
        "square": "sq" + "0csp-" + rnd(ALNUM, 43),
        "discord": "M" + rnd(ALNUM, 23) + "." + rnd(ALNUM, 6) + "." + rnd(ALNUM, 27),
        "generic_py": "Tr0" + rnd(ALNUM, 14),
        "generic_json": rnd(HEX, 32),
        "artifactory": "AK" + "Cp" + rnd(ALNUM, 69),
        "ini_secret": "x9" + rnd(ALNUM, 30),
        "basic_header": base64.b64encode(("admin:" + rnd(ALNUM, 16)).encode()).decode(),
        "commit_msg_token": "gh" + "p_" + rnd(ALNUM, 36),
    }
    files = {
        "src/config.py": f'AWS_ACCESS_KEY_ID = "{s["aws_key_id"]}"\naws_secret_access_key = "{s["aws_secret_py"]}"\n'
                         f'GITHUB = "{s["ghp"]}"\nFINE = "{s["github_pat"]}"\ndb_password = "{s["generic_py"]}"\n'
                         f'STRIPE = "{s["stripe"]}"\nSTRIPE_NEW = "{s["stripe_long"]}"\nRESTRICTED = "{s["stripe_rk"]}"\nMAPS = "{s["google"]}"\n'
                         f'CLAUDE = "{s["anthropic"]}"\nOPENAI = "{s["openai"]}"\nJWT = "{s["jwt"]}"\n'
                         f'DATABASE_URL = "postgres://app:{s["db_url_pw"]}@db.internal:5432/app"\n'
                         f'MAILCHIMP = "{s["mailchimp"]}"\n'
                         f'SQUARE = "{s["square"]}"\nDISCORD_TOKEN = "{s["discord"]}"\nARTIFACTORY = "{s["artifactory"]}"\n',
        "ci/gitlab.env.sh": f'export GITLAB_TOKEN={s["glpat"]}\nexport RUNNER={s["gitlab_runner"]}\n'
                            f'export NPM_TOKEN={s["npm"]}\nexport PYPI_TOKEN={s["pypi"]}\n',
        "deploy/aws.yml": f'aws:\n  access_key_id: {s["aws_key_id"]}\n  secret_access_key: {s["aws_secret_yaml"]}\n',
        "deploy/bot.yml": f'telegram:\n  bot_token: {s["telegram_bot"]}\n',
        "deploy/session.sh": f'#!/bin/sh\nexport AWS_SESSION_TOKEN={s["aws_session"]}\naws s3 ls\n',
        "deploy/twilio.sh": f'export TWILIO_API_KEY={s["twilio_export"]}\n',
        "deploy/twilio.yml": f'twilio:\n  account_sid: {s["twilio_yaml"]}\n',
        "deploy/app.yaml": f'database:\n  user: app\n  password: {s["yaml_password"]}\n',
        "docker-compose.yml": f'services:\n  agent:\n    image: datadog/agent\n    environment:\n'
                              f'      - DD_API_KEY={s["datadog"]}\n',
        "src/mail.js": f'const sg = require("@sendgrid/mail");\nsg.setApiKey("{s["sendgrid"]}");\n',
        "src/storage.cs": f'var conn = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={s["azure"]};'
                          f'EndpointSuffix=core.windows.net";\n',
        "src/slack.py": f'BOT = "{s["slack_bot"]}"\nHOOK = "{s["slack_hook"]}"\n',
        "src/settings.json": f'{{"name": "svc", "api_key": "{s["generic_json"]}"}}\n',
        "conf/app.ini": f'[auth]\nsecret_key = {s["ini_secret"]}\n',
        "conf/request.http": f'GET /admin HTTP/1.1\nAuthorization: Basic {s["basic_header"]}\n',
        "keys/id_rsa": f'{PEM_BEGIN}\n{s["pem_body"]}\n{PEM_END}\n',
        "README.md": f'# Svc\n\n```sh\ncurl -H "Authorization: Bearer {s["readme_bearer"]}" https://api.example.com/v1/me\n```\n',
        ".docker/config.json": f'{{\n  "auths": {{\n    "https://index.docker.io/v1/": {{\n      "auth": "{s["docker_auth"]}"\n'
                               f'    }}\n  }}\n}}\n',
        ".npmrc": f'//registry.npmjs.org/:_authToken={s["npmrc"]}\n',
        ".env": f'SERVICE_KEY={s["env_value"]}\n',
        f'backups/{s["file_name_pat"]}.txt': "old token backup\n",
    }
    return s, files


ORDINARY = {  # code and data that must come through unchanged
    "lib/tokens.py": 'import tokenize, getpass, os\n\ndef run(readline):\n    token = tokenize.generate_tokens(readline)\n'
                     '    password = getpass.getpass()\n    secret = os.urandom(16)\n    api_key = os.environ["API_KEY"]\n'
                     '    SECRET_KEY_LENGTH = 32\n    token_type = "bearer"\n    return token, password, secret, api_key\n',
    "poetry.lock": '[[package]]\nname = "idna"\nfiles = [\n    {file = "idna-3.7.tar.gz", '
                   'hash = "sha256:028ff3aadf0609c1fd278d8ea3089299412a7a8b9bd005dd08b9f8285bcb5cfc"},\n]\n',
    "lib/ids.py": 'REQUEST_ID = "550e8400-e29b-41d4-a716-446655440000"\nCOMMIT = "97342a0c1f2e3d4b5a69788796a5b4c3d2e1f000"\n'
                  'CHECKSUM = "d41d8cd98f00b204e9800998ecf8427e"\n',
    "deploy/ci.yml": 'env:\n  password: ${DB_PASSWORD}\n  token: "{{ secrets.DEPLOY_TOKEN }}"\n  api_key: changeme\n'
                     '  GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n',
    "web/package-lock.json": '{"packages": {"node_modules/ms": {"version": "2.1.3", "resolved": '
                             '"https://registry.npmjs.org/ms/-/ms-2.1.3.tgz", "integrity": '
                             '"sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA=="}}}\n',
    "docs/api.md": '```sh\ncurl -H "Authorization: Bearer $API_TOKEN" https://api.example.com/v1/me\n'
                   'curl -H "Authorization: Bearer YOUR_ACCESS_TOKEN_HERE" https://api.example.com/v1/me\n```\n',
}


@pytest.fixture(scope="module")
def planted_repo(tmp_path_factory) -> tuple[dict[str, str], Path]:
    root = tmp_path_factory.mktemp("planted") / "svc"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    secrets, files = planted()
    for rel, content in {**files, **ORDINARY}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "handbook.pdf").write_bytes(pdf_with(f"Use the token {secrets['pdf_pat']} for the CI mirror."))
    git(root, "add", "-A", "-f")
    git(root, "commit", "-q", "-m", f"rotate key {secrets['commit_msg_token']}")
    return secrets, root


@pytest.fixture(scope="module")
def digest(planted_repo) -> tuple[dict[str, str], str]:
    secrets, root = planted_repo
    bundle = ingest(str(root), cache=False, hidden=True, convert_pdfs=True, git_log=5, default_ignores=False)
    text = "\n".join(render(bundle, fmt) for fmt in ("markdown", "xml", "plain", "json"))
    assert "handbook.pdf" in text and "Use the token" in text  # the PDF was converted and is in the digest
    return secrets, text


def test_no_planted_secret_reaches_the_digest(digest) -> None:
    secrets, text = digest
    leaked = sorted(name for name, value in secrets.items() if value in text)
    assert leaked == []
    assert len(secrets) >= 40


@pytest.mark.parametrize("name", ["aws_secret_yaml", "aws_session", "sendgrid", "twilio_export", "twilio_yaml",
                                  "azure", "yaml_password", "datadog", "telegram_bot", "docker_auth",
                                  "readme_bearer", "file_name_pat", "pdf_pat"])
def test_the_kinds_issue_12_found_missing_are_redacted(digest, name: str) -> None:
    secrets, text = digest
    assert secrets[name] not in text


def test_the_cli_digest_holds_no_planted_secret(planted_repo, tmp_path: Path) -> None:
    secrets, root = planted_repo
    out = tmp_path / "digest.md"
    result = CliRunner().invoke(app, ["repo", str(root), "--hidden", "--convert-pdfs", "--no-default-ignores",
                                      "--git-log", "5", "--no-cache", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "## Redacted secrets" in text and "handbook.pdf" in text
    assert sorted(name for name, value in secrets.items() if value in text) == []


def test_a_token_in_a_file_name_is_replaced_in_the_tree(digest) -> None:
    _secrets, text = digest
    assert "backups/[REDACTED:github-token].txt" in text or "[REDACTED:github-token].txt" in text


def test_ordinary_code_hashes_and_uuids_are_kept(digest) -> None:
    _secrets, text = digest
    for content in ORDINARY.values():
        for line in content.splitlines():
            assert line.strip() in text, line


def test_placeholders_and_references_are_not_secrets() -> None:
    for path, text in [("ci.yml", "password: ${DB_PASSWORD}\n"), ("a.py", 'token = "{{ secrets.X }}"\n'),
                       ("a.yaml", "api_key: changeme\n"), ("a.py", "token = tokenize.generate_tokens(readline)\n"),
                       ("a.py", 'url = "http://user:pass@example.com/"\n')]:
        assert find(path, text) == [], (path, text)


def test_redact_path_only_touches_tokens() -> None:
    token = "gh" + "p_" + rnd(ALNUM, 36)
    assert redact_path(f"a/{token}.txt") == ("a/[REDACTED:github-token].txt", ["github-token"])
    assert redact_path("src/secret_key_handling.py") == ("src/secret_key_handling.py", [])


def test_the_keyword_prefilter_finds_every_occurrence_of_every_keyword() -> None:
    """The few anchored passes must say exactly what one substring search per keyword would: which
    rules may match, and every place of every keyword, overlapping ones too ("secretoken",
    "-us1-us2", a keyword at the very end of the text)."""
    import sys

    secrets = sys.modules[find.__module__]  # the module, wherever the layout puts it
    keywords = sorted(secrets._BY_KEYWORD)
    assert {kw for kws in secrets._ANCHORS.values() for kw, _ in kws} == set(keywords)  # every one is searched
    rng = random.Random(5)
    noise = string.ascii_lowercase + string.digits + "_-.:/=\" \n"
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 10)):
            kw = rng.choice(keywords)
            parts.append(rng.choice([kw, kw, kw[: rng.randint(1, len(kw))], kw[rng.randint(0, len(kw) - 1):],
                                     "".join(rng.choice(noise) for _ in range(rng.randint(0, 5)))]))
        text = "".join(parts)
        expected: dict[str, list[int]] = {}
        for kw in keywords:
            at = text.find(kw)
            while at != -1:
                expected.setdefault(kw, []).append(at)
                at = text.find(kw, at + 1)
        rules, found = secrets._keywords(text)
        assert {kw: sorted(places) for kw, places in found.items()} == expected, text
        assert rules == sorted({i for kw in expected for i in secrets._BY_KEYWORD[kw]}), text
