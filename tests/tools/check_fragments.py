# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fail when the collection's content changed without a changelog fragment.

A commit that changes ``plugins/``, ``roles/`` or ``playbooks/`` needs a record in the same or a later commit:
a fragment added or edited in ``changelogs/fragments/``, or a release (a change to
``changelogs/changelog.yaml``). Before committing, such a file in the working tree counts too. A change that
users do not notice takes a ``trivial`` fragment. Git tags play no part, so a clone without tags is checked all
the same; in a shallow clone the oldest commit present counts as recorded.

    python tests/tools/check_fragments.py [REPOSITORY]
"""

import os
import subprocess
import sys

CONTENT = ("plugins", "roles", "playbooks")
FRAGMENTS = "changelogs/fragments"
RELEASES = "changelogs/changelog.yaml"
ADVICE = ("Add a fragment such as changelogs/fragments/<topic>.yml with a section of changelogs/config.yaml "
          "(minor_changes, bugfixes, ...; trivial for a change users do not notice), then run "
          "`antsibull-changelog lint`.")


def git(repo, *args):
    """Run git in ``repo`` and return its output."""
    return subprocess.run(["git", "-C", repo] + list(args), check=True, capture_output=True, text=True).stdout


def is_record(path, status):
    """Whether a file with this git status records changes: a fragment added or edited, or a release."""
    if path == RELEASES:
        return True
    return status != "D" and os.path.dirname(path) == FRAGMENTS and path.endswith((".yml", ".yaml"))


def recording_commits(repo):
    """The commits that add or edit a fragment or change the releases."""
    log = git(repo, "log", "--format=%x00%H", "--name-status", "--no-renames", "--full-history", "--no-merges",
              "HEAD", "--", "changelogs")
    commits = []
    for entry in log.split("\0")[1:]:
        lines = entry.splitlines()
        changes = [line.split("\t", 1) for line in lines[1:] if line]
        if any(is_record(path, status) for status, path in changes):
            commits.append(lines[0])
    return commits


def unrecorded_commits(repo):
    """``<sha> <subject>`` of the commits that change the content and that no recording commit follows."""
    if not git(repo, "rev-list", "--max-count=1", "--all"):
        return []
    return git(repo, "log", "--format=%h %s", "--full-history", "--no-merges", "HEAD",
               "--not", *recording_commits(repo), "--", *CONTENT).splitlines()


def working_tree(repo):
    """The uncommitted changes to the content, and whether an uncommitted record is among the changes."""
    status = git(repo, "status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all",
                 "--", "changelogs", *CONTENT)
    content, recorded = [], False
    for entry in filter(None, status.split("\0")):
        code, path = entry[:2], entry[3:]
        if path.startswith(tuple(name + "/" for name in CONTENT)):
            content.append(path)
        recorded = recorded or is_record(path, "D" if "D" in code else "M")
    return content, recorded


def problems(repo):
    """What changed without a fragment, one line each; empty when everything is recorded."""
    content, recorded = working_tree(repo)
    if recorded:
        return []
    return (["commit " + line for line in unrecorded_commits(repo)]
            + [path + " (not committed)" for path in content])


def main(argv=None):
    """Check the repository named on the command line, or the one of the current directory."""
    args = sys.argv[1:] if argv is None else argv
    found = problems(args[0] if args else ".")
    if not found:
        return 0
    print("Changes to %s without a changelog fragment:" % ", ".join(name + "/" for name in CONTENT))
    print("".join("  %s\n" % line for line in found) + ADVICE)
    return 1


if __name__ == "__main__":
    sys.exit(main())
