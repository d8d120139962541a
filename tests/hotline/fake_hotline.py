"""A fake 12345 hotline on 127.0.0.1 (http.server in a thread) that receives SWS's callbacks.

It checks every callback's signature with the key's callback secret (HMAC-SHA256 of timestamp + "\\n" +
body, as docs/api.md tells integrators to), answers the statuses queued in `fail_with` before succeeding,
and keeps each answer once by its Idempotency-Key, as a real receiver should: `accepted` holds each key's
payload the first time, `repeats` counts keys sent again after they were accepted.
"""

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: str, headers, body: bytes, *, max_age=300) -> bool:
    """How an integrator checks a callback (the example in docs/api.md)."""
    timestamp = headers.get("X-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > max_age:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("X-Signature", ""))


class FakeHotline:
    def __init__(self, secrets: dict[str, str]):
        self.secrets = secrets  # key id → callback secret
        self.lock = threading.Lock()
        self.received = []  # (headers, body bytes, status answered)
        self.accepted = {}  # Idempotency-Key → payload
        self.repeats = Counter()
        self.bad_signatures = 0
        self.fail_with = []  # statuses to answer before succeeding
        self.fail_keys = {}  # Idempotency-Key prefix → statuses for that answer only
        hotline = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = hotline._handle(dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, headers, body):
        with self.lock:
            secret = self.secrets.get(headers.get("X-Api-Key", ""))
            if secret is None or not verify(secret, headers, body):
                self.bad_signatures += 1
                status = 401
            else:
                key = headers.get("Idempotency-Key", "")
                status = 200
                for prefix, statuses in self.fail_keys.items():
                    if key.startswith(prefix) and statuses:
                        status = statuses.pop(0)
                if status == 200 and self.fail_with:
                    status = self.fail_with.pop(0)
                if status == 200:
                    if key in self.accepted:
                        self.repeats[key] += 1
                    else:
                        self.accepted[key] = json.loads(body)
            self.received.append((headers, body, status))
            return status

    def events(self, ticket_no):
        """The answers accepted for one order, in the order they were given (`at`): a retried callback
        arrives after later ones, so a receiver orders them by `at`, as docs/api.md says."""
        answers = sorted((p["at"], p["event"]) for p in self.accepted.values() if p["ticket_no"] == ticket_no)
        return [event for _at, event in answers]
