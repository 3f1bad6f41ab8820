"""A local OpenAI-compatible chat endpoint for the describer's tests: it answers from a script
of behaviours (valid, malformed JSON, banned phrase, missing key, 429, 500, 400, slow, and the
hostile ones: trickled body or headers, huge reply, lone surrogate, control character, deep
nesting, an absurd Retry-After) and records every request it gets."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VALID = {
    "Image_A_Caption": "a cat on a rug",
    "Image_B_Caption": "the same cat, the light warmer",
    "Task_Descriptions_from_A_to_B": "The light turns warm and golden, as if the sun were low.",
    "Task_Descriptions_from_B_to_A": "The golden glow cools to a neutral daylight.",
}
BANNED = {**VALID, "Task_Descriptions_from_A_to_B": "Make image A look like image B."}
#: A lone surrogate: json.dumps writes it as the escape "\ud800", which decodes back to it.
SURROGATE = {**VALID, "Task_Descriptions_from_A_to_B": "The light turns warm \ud800 and golden."}
CONTROL = {**VALID, "Task_Descriptions_from_B_to_A": "The glow cools \x1b[2J to daylight."}
HUGE_BYTES = 300 * 1024 * 1024  # what "huge" and "huge_declared" claim or try to send


class FakeVLM:
    def __init__(self, slow_s: float = 1.5, trickle_s: float = 0.25) -> None:
        self.script: deque[str] = deque()  # behaviours for the next requests; "valid" when empty
        self.requests: list[dict] = []
        self.slow_s, self.trickle_s = slow_s, trickle_s
        self.sent = 0  # bytes of the last reply body written before the client hung up
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                behaviour = server.script.popleft() if server.script else "valid"
                if behaviour == "slow":
                    time.sleep(server.slow_s)
                    behaviour = "valid"
                status, extra = 200, {}
                content = json.dumps(VALID)
                if behaviour == "malformed":
                    content = '{"Image_A_Caption": "a cat", "Task_Descriptions_from_A_'
                elif behaviour == "banned":
                    content = json.dumps(BANNED)
                elif behaviour == "missing":
                    content = json.dumps({k: v for k, v in VALID.items() if "B_to_A" not in k})
                elif behaviour == "surrogate":
                    content = json.dumps(SURROGATE)
                elif behaviour == "control":
                    content = json.dumps(CONTROL)
                elif behaviour == "deep":
                    content = "[" * 200_000 + "]" * 200_000
                elif behaviour == "429":
                    status, extra = 429, {"Retry-After": "3"}
                elif behaviour == "429_forever":
                    status, extra = 429, {"Retry-After": "86400"}
                elif behaviour in ("500", "400", "401"):
                    status = int(behaviour)
                payload = (
                    {"choices": [{"message": {"role": "assistant", "content": content}}]}
                    if status == 200
                    else {"error": {"message": behaviour}}
                )
                data = json.dumps(payload).encode()
                if behaviour == "deep_envelope":
                    data = b'{"choices": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
                server.sent = 0
                try:
                    if behaviour == "trickle_headers":  # the whole response, status line first, a byte at a time
                        head = (
                            f"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
                        )
                        for byte in head.encode() + data:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(server.trickle_s)
                        return
                    self.send_response(status)
                    for k, v in {"Content-Type": "application/json", **extra}.items():
                        self.send_header(k, v)
                    if behaviour == "huge_declared":
                        self.send_header("Content-Length", str(HUGE_BYTES))
                    elif behaviour != "huge":  # "huge" has no length: the body runs until the connection closes
                        self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if behaviour == "trickle":
                        for byte in data:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            server.sent += 1
                            time.sleep(server.trickle_s)
                    elif behaviour in ("huge", "huge_declared"):
                        chunk = b" " * (1 << 16)
                        while server.sent < HUGE_BYTES:
                            self.wfile.write(chunk)
                            server.sent += len(chunk)
                        self.close_connection = True
                    else:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (time-out)
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
