# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""An access token shared by the module runs of one user. Private to the threecx.pbx collection: no stable API.

3CX keeps one valid token per API client: a newly issued one makes the previous one fail with 401. Module
runs at the same time with the same client (``forks`` over hosts that share a PBX, or two playbooks) would
log each other out if each fetched its own. So they share one, through a file per PBX URL and client id:

- the file holds the token, its expiry, and a salted hash of the client secret, never the secret itself; a
  run whose secret does not match that hash does not use the cached token: it asks the PBX for one with its
  own secret, so that a wrong secret fails as it should instead of riding on another run's token;
- fetching is serialised by an exclusive lock on a file beside it, so that runs which find no usable token
  wait for the one that fetches, instead of each fetching and superseding the others';
- the directory is created 0700, the files 0600.

The trade-off: a bearer token (valid an hour at most) rests on disk in the user's home for its lifetime, as
readable as the user's own Ansible files. ``token_cache: false`` turns the sharing off.
"""

import fcntl
import hashlib
import json
import os
from contextlib import contextmanager

_HASH_ITERATIONS = 20000


def _secret_hash(secret, salt):
    return hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), bytes.fromhex(salt), _HASH_ITERATIONS).hex()


class TokenCache:
    """The cached token of one PBX URL and client id, in ``directory``."""

    def __init__(self, directory, url, client_id, client_secret):
        key = hashlib.sha256(("%s\n%s" % (url, client_id)).encode("utf-8")).hexdigest()[:40]
        self.directory = os.path.expanduser(directory)
        self.path = os.path.join(self.directory, key + ".json")
        self._lock_path = os.path.join(self.directory, key + ".lock")
        self._secret = client_secret

    @contextmanager
    def locked(self):
        """Hold the exclusive lock of this URL and client id (other processes wait)."""
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        descriptor = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    def read(self):
        """``(token, expires_at)`` (wall-clock seconds) if a token for this secret is cached, else None."""
        try:
            with open(self.path, encoding="utf-8") as stream:
                entry = json.load(stream)
            if entry["secret_hash"] != _secret_hash(self._secret, entry["salt"]):
                return None
            return entry["token"], float(entry["expires_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, token, expires_at):
        """Store ``token`` (atomically: readers see the old entry or the new one, never half of one)."""
        salt = os.urandom(16).hex()
        entry = {"token": token, "expires_at": expires_at, "salt": salt, "secret_hash": _secret_hash(self._secret, salt)}
        temporary = "%s.%d.tmp" % (self.path, os.getpid())
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(entry, stream)
        os.replace(temporary, self.path)
