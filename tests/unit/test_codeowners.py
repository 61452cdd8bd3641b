"""CODEOWNERS patterns as GitHub documents them (the examples of its CODEOWNERS page)."""

from __future__ import annotations

import pytest

from bakepy.loaders.codeowners import owners_of, parse_codeowners

FILE = """\
# comment
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
"""


@pytest.mark.parametrize(
    ("path", "owners"),
    [
        ("README.md", ("@global-owner1", "@global-owner2")),
        ("src/app.js", ("@js-owner",)),
        ("main.go", ("docs@example.com",)),
        ("notes/a.txt", ("@octo-org/octocats",)),
        ("build/logs/x.log", ("@octocat",)),  # **/logs, later, wins over /build/logs/
        ("docs/getting-started.md", ("@doctocat",)),
        ("docs/build-app/troubleshooting.md", ("@doctocat",)),
        ("scripts/deploy.sh", ("@doctocat", "@octocat")),
        ("deeply/nested/logs/a", ("@octocat",)),
        ("apps/web/x", ("@octocat",)),
        ("apps/github/x", ()),  # a line with no owners: unowned
    ],
)
def test_github_examples(path: str, owners: tuple[str, ...]) -> None:
    assert owners_of(parse_codeowners(FILE), path) == owners


def test_a_star_at_the_end_stays_in_the_folder() -> None:
    rules = parse_codeowners("docs/* @a\n")
    assert owners_of(rules, "docs/x.md") == ("@a",)
    assert owners_of(rules, "docs/sub/x.md") == ()
