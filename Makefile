# Every target installs what it needs into .venv (and .venv-oldest) first; a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
# The newest and the oldest ansible-core that meta/runtime.yml's requires_ansible admits and that install on
# Python 3.11. Everything runs on the newest (.venv); the integration tests run on the oldest too (.venv-oldest).
ANSIBLE_CORE_NEWEST := 2.19.14
ANSIBLE_CORE_OLDEST := 2.16.19
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
OLDEST_VENV := .venv-oldest
OLDEST_BIN := $(CURDIR)/$(OLDEST_VENV)/bin
# The collection as ansible-test needs to see it: a copy of the checkout under ansible_collections/threecx/pbx,
# outside the checkout (inside it, ansible-test would take git's word that the ignored copy holds no files).
SANITY_TREE := $(or $(TMPDIR),/tmp)/threecx-pbx-sanity/ansible_collections/threecx/pbx
# ansible-test bootstraps pip in its virtual environments with a get-pip script it downloads from a host
# outside the package index; its cache is seeded with tests/tools/offline_get_pip.py instead.
ANSIBLE_TEST_GET_PIP := $(HOME)/.ansible/test/cache/get_pip_24_2.py

.PHONY: test unit integration integration-newest integration-oldest sanity demo simulator clean

test: unit integration sanity lint

# A virtual environment with the test requirements and one ansible-core: $(call make_venv,DIR,VERSION).
define make_venv
	rm -rf $(1)
	$(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt ansible-core==$(2)
	touch $(1)/.installed
endef

$(VENV)/.installed: tests/requirements.txt
	$(call make_venv,$(VENV),$(ANSIBLE_CORE_NEWEST))

$(OLDEST_VENV)/.installed: tests/requirements.txt
	$(call make_venv,$(OLDEST_VENV),$(ANSIBLE_CORE_OLDEST))

unit: $(VENV)/.installed
	$(BIN)/pytest tests/unit tests/simulator

integration: integration-newest integration-oldest

integration-newest: $(VENV)/.installed
	PATH="$(BIN):$$PATH" $(BIN)/pytest -n 2 tests/integration

# The run on the oldest ansible-core is also the "other modes" run: the simulator's switches (see the docstring of
# tests/xapi_simulator) take their values other than the defaults, which the newest run keeps, so that the collection
# is tested under every reading of what a real PBX does. The scenarios dedicated tests set up stay off here: token
# throttling, and how long a backup takes and how it ends.
# A switch of three values takes the most hostile of the other two: the one under which a mistake goes unnoticed.
OTHER_MODES := over_top=clamp duplicate_number_across_types=allow create_user_minimal=require_number number_change=ignore \
	duplicate_email=allow duplicate_group_name=allow displayname_format=first_last create_response=doc_subset \
	membership_rights_omitted=reject_required user_groups_empty=no_department group_members_patch=replace_extensions_only \
	primary_group_requires_membership=accept_and_add favorites_groups=off group_delete=cascade batch_param_case=strict_spec \
	undeletable_users=101 user_delete_cascade=keep_deviceinfo_assigned secrets_in_default_projection=off \
	can_create_backup_while_running=true backup_download_auth=bearer_required

integration-oldest: $(OLDEST_VENV)/.installed
	XAPI_SIM_SWITCHES="$(OTHER_MODES)" PATH="$(OLDEST_BIN):$$PATH" $(OLDEST_BIN)/pytest -n 2 tests/integration

sanity: $(VENV)/.installed
	rm -rf $(SANITY_TREE)
	mkdir -p $(SANITY_TREE)
	git ls-files --cached --others --exclude-standard -z | xargs -0 cp --parents -t $(SANITY_TREE)
	test -f $(ANSIBLE_TEST_GET_PIP) || install -D -m 0644 tests/tools/offline_get_pip.py $(ANSIBLE_TEST_GET_PIP)
	cd $(SANITY_TREE) && PATH="$(BIN):$$PATH" $(BIN)/ansible-test sanity --python 3.11 --color no

demo: $(VENV)/.installed
	PATH="$(BIN):$$PATH" $(BIN)/python tests/tools/demo.py

simulator: $(VENV)/.installed
	PYTHONPATH=tests $(BIN)/python -m xapi_simulator --port $(or $(PORT),8090)

clean:
	rm -rf $(VENV) $(OLDEST_VENV) build collections tests/output .pytest_cache

# ansible-lint (settings in .ansible-lint), antsibull-docs and antsibull-changelog, offline. The first two look for
# the collection under ansible_collections/threecx/pbx: a symlink to this checkout, one per checkout.
LINT_TREE := $(or $(TMPDIR),/tmp)/threecx-pbx-lint/$(subst /,_,$(CURDIR))
LINT_COLLECTION := $(LINT_TREE)/ansible_collections/threecx/pbx

$(VENV)/.lint-installed: $(VENV)/.installed tests/requirements-lint.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt \
	  -r tests/requirements-lint.txt ansible-core==$(ANSIBLE_CORE_NEWEST)
	touch $@

.PHONY: lint
lint: $(VENV)/.lint-installed
	mkdir -p $(dir $(LINT_COLLECTION))
	ln -sfn $(CURDIR) $(LINT_COLLECTION)
	PATH="$(BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH=$(LINT_TREE) $(BIN)/ansible-lint --nocolor
	PATH="$(BIN):$$PATH" $(BIN)/antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs dependent $(LINT_COLLECTION)
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

# The delete benchmark (benchmarks/, not part of `make test`): about eight minutes against the lean server; results in benchmarks/results/.
# Options through BENCH_ARGS, e.g. make bench BENCH_ARGS="--quick" (`python -m benchmarks --help` lists them).
$(VENV)/.bench-installed: $(VENV)/.installed benchmarks/requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
	touch $@

.PHONY: bench
bench: $(VENV)/.bench-installed
	PATH="$(BIN):$$PATH" $(BIN)/python -m benchmarks $(BENCH_ARGS)
