# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a module's real ``main()`` in-process and return its result."""

import json

import pytest
import responses
from ansible.module_utils.testing import patch_module_args
from xapi_simulator import Simulator

PBX = "https://pbx.example.com:5001"
API = PBX + "/xapi/v1"
SECRET = "module-test-secret"
CONNECTION = {"url": PBX, "client_id": "ansible", "client_secret": SECRET}


@pytest.fixture
def pbx():
    """A mocked PBX that grants a token; tests add the XAPI replies they need."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add("POST", PBX + "/connect/token", json={"token_type": "Bearer", "expires_in": 3600, "access_token": "unit-token"})
        yield mock


@pytest.fixture
def run_module(capsys, tmp_path):
    def run(main, args, check_mode=False, diff=False):
        """``args`` override the connection; an arg set to None is left out, as if the task omitted it.

        Each test has a token cache of its own, so that no token outlives it.
        """
        module_args = dict(CONNECTION, token_cache_dir=str(tmp_path / "tokens"), _ansible_check_mode=check_mode,
                           _ansible_diff=diff)
        module_args.update(args)
        module_args = {name: value for name, value in module_args.items() if value is not None}
        with patch_module_args(module_args):
            with pytest.raises(SystemExit):
                main()
        return json.loads(capsys.readouterr().out)

    return run


@pytest.fixture
def sim():
    """The XAPI simulator in-process; pass ``sim_connection(sim)`` as the module's connection."""
    with Simulator(clients={"ansible": SECRET}, records=60) as simulator:
        yield simulator
    assert simulator.violations == []


def sim_connection(simulator):
    return {"url": simulator.url, "client_id": "ansible", "client_secret": SECRET}
