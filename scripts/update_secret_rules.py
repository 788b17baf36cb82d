"""Regenerate ``ingest/transforms/secret_rules.py`` from detect-secrets' regex plugins.

Why a generated file: the token formats of ~25 services are a maintained rule set (Yelp's
detect-secrets, Apache-2.0); copying them by hand would rot, and importing detect-secrets at run time
would add a dependency (with requests and pyyaml) and its per-line scanning, which is far slower
than ours. So its ``RegexBasedDetector`` plugins are read here and written out as plain data, and
what detect-secrets does not have (keywords to prefilter on, which regex group is the secret, rules
we skip and why) is kept in the table below.

Run it after upgrading detect-secrets in any environment (it needs ``requests`` and ``pyyaml``,
which detect-secrets imports), then review the diff and run tests/test_security_secrets.py:

    pip download --no-deps detect-secrets -d /tmp/ds
    python scripts/update_secret_rules.py --wheel /tmp/ds/detect_secrets-*.whl
    # or, with detect-secrets installed:  python scripts/update_secret_rules.py
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "ingest" / "transforms" / "secret_rules.py"

# plugin class -> one entry per regex of its denylist, in order: (rule id, lower-case keywords, secret
# group) or a string saying why the regex is left out. A keyword must occur in the lower-cased text
# before the regex runs (gitleaks' scheme); the group is the part replaced (0: the whole match).
CURATION: dict[str, list[tuple[str, tuple[str, ...], int] | str]] = {
    "ArtifactoryDetector": [
        ("artifactory-api-token", ("akc",), 0),
        "'AP' and 9 letters or digits match ordinary identifiers (APPENDIX01), no keyword to gate on",
    ],
    "AWSKeyDetector": [
        ("aws-access-key-id", ("a3t", "akia", "asia", "abia", "acca"), 0),
        # "aws" alone is in "laws", "draws": the name the regex needs starts "aws" and a separator
        ("aws-secret-access-key", ("aws_", "aws-", "aws.", "awssecret", "awskey", "awsaccess"), 1),
    ],
    "AzureStorageKeyDetector": [("azure-storage-account-key", ("accountkey=",), 0)],
    "BasicAuthDetector": [("url-credentials", ("://",), 1)],
    "CloudantDetector": [("cloudant-credentials", ("cloudant",), 1)] * 4,
    "DiscordBotTokenDetector": [("discord-bot-token", ("discord",), 0)],
    "GitHubTokenDetector": [("github-token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), 0)],
    "GitLabTokenDetector": [
        ("gitlab-token", ("glpat-", "gldt-", "glft-", "glsoat-", "glrt-"), 0),
        ("gitlab-runner-registration-token", ("gr1348941",), 0),
        ("gitlab-ci-build-token", ("glcbt-",), 0),
        ("gitlab-incoming-mail-token", ("glimt-",), 0),
        ("gitlab-trigger-token", ("glptt-",), 0),
        ("gitlab-agent-token", ("glagent-",), 0),
        ("gitlab-oauth-secret", ("gloas-",), 0),
    ],
    # the keywords are the name parts the regex needs, not bare "ibm" (libm) or "secret" (everywhere)
    "IbmCloudIamDetector": [("ibm-cloud-iam-key", ("ibm_cloud", "ibm-cloud", "ibmcloud", "cloud_iam", "cloud-iam",
                                                   "cloudiam", "ibm_iam", "ibm-iam", "ibm_api", "ibm-api", "ibmapi",
                                                   "ibm_key", "ibm-key", "ibm_pass", "ibm_token"), 1)],
    # a bare `secret_key = "<48 hex>"` is the generic rule's; this one needs "cos" or "access" near
    "IbmCosHmacDetector": [("ibm-cos-hmac-secret", ("cos_hmac", "cos-hmac", "coshmac", "cos_secret", "secret_access",
                                                    "secret-access", "secretaccess"), 1)],
    "IPPublicDetector": ["a public IP address is not a credential"],
    "JwtTokenDetector": ["its lazy tail stops before the signature; secrets.py has a JWT rule"],
    "MailchimpDetector": [("mailchimp-api-key", tuple(f"-us{d}" for d in range(10)), 0)],  # its data centre
    "NpmDetector": [("npm-auth-token", ("_authtoken",), 1)],
    "OpenAIDetector": [("openai-api-key", ("t3blbkfj",), 0)],
    "PrivateKeyDetector": ["matches the BEGIN line only; secrets.py redacts the whole key block"] * 8,
    "PypiTokenDetector": [("pypi-token", ("pypi-",), 0)] * 2,
    "SendGridDetector": [("sendgrid-api-key", ("sg.",), 0)],
    "SlackDetector": [("slack-token", ("xox",), 0), ("slack-webhook", ("hooks.slack.com",), 0)],
    "SoftlayerDetector": [("softlayer-api-key", ("softlayer", "sl_api", "sl-api", "slapi", "sl_key", "sl-key",
                                                 "sl_pass", "sl-pass", "sl_pwd", "sl_token", "sl-token"), 1),
                          ("softlayer-api-key", ("api.softlayer.com",), 1)],
    "SquareOAuthDetector": [("square-oauth-secret", ("sq0csp-",), 0)],
    "StripeDetector": [("stripe-key", ("sk_live_", "rk_live_"), 0)],
    # a bot token's secret half starts with "AA"
    "TelegramBotTokenDetector": [("telegram-bot-token", ("telegram", ":aa"), 0)],
    "TwilioKeyDetector": [("twilio-account-sid", ("twilio",), 0), ("twilio-api-key", ("twilio",), 0)],
}


def _load(wheel: str | None):
    if wheel:
        sys.path.insert(0, wheel)  # a pure-Python wheel is a zip Python can import from
    ds = importlib.import_module("detect_secrets")
    import detect_secrets.plugins as plugins
    from detect_secrets.plugins.base import RegexBasedDetector

    found = {}
    for info in pkgutil.iter_modules(plugins.__path__):
        module = importlib.import_module(f"detect_secrets.plugins.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, RegexBasedDetector) and cls is not RegexBasedDetector and cls.__module__ == module.__name__:
                found[name] = list(cls.denylist)
    version = importlib.import_module("detect_secrets.__version__").VERSION
    return ds, version, found


def render(version: str, found: dict[str, list[re.Pattern[str]]]) -> str:
    unknown = sorted(set(found) - set(CURATION))
    if unknown:
        raise SystemExit(f"new detect-secrets plugins, add them to CURATION: {', '.join(unknown)}")
    lines = [
        f'"""Token formats from detect-secrets {version} (https://github.com/Yelp/detect-secrets).',
        "",
        "GENERATED by scripts/update_secret_rules.py: do not edit; change the script's table and rerun it.",
        "Our own rules and the scanning live in secrets.py.",
        "",
        "The regular expressions below are taken from detect-secrets' plugins:",
        "    Copyright 2017-2018 Yelp Inc.",
        "    Licensed under the Apache License, Version 2.0 (the \"License\"); you may not use this file",
        "    except in compliance with the License. A copy is in LICENSES/detect-secrets-Apache-2.0.txt;",
        "    see also http://www.apache.org/licenses/LICENSE-2.0. Distributed on an \"AS IS\" BASIS,",
        "    WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.",
        "Changes: rule ids, keywords and secret groups were added (the script's table); some regexes are",
        "left out, each with its reason below.",
        '"""',
        "",
        f"SOURCE = \"detect-secrets {version}\"",
        "",
        "# (rule id, lower-case keywords (one must occur), regex, re flags, group replaced)",
        "RULES: tuple[tuple[str, tuple[str, ...], str, int, int], ...] = (",
    ]
    for name in sorted(found):
        table = CURATION[name]
        if len(table) != len(found[name]):
            raise SystemExit(f"{name}: {len(found[name])} regexes now, {len(table)} in CURATION")
        for rx, entry in zip(found[name], table, strict=True):
            if isinstance(entry, str):
                lines.append(f"    # {name} regex left out ({entry}) {rx.pattern!r}")
                continue
            rule_id, keywords, group = entry
            if group > rx.groups:
                raise SystemExit(f"{name}: group {group} but the regex has {rx.groups}")
            flags = rx.flags & (re.IGNORECASE | re.VERBOSE | re.MULTILINE | re.DOTALL)
            lines.append(f"    ({rule_id!r}, {keywords!r}, {rx.pattern!r}, {int(flags)}, {group}),  # {name}")
    lines.append(")")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", help="a detect-secrets wheel to read instead of the installed package")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    _ds, version, found = _load(args.wheel)
    Path(args.out).write_text(render(version, found), encoding="utf-8")
    print(f"wrote {args.out} from detect-secrets {version} ({len(found)} plugins)")


if __name__ == "__main__":
    main()
