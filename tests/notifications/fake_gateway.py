"""A provider on 127.0.0.1 for the HTTP channels' tests: a tiny http.server in a thread.

It records every request it receives (path, headers, JSON), answers with the statuses queued in
`fail_with` first (then 200), can be made slow (`delay`), and behaves like a provider with idempotency:
an SMS whose Idempotency-Key it already accepted is answered with the first message id and not
delivered again (`delivered` holds each key once, `repeats` the keys sent again). It also answers the
企业微信 API's gettoken and message/send.
"""

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeGateway:
    def __init__(self):
        self.lock = threading.Lock()
        self.received = []  # (path, headers, payload)
        self.delivered = {}  # key → payload, the first time
        self.repeats = Counter()
        self.fail_with = []  # statuses to answer before succeeding, e.g. [503, 503]
        self.wecom_errcodes = []  # errcodes for message/send before 0
        self.delay = 0.0
        self.tokens_issued = 0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                gateway._handle(self, None)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                gateway._handle(self, json.loads(self.rfile.read(length) or b"{}"))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, handler, status, payload):
        body = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _handle(self, handler, payload):
        if self.delay:
            time.sleep(self.delay)
        url = urlparse(handler.path)
        with self.lock:
            self.received.append((url.path, dict(handler.headers), payload, parse_qs(url.query)))
            status = self.fail_with.pop(0) if self.fail_with else 200
            if status != 200:
                return self._answer(handler, status, {"error": "failing on demand"})
            if url.path == "/cgi-bin/gettoken":
                self.tokens_issued += 1
                return self._answer(handler, 200, {"errcode": 0, "access_token": f"T{self.tokens_issued}"})
            if url.path == "/cgi-bin/message/send":
                errcode = self.wecom_errcodes.pop(0) if self.wecom_errcodes else 0
                if errcode == 0:
                    self.delivered[f"wecom-{len(self.delivered)}"] = payload
                return self._answer(handler, 200, {"errcode": errcode, "msgid": f"wx{len(self.received)}"})
            key = handler.headers.get("Idempotency-Key")
            if key in self.delivered:
                self.repeats[key] += 1
            else:
                self.delivered[key] = payload
            return self._answer(handler, 200, {"message_id": f"m-{key}"})

    def sms_requests(self):
        return [r for r in self.received if r[0] == "/sms"]
