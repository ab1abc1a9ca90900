# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The changelog: fragments that antsibull-changelog accepts, and one for every change to the content."""

import importlib.util
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = importlib.util.spec_from_file_location("check_fragments", os.path.join(REPO, "tests", "tools", "check_fragments.py"))
check_fragments = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(check_fragments)


def antsibull_changelog(*args):
    """Run antsibull-changelog in the repository and return the finished process."""
    return subprocess.run([sys.executable, "-m", "antsibull_changelog"] + list(args), cwd=REPO,
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("args", [["lint"], ["lint-changelog-yaml", "changelogs/changelog.yaml"]])
def test_antsibull_changelog_accepts_the_changelog(args):
    run = antsibull_changelog(*args)
    assert run.returncode == 0 and not run.stdout.strip(), run.stdout + run.stderr


def test_every_change_to_the_content_has_a_fragment():
    try:
        top = check_fragments.git(REPO, "rev-parse", "--show-toplevel").strip()
    except (OSError, subprocess.CalledProcessError):
        top = None
    if top is None or os.path.realpath(top) != os.path.realpath(REPO):
        pytest.skip("not a git checkout of the collection")
    assert check_fragments.main([REPO]) == 0


class Repo:
    """A throw-away git repository, for checking the checker."""

    def __init__(self, path):
        self.path = str(path)
        self.git("init", "--quiet", "--initial-branch=main")

    def git(self, *args):
        return check_fragments.git(self.path, *args)

    def write(self, *names):
        for name in names:
            path = os.path.join(self.path, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "a", encoding="utf-8") as handle:
                handle.write("changed\n")

    def commit(self, *names, message="change"):
        self.write(*names)
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "--message", message)

    def problems(self):
        return check_fragments.problems(self.path)

    def unrecorded(self):
        """The subjects of the commits reported as changes without a fragment."""
        return [line.split(" ", 2)[2] for line in self.problems()]


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository whose first commit, a release, records everything before it."""
    for variable in ("GIT_AUTHOR", "GIT_COMMITTER"):
        monkeypatch.setenv(variable + "_NAME", "Test")
        monkeypatch.setenv(variable + "_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    created = Repo(tmp_path)
    created.commit("plugins/modules/thing.py", "changelogs/changelog.yaml", "changelogs/fragments/.keep",
                   message="Release 1.0.0")
    return created


def test_a_change_with_its_fragment_passes(repo):
    repo.commit("plugins/modules/thing.py", "changelogs/fragments/thing-option.yml")
    assert repo.problems() == []


def test_a_change_without_a_fragment_fails_and_is_named(repo, capsys):
    repo.commit("roles/cleanup/tasks/main.yml", message="Cleanup role: a new step")
    assert repo.unrecorded() == ["Cleanup role: a new step"]
    assert check_fragments.main([repo.path]) == 1
    assert "Cleanup role: a new step" in capsys.readouterr().out


def test_an_earlier_fragment_does_not_cover_a_later_change(repo):
    repo.commit("plugins/modules/thing.py", "changelogs/fragments/first.yml", message="first")
    repo.commit("playbooks/run.yml", message="second")
    assert repo.unrecorded() == ["second"]


def test_a_fragment_in_a_later_commit_covers_the_changes_before_it(repo):
    repo.commit("plugins/modules/thing.py", message="first")
    repo.commit("plugins/filter/other.py", message="second")
    repo.commit("changelogs/fragments/both.yml", message="fragment")
    assert repo.problems() == []


def test_changes_outside_the_content_need_no_fragment(repo):
    repo.commit("README.md", "tests/unit/test_thing.py", "changelogs/fragments/.keep")
    assert repo.problems() == []


def test_a_release_records_the_changes_before_it(repo):
    repo.commit("plugins/modules/thing.py", "changelogs/fragments/thing.yml")
    repo.commit("plugins/modules/thing.py", message="unrecorded")
    os.remove(os.path.join(repo.path, "changelogs/fragments/thing.yml"))
    repo.commit("changelogs/changelog.yaml", "CHANGELOG.rst", message="Release 1.1.0")
    assert repo.problems() == []


def test_deleting_a_fragment_records_nothing(repo):
    repo.commit("plugins/modules/thing.py", "changelogs/fragments/thing.yml", message="first")
    repo.commit("plugins/modules/thing.py", message="second")
    os.remove(os.path.join(repo.path, "changelogs/fragments/thing.yml"))
    repo.commit(message="drop the fragment")
    assert repo.unrecorded() == ["second"]


def test_a_merged_branch_without_a_fragment_fails(repo):
    repo.git("checkout", "--quiet", "-b", "feature")
    repo.commit("plugins/modules/feature.py", message="on the branch")
    repo.git("checkout", "--quiet", "main")
    repo.commit("plugins/modules/thing.py", "changelogs/fragments/main.yml", message="on main, later")
    repo.git("merge", "--quiet", "--no-edit", "feature")
    assert repo.unrecorded() == ["on the branch"]


def test_uncommitted_changes_need_an_uncommitted_fragment(repo):
    repo.write("plugins/modules/thing.py")
    assert repo.problems() == ["plugins/modules/thing.py (not committed)"]
    repo.write("changelogs/fragments/thing.yml")
    assert repo.problems() == []


def test_an_uncommitted_fragment_covers_committed_changes(repo):
    repo.commit("plugins/modules/thing.py", message="committed")
    repo.write("changelogs/fragments/thing.yml")
    assert repo.problems() == []


def test_a_repository_without_commits_has_nothing_to_record(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    assert Repo(tmp_path).problems() == []
