# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stand-in for the ``get-pip.py`` that ansible-test downloads to bootstrap pip in its virtual environments.

ansible-test fetches that script from a host that air-gapped machines cannot reach. The Makefile copies this
file into ansible-test's cache instead: it runs pip from the wheel bundled with CPython's ``ensurepip`` to
install the pip version ansible-test asks for (from the package index, as every other requirement).
"""

import glob
import os
import sys

import ensurepip


def main():
    wheels = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl"))
    if not wheels:
        sys.exit("offline get-pip: this Python has no bundled pip wheel in ensurepip")
    sys.path.insert(0, wheels[0])
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    arguments = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
    sys.exit(pip_main(["install", "--upgrade", "--force-reinstall"] + arguments))


if __name__ == "__main__":
    main()
