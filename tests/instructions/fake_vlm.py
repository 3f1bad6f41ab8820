"""A local OpenAI-compatible chat endpoint for the describer's tests: it answers from a script
of behaviours (valid, malformed JSON, banned phrase, missing key, 429, 500, 400, slow) and
records every request it gets."""

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


class FakeVLM:
    def __init__(self, slow_s: float = 1.5) -> None:
        self.script: deque[str] = deque()  # behaviours for the next requests; "valid" when empty
        self.requests: list[dict] = []
        self.slow_s = slow_s
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
                elif behaviour == "429":
                    status, extra = 429, {"Retry-After": "3"}
                elif behaviour in ("500", "400", "401"):
                    status = int(behaviour)
                payload = (
                    {"choices": [{"message": {"role": "assistant", "content": content}}]}
                    if status == 200
                    else {"error": {"message": behaviour}}
                )
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for k, v in {"Content-Type": "application/json", **extra}.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (time-out)
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
