# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTPS for the simulator: a throw-away CA, made with trustme, and a server certificate it issued."""

import os
import shutil
import tempfile

import trustme
from cheroot.ssl.builtin import BuiltinSSLAdapter

NAMES = ("127.0.0.1", "localhost", "::1")


class ThrowAwayCA:
    """A CA made for one simulator and a certificate it issued for the loopback names.

    cheroot's adapter reads the certificate and its key from files: they live, with the CA's certificate
    for clients to trust, in a temporary directory from ``ssl_adapter()`` to ``remove()``.
    """

    def __init__(self):
        self._ca = trustme.CA()
        self._server = self._ca.issue_cert(*NAMES)
        self.directory = None

    @property
    def ca_path(self):
        """The CA's certificate (PEM) while the files exist, else None."""
        return None if self.directory is None else os.path.join(self.directory, "ca.pem")

    def ssl_adapter(self):
        """Write the files to a new temporary directory; returns cheroot's SSL adapter serving the certificate."""
        self.directory = tempfile.mkdtemp(prefix="xapi-simulator-tls-")
        certificate, key = os.path.join(self.directory, "server.pem"), os.path.join(self.directory, "server-key.pem")
        self._ca.cert_pem.write_to_path(self.ca_path)
        for pem in self._server.cert_chain_pems:
            pem.write_to_path(certificate, append=True)
        self._server.private_key_pem.write_to_path(key)
        return BuiltinSSLAdapter(certificate, key)

    def remove(self):
        """Delete the files."""
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
